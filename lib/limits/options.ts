/**
 * The flow-control limits a job may declare in `defineJob` — concurrency per key, a rate limit,
 * debounce and unique keys — their schema (part of the declaration's one strict schema) and
 * their derivation: each option as given, with its defaults applied once. What enforces them:
 * the worker's gate (./gate.ts) and the producers' step (./enqueue-step.ts), over the limit
 * items of the ledger table (./limit-store.ts).
 */
import * as z from 'zod/mini';

/** At most `limit` jobs with the same key run at once, across all workers. */
export interface ConcurrencyLimit<P> {
  // Method syntax on purpose (see `FifoOptions.groupKey`): a declaration of any payload type
  // must be usable where a `JobDefinition` of unknown payload is expected.
  key(payload: P): string;
  readonly limit: number;
}

/** At most `limit` starts per `perSeconds`, across all workers, spaced evenly (see README). */
export interface RateLimit<P> {
  readonly limit: number;
  readonly perSeconds: number;
  /** One budget per key. @default one budget for the whole job (LIMIT_RULES.wholeJobKey) */
  key(payload: P): string;
}

/** Enqueues with one key within `seconds` of each other form one job, run once with the last payload. */
export interface DebounceOptions<P> {
  key(payload: P): string;
  /** Each enqueue pushes the start back to this long after it. */
  readonly seconds: number;
  /** …but never beyond this long after the first enqueue. */
  readonly maxWaitSeconds: number;
}

/** While a job with the key waits or runs (and `seconds` after its enqueue), an enqueue with the key answers with that job's id. */
export interface UniqueOptions<P> {
  key(payload: P): string;
  /** @default LIMIT_DEFAULTS.uniqueSeconds */
  readonly seconds: number;
}

/** A job's declared limits, as derived by `defineJob`; undefined on a job that declares none. */
export interface JobLimits<P> {
  readonly concurrency: ConcurrencyLimit<P> | undefined;
  readonly rateLimit: RateLimit<P> | undefined;
  readonly debounce: DebounceOptions<P> | undefined;
  readonly unique: UniqueOptions<P> | undefined;
}

/** What `defineJob` accepts for each limit. */
export interface LimitSpecs<P> {
  readonly concurrency?: ConcurrencyLimit<P>;
  readonly rateLimit?: Omit<RateLimit<P>, 'key'> & { key?(payload: P): string };
  readonly debounce?: DebounceOptions<P>;
  readonly unique?: Omit<UniqueOptions<P>, 'seconds'> & { readonly seconds?: number };
}

export const LIMIT_DEFAULTS = {
  uniqueSeconds: 0,
} as const;

/** The numbers the limits are checked against and enforced with, named once. */
export const LIMIT_RULES = {
  /** The key of a rate limit declared without one: one budget for the whole job. */
  wholeJobKey: '*',
  /** Keys longer than this are stored by their SHA-256 (a partition key holds at most 2,048 bytes). */
  maxStoredKeyLength: 256,
  /** Largest `concurrency.limit` and `rateLimit.limit`. */
  maxLimit: 1_000,
  /** Largest `rateLimit.perSeconds`, debounce and unique windows: one day. */
  maxWindowSeconds: 86_400,
  /**
   * A start the rate limit grants within this long is waited for in the invocation (at most half
   * of what is left before its deadline) instead of deferred: the message is already here.
   */
  maxInProcessWaitMs: 2_000,
  /** First and largest deferral of a job over its concurrency (doubling in between, with jitter). */
  slotWaitBaseSeconds: 1,
  slotWaitMaxSeconds: 8,
  /** Rounds of one conditional write that lost a race to another worker before the job is deferred. */
  contentionRounds: 8,
  /** Between those rounds: a random pause up to this long. */
  contentionPauseMs: 50,
} as const;

const limit = z.int().check(z.minimum(1), z.maximum(LIMIT_RULES.maxLimit));
const windowSeconds = (min: number) => z.int().check(z.minimum(min), z.maximum(LIMIT_RULES.maxWindowSeconds));
const keyFunction = z.custom<(payload: never) => string>(
  (value) => typeof value === 'function',
  'must be a function of the payload returning the key',
);

/** The limit keys of `defineJob`'s strict schema. */
export const LIMIT_SPEC_SHAPE = {
  concurrency: z.optional(z.strictObject({ key: keyFunction, limit })),
  rateLimit: z.optional(
    z.strictObject({ limit, perSeconds: windowSeconds(1), key: z.optional(keyFunction) }),
  ),
  debounce: z.optional(
    z.strictObject({ key: keyFunction, seconds: windowSeconds(1), maxWaitSeconds: windowSeconds(1) }),
  ),
  unique: z.optional(z.strictObject({ key: keyFunction, seconds: z.optional(windowSeconds(0)) })),
};

/** Where a job's limits are checked against the rest of its declaration. */
export interface LimitContext {
  readonly fifo: boolean;
  readonly useLedger: boolean;
}

/**
 * Derives a job's limits from its (schema-checked) spec; undefined when it declares none, so the
 * worker and the client test one field for the common case. Pushes each rule a combination breaks.
 */
export function deriveLimits<P>(
  spec: LimitSpecs<P>,
  context: LimitContext,
  problems: string[],
): JobLimits<P> | undefined {
  const { concurrency, rateLimit, debounce, unique } = spec;
  if (!concurrency && !rateLimit && !debounce && !unique) return undefined;
  // A deferral must not count as an attempt. A FIFO message keeps its place in its group only by
  // a visibility change, which SQS counts as a receive; and a FIFO group already runs one job at a time.
  if (context.fifo && (concurrency || rateLimit || debounce)) {
    problems.push(
      'concurrency, rateLimit and debounce need a standard queue (a FIFO job is deferred only by a receive that counts as an attempt; its groupKey already limits each group to one job at a time)',
    );
  }
  if (unique && !context.useLedger) {
    problems.push('unique needs useLedger: a key is held while its job waits or runs, as the ledger says');
  }
  if (debounce && unique) {
    problems.push('declare debounce or unique, not both: a debounced key already forms one job at a time');
  }
  if (debounce && debounce.maxWaitSeconds < debounce.seconds) {
    problems.push(
      `debounce.maxWaitSeconds (${debounce.maxWaitSeconds}) must be at least debounce.seconds (${debounce.seconds})`,
    );
  }
  const wholeJob = (): string => LIMIT_RULES.wholeJobKey;
  return Object.freeze({
    concurrency: concurrency && Object.freeze({ key: concurrency.key, limit: concurrency.limit }),
    rateLimit:
      rateLimit &&
      Object.freeze({
        limit: rateLimit.limit,
        perSeconds: rateLimit.perSeconds,
        key: rateLimit.key ?? wholeJob,
      }),
    debounce:
      debounce &&
      Object.freeze({
        key: debounce.key,
        seconds: debounce.seconds,
        maxWaitSeconds: debounce.maxWaitSeconds,
      }),
    unique:
      unique && Object.freeze({ key: unique.key, seconds: unique.seconds ?? LIMIT_DEFAULTS.uniqueSeconds }),
  });
}

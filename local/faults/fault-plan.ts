/**
 * What the fault layer does to each AWS call: rules per service and operation (a rate and the
 * kinds to draw from), decided from a seed. Each service-and-operation pair draws from a stream of
 * its own, so the same seed and the same sequence of calls of an operation give the same faults,
 * however calls of other operations interleave. Every decision is counted.
 */
import * as z from 'zod/mini';
import { checkOptions, functionOption, type OptionsShape } from '../../lib/options.js';
import { seededStream } from './seeded-random.js';

/**
 * What can go wrong with a call, as the fault proxy carries it out:
 * - `error500`, `error503`: the service's internal-failure / unavailable error; not forwarded.
 * - `throttling`: the service's throttling error; not forwarded.
 * - `dropped`: the connection is destroyed before anything is forwarded.
 * - `timeout`: forwarded (the emulator acts), the answer held until the client gives up.
 * - `answerLost`: forwarded (the emulator acts), then the connection destroyed instead of answering.
 */
export const FAULT_KINDS = [
  'error500',
  'error503',
  'throttling',
  'dropped',
  'timeout',
  'answerLost',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Kinds whose request reached the emulator: its effect happened though the caller cannot know. */
export const CARRIED_OUT_KINDS: ReadonlySet<FaultKind> = new Set(['timeout', 'answerLost']);

export const FAULT_SERVICES = ['sqs', 'dynamodb', 'ses'] as const;
export type FaultService = (typeof FAULT_SERVICES)[number];

/** Which attempt of which SDK call a request is, from the SDK's own headers (see ./operation.ts). */
export interface CallAttempt {
  /** `amz-sdk-invocation-id`: the same for every attempt of one call. */
  readonly id: string;
  /** From `amz-sdk-request: attempt=2; max=3`. */
  readonly attempt: number;
  readonly maxAttempts: number;
}

/** A request as a rule sees it. */
export interface FaultRequest {
  readonly service: FaultService;
  /** `ReceiveMessage`, `UpdateItem`, `SendEmail`, … (see ./operation.ts) */
  readonly operation: string;
  /** The request body as text (JSON, or a form for SES). */
  readonly body: string;
  /** Absent when the client sent no retry headers. */
  readonly call?: CallAttempt;
}

export interface FaultRule {
  /** @default every service */
  readonly service?: FaultService;
  /** @default every operation */
  readonly operation?: string;
  /** The share of matching calls that fail, 0–1. */
  readonly rate: number;
  /** The kinds a failing call is given, drawn evenly. @default FAULT_KINDS */
  readonly kinds?: readonly FaultKind[];
  /** Narrows the rule to some calls, e.g. the ledger's `succeed` write among the `UpdateItem`s. */
  readonly match?: (request: FaultRequest) => boolean;
  /** At most this many faults (of requests, or of calls with `per: 'call'`) from this rule. @default no limit */
  readonly limit?: number;
  /**
   * What `rate` is a share of. `request`: each HTTP request — each attempt the SDK makes — is
   * decided alone, so the SDK's retries mostly get a call through. `call`: a call decided to fail
   * fails every attempt the SDK makes of it, with the same kind — AWS failing for a few hundred
   * milliseconds rather than for one request. Requests without the SDK's retry headers are
   * decided one by one either way. @default 'request'
   */
  readonly per?: 'request' | 'call';
}

export interface Injection {
  /** 1, 2, … in the order faults were decided. */
  readonly seq: number;
  readonly service: FaultService;
  readonly operation: string;
  readonly kind: FaultKind;
  readonly requestBody: string;
  /** The emulator's answer, for the kinds that forward the call (`CARRIED_OUT_KINDS`). */
  readonly answerBody?: string;
}

export interface FaultOptions {
  /** Seeds every decision. */
  readonly seed: number;
  /** The first rule that matches a call decides it; a call no rule matches passes untouched. */
  readonly rules: readonly FaultRule[];
  /**
   * How long a `timeout` answer is held when the client never gives up (a client without a request
   * timeout), before its connection is destroyed. @default FAULT_DEFAULTS.holdLimitMs
   */
  readonly holdLimitMs?: number;
  /** Told of every fault, once it has been carried out. */
  readonly onInjection?: (injection: Injection) => void;
}

export const FAULT_DEFAULTS = {
  holdLimitMs: 600_000,
} as const;

/** Requests of one operation (each SDK attempt is one), and the faults they were given. */
export type OperationCounts = { readonly requests: number } & Readonly<Record<FaultKind, number>>;
/** By service, then operation. */
export type FaultCounts = Readonly<Record<FaultService, Readonly<Record<string, OperationCounts>>>>;

const RULE_SCHEMA = z.strictObject({
  service: z.optional(z.enum(FAULT_SERVICES)),
  operation: z.optional(z.string().check(z.minLength(1))),
  rate: z.number().check(z.minimum(0), z.maximum(1)),
  kinds: z.optional(z.array(z.enum(FAULT_KINDS)).check(z.minLength(1))),
  match: functionOption,
  limit: z.optional(z.int().check(z.minimum(0))),
  per: z.optional(z.enum(['request', 'call'])),
} satisfies OptionsShape<FaultRule>);

const OPTIONS_SCHEMA = z.strictObject({
  seed: z.int().check(z.minimum(0), z.maximum(2 ** 32 - 1)),
  rules: z.array(RULE_SCHEMA),
  holdLimitMs: z.optional(z.int().check(z.minimum(1))),
  onInjection: functionOption,
} satisfies OptionsShape<FaultOptions>);

/** @throws {ConfigError} naming every unknown key (and the closest known one) and every bad value. */
export function checkFaultOptions(options: FaultOptions): FaultOptions {
  return checkOptions('fault layer', OPTIONS_SCHEMA, options);
}

const RULES_SCHEMA = z.strictObject({ rules: OPTIONS_SCHEMA.shape.rules });

function checkRules(rules: readonly FaultRule[]): readonly FaultRule[] {
  return checkOptions('fault layer', RULES_SCHEMA, { rules }).rules;
}

type MutableCounts = { requests: number } & Record<FaultKind, number>;

function zeroCounts(): MutableCounts {
  return { requests: 0, error500: 0, error503: 0, throttling: 0, dropped: 0, timeout: 0, answerLost: 0 };
}

/**
 * Decides calls.
 *
 * @example
 * const plan = new FaultPlan({ seed: 7, rules: [{ rate: 0.05 }] });
 * plan.decide({ service: 'dynamodb', operation: 'UpdateItem', body: '{}' }); // 'throttling' or undefined
 */
export class FaultPlan {
  readonly #seed: number;
  #rules: readonly FaultRule[];
  readonly #streams = new Map<string, () => number>();
  readonly #used = new Map<FaultRule, number>();
  readonly #counts = new Map<FaultService, Map<string, MutableCounts>>();
  /** The kind of each failing call (`per: 'call'`) until its last attempt. */
  readonly #failingCalls = new Map<string, FaultKind>();
  #seq = 0;

  constructor(options: Pick<FaultOptions, 'seed' | 'rules'>) {
    this.#seed = options.seed;
    this.#rules = checkRules(options.rules);
  }

  /** Replaces the rules (their limits count afresh); the streams go on where they were. */
  setRules(rules: readonly FaultRule[]): void {
    this.#rules = checkRules(rules);
    this.#used.clear();
  }

  /** The fault for this request, if any, with its sequence number; counts the request either way. */
  decide(request: FaultRequest): { readonly kind: FaultKind; readonly seq: number } | undefined {
    const counts = this.#countsOf(request.service, request.operation);
    counts.requests += 1;
    const rule = this.#rules.find(
      (r) =>
        (r.service === undefined || r.service === request.service) &&
        (r.operation === undefined || r.operation === request.operation) &&
        (r.match === undefined || r.match(request)),
    );
    const call = rule?.per === 'call' ? request.call : undefined;
    // A later attempt of a call is not decided again: it fails as its first attempt did, or passes.
    if (call !== undefined && call.attempt > 1) {
      const kind = this.#failingCalls.get(call.id);
      if (kind === undefined) return undefined;
      if (call.attempt >= call.maxAttempts) this.#failingCalls.delete(call.id);
      return this.#inject(counts, kind);
    }
    const key = `${request.service} ${request.operation}`;
    let stream = this.#streams.get(key);
    if (stream === undefined) {
      stream = seededStream(this.#seed, key);
      this.#streams.set(key, stream);
    }
    // Two draws for every request decided, whatever the rules say, so its draws depend only on its
    // place in its operation's sequence.
    const roll = stream();
    const pick = stream();
    if (rule === undefined || roll >= rule.rate) return undefined;
    const used = this.#used.get(rule) ?? 0;
    if (rule.limit !== undefined && used >= rule.limit) return undefined;
    const kinds = rule.kinds ?? FAULT_KINDS;
    const kind = kinds[Math.min(kinds.length - 1, Math.floor(pick * kinds.length))] as FaultKind;
    this.#used.set(rule, used + 1);
    if (call !== undefined && call.attempt < call.maxAttempts) this.#failingCalls.set(call.id, kind);
    return this.#inject(counts, kind);
  }

  #inject(counts: MutableCounts, kind: FaultKind): { readonly kind: FaultKind; readonly seq: number } {
    counts[kind] += 1;
    this.#seq += 1;
    return { kind, seq: this.#seq };
  }

  counts(): FaultCounts {
    const snapshot = { sqs: {}, dynamodb: {}, ses: {} } as Record<
      FaultService,
      Record<string, OperationCounts>
    >;
    for (const [service, operations] of this.#counts) {
      for (const [operation, counts] of operations) snapshot[service][operation] = { ...counts };
    }
    return snapshot;
  }

  /** Requests and faults over every service and operation. */
  totals(): OperationCounts {
    const totals = zeroCounts();
    for (const operations of this.#counts.values()) {
      for (const counts of operations.values()) {
        for (const key of Object.keys(totals) as (keyof MutableCounts)[]) totals[key] += counts[key];
      }
    }
    return totals;
  }

  #countsOf(service: FaultService, operation: string): MutableCounts {
    let operations = this.#counts.get(service);
    if (operations === undefined) {
      operations = new Map();
      this.#counts.set(service, operations);
    }
    let counts = operations.get(operation);
    if (counts === undefined) {
      counts = zeroCounts();
      operations.set(operation, counts);
    }
    return counts;
  }
}

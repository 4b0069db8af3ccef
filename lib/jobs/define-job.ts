import * as z from 'zod/mini';
import type { $ZodType, input, output } from 'zod/v4/core';
import { JOB_DEFAULTS, SQS_LIMITS } from '../constants.js';
import { JobDefinitionError } from '../errors.js';
import { deriveLimits, type JobLimits, LIMIT_SPEC_SHAPE, type LimitSpecs } from '../limits/options.js';
import { check, describeIssues } from '../validation.js';
import { LONGEST_QUEUE_SUFFIX } from './names.js';
import { DEFAULT_TIME_ZONE, scheduleExpressionSchema, timeZoneSchema } from './schedule-rules.js';

/** AWS resources a job's handler may need; the stack grants exactly these (plus its own queue and DLQ). */
export const JOB_RESOURCES = ['ledger', 'ses', 'parameters'] as const;
export type JobResource = (typeof JOB_RESOURCES)[number];

/** Exponential backoff with jitter between attempts of one message. */
export interface RetryPolicy {
  /** Attempts in all, the first included. @default JOB_DEFAULTS.maxAttempts */
  readonly maxAttempts: number;
  /** Delay before the second attempt, before jitter. @default JOB_DEFAULTS.baseDelaySeconds */
  readonly baseDelaySeconds: number;
  /** Upper bound of any one delay. @default JOB_DEFAULTS.maxDelaySeconds */
  readonly maxDelaySeconds: number;
}

/** How the event source feeds the worker. */
export interface BatchOptions {
  /** Records per invocation. @default JOB_DEFAULTS.batchSize */
  readonly size: number;
  /** Seconds the event source may wait to fill a batch; must be 0 for FIFO jobs. @default JOB_DEFAULTS.maxBatchingWindowSeconds (0 for FIFO) */
  readonly windowSeconds: number;
  /** Concurrent invocations the event source may start (Lambda allows 2–1000). @default JOB_DEFAULTS.maxConcurrency */
  readonly maxConcurrency: number;
  /** Records one invocation runs at once. @default JOB_DEFAULTS.recordConcurrency */
  readonly recordConcurrency: number;
}

/** A recurring schedule: each firing enqueues a distinct job carrying `payload`. */
export interface RecurringSchedule {
  /** AWS Scheduler expression: `cron(min hour day-of-month month day-of-week year)` or `rate(n unit)`. */
  readonly expression: string;
  /** IANA time zone the cron expression is read in. @default 'UTC' */
  readonly timeZone: string;
  /** The payload each firing carries; validated against the job's schema. @default {} */
  readonly payload: unknown;
}

export interface FifoOptions<P> {
  /** Derives the message group from the payload: jobs of one group never run at once, and run in order. */
  // Method syntax on purpose: a declaration of any payload type must be usable where a
  // `JobDefinition` of unknown payload is expected (registries, settings).
  groupKey(payload: P): string;
}

/** A declared job: everything the worker, client, API, stack and local runtime need, and no handler code. */
export interface JobDefinition<S extends $ZodType = $ZodType> {
  readonly name: string;
  readonly description: string | undefined;
  readonly schema: S;
  readonly retry: RetryPolicy;
  /** The worker function's timeout. @default JOB_DEFAULTS.timeoutSeconds */
  readonly timeoutSeconds: number;
  /** @default JOB_DEFAULTS.memoryMiB */
  readonly memoryMiB: number;
  /** How long before the Lambda deadline the job's `AbortSignal` fires. @default JOB_DEFAULTS.deadlineMarginMs */
  readonly deadlineMarginMs: number;
  readonly batch: BatchOptions;
  readonly fifo: FifoOptions<output<S>> | undefined;
  readonly schedule: RecurringSchedule | undefined;
  readonly resources: readonly JobResource[];
  /** Whether the worker records this job in the ledger. @default JOB_DEFAULTS.useLedger */
  readonly useLedger: boolean;
  /** Flow control (concurrency per key, rate limit, debounce, unique); undefined when none is declared. */
  readonly limits: JobLimits<output<S>> | undefined;
}

/** The payload type a handler receives. */
export type JobPayload<J> = J extends JobDefinition<infer S> ? output<S> : never;
/** The payload type a producer sends (before schema defaults and transforms). */
export type JobInput<J> = J extends JobDefinition<infer S> ? input<S> : never;

/** What `defineJob` accepts; every key but `name` and `schema` is optional. */
export interface JobSpec<S extends $ZodType> {
  readonly name: string;
  readonly schema: S;
  readonly description?: string;
  readonly retry?: Partial<RetryPolicy>;
  readonly timeoutSeconds?: number;
  readonly memoryMiB?: number;
  readonly deadlineMarginMs?: number;
  readonly batch?: Partial<BatchOptions>;
  readonly fifo?: FifoOptions<output<S>>;
  readonly schedule?: {
    readonly expression: string;
    readonly timeZone?: string;
    readonly payload?: input<S>;
  };
  readonly resources?: readonly JobResource[];
  readonly useLedger?: boolean;
  readonly concurrency?: LimitSpecs<output<S>>['concurrency'];
  readonly rateLimit?: LimitSpecs<output<S>>['rateLimit'];
  readonly debounce?: LimitSpecs<output<S>>['debounce'];
  readonly unique?: LimitSpecs<output<S>>['unique'];
}

/** `email.send`, `sync.run`, `report-daily`: lower case, dots or dashes between words. */
export const JOB_NAME_PATTERN = /^[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*$/;
/** Leaves room for the longest suffix (`-dlq.fifo`) within the 80-character SQS queue name limit. */
export const JOB_NAME_MAX_LENGTH = SQS_LIMITS.queueNameLength - LONGEST_QUEUE_SUFFIX.length;

const int = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

// Unknown keys are rejected (strictObject) so a typo such as `timeout: 60` fails at definition time
// instead of silently keeping the default.
const specSchema = z.strictObject({
  name: z
    .string()
    .check(
      z.maxLength(JOB_NAME_MAX_LENGTH),
      z.regex(JOB_NAME_PATTERN, 'must be lower case words joined by "." or "-", e.g. "email.send"'),
    ),
  schema: z.custom<$ZodType>(
    (value) => typeof value === 'object' && value !== null && '_zod' in value,
    'must be a zod schema',
  ),
  description: z.optional(z.string()),
  retry: z.optional(
    z.strictObject({
      maxAttempts: z.optional(int(1, 100)),
      baseDelaySeconds: z.optional(int(0, SQS_LIMITS.maxVisibilitySeconds)),
      maxDelaySeconds: z.optional(int(0, SQS_LIMITS.maxVisibilitySeconds)),
    }),
  ),
  timeoutSeconds: z.optional(int(1, 900)),
  memoryMiB: z.optional(int(128, 10_240)),
  deadlineMarginMs: z.optional(int(0, 60_000)),
  batch: z.optional(
    z.strictObject({
      size: z.optional(int(1, 10_000)),
      windowSeconds: z.optional(int(0, 300)),
      maxConcurrency: z.optional(int(2, 1000)),
      recordConcurrency: z.optional(int(1, 1000)),
    }),
  ),
  fifo: z.optional(
    z.strictObject({
      groupKey: z.custom<(p: unknown) => string>((v) => typeof v === 'function', 'must be a function'),
    }),
  ),
  schedule: z.optional(
    z.strictObject({
      expression: scheduleExpressionSchema,
      timeZone: z.optional(timeZoneSchema),
      payload: z.optional(z.unknown()),
    }),
  ),
  resources: z.optional(z.array(z.enum(JOB_RESOURCES))),
  useLedger: z.optional(z.boolean()),
  ...LIMIT_SPEC_SHAPE,
});

/**
 * Declares a job. The declaration is data: import it anywhere (API, client, stack) without pulling
 * in the handler, which lives with its function in `functions/<name>/`.
 *
 * @throws {JobDefinitionError} naming every rule the spec breaks.
 * @example
 * export const resizeImage = defineJob({
 *   name: 'image.resize',
 *   schema: z.object({ key: z.string(), width: z.int().positive() }),
 *   retry: { maxAttempts: 3 },
 *   timeoutSeconds: 60,
 * });
 */
export function defineJob<S extends $ZodType>(spec: JobSpec<S>): JobDefinition<S> {
  const parsed = check(specSchema, spec);
  const where = typeof spec?.name === 'string' ? `job "${spec.name}"` : 'job declaration';
  if (!parsed.ok) throw new JobDefinitionError(`Invalid ${where}: ${describeIssues(parsed.issues)}`);

  const retry: RetryPolicy = {
    maxAttempts: spec.retry?.maxAttempts ?? JOB_DEFAULTS.maxAttempts,
    baseDelaySeconds: spec.retry?.baseDelaySeconds ?? JOB_DEFAULTS.baseDelaySeconds,
    maxDelaySeconds: spec.retry?.maxDelaySeconds ?? JOB_DEFAULTS.maxDelaySeconds,
  };
  const fifo = spec.fifo !== undefined;
  const batch: BatchOptions = {
    size: spec.batch?.size ?? JOB_DEFAULTS.batchSize,
    windowSeconds: spec.batch?.windowSeconds ?? (fifo ? 0 : JOB_DEFAULTS.maxBatchingWindowSeconds),
    maxConcurrency: spec.batch?.maxConcurrency ?? JOB_DEFAULTS.maxConcurrency,
    recordConcurrency: spec.batch?.recordConcurrency ?? JOB_DEFAULTS.recordConcurrency,
  };
  const timeoutSeconds = spec.timeoutSeconds ?? JOB_DEFAULTS.timeoutSeconds;
  const deadlineMarginMs = spec.deadlineMarginMs ?? JOB_DEFAULTS.deadlineMarginMs;

  const problems: string[] = [];
  if (retry.baseDelaySeconds > retry.maxDelaySeconds) {
    problems.push(
      `retry.baseDelaySeconds (${retry.baseDelaySeconds}) exceeds retry.maxDelaySeconds (${retry.maxDelaySeconds})`,
    );
  }
  if (deadlineMarginMs >= timeoutSeconds * 1000) {
    problems.push(
      `deadlineMarginMs (${deadlineMarginMs}) must be shorter than timeoutSeconds (${timeoutSeconds} s)`,
    );
  }
  // Lambda's SQS event source takes at most 10 records per batch without a batching window,
  // and FIFO sources take neither a window nor more than 10 records.
  if (fifo && batch.windowSeconds !== 0) problems.push('batch.windowSeconds must be 0 for a FIFO job');
  if (batch.size > SQS_LIMITS.batchEntries && (fifo || batch.windowSeconds === 0)) {
    problems.push(
      `batch.size above ${SQS_LIMITS.batchEntries} needs a standard queue and batch.windowSeconds ≥ 1`,
    );
  }
  let schedule: RecurringSchedule | undefined;
  if (spec.schedule) {
    const payload = spec.schedule.payload ?? {};
    const payloadCheck = check(spec.schema, payload, 'schedule.payload');
    if (!payloadCheck.ok) problems.push(describeIssues(payloadCheck.issues));
    schedule = {
      expression: spec.schedule.expression,
      timeZone: spec.schedule.timeZone ?? DEFAULT_TIME_ZONE,
      payload,
    };
  }
  const useLedger = spec.useLedger ?? JOB_DEFAULTS.useLedger;
  const limits = deriveLimits(spec, { fifo, useLedger }, problems);
  if (problems.length > 0) throw new JobDefinitionError(`Invalid ${where}: ${problems.join('; ')}`);

  return Object.freeze({
    name: spec.name,
    description: spec.description,
    schema: spec.schema,
    retry: Object.freeze(retry),
    timeoutSeconds,
    memoryMiB: spec.memoryMiB ?? JOB_DEFAULTS.memoryMiB,
    deadlineMarginMs,
    batch: Object.freeze(batch),
    fifo: spec.fifo,
    schedule,
    resources: Object.freeze([...new Set(spec.resources ?? [])]),
    useLedger,
    limits,
  });
}

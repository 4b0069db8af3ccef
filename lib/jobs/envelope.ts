/**
 * Envelope v1: the JSON body of every Hangar SQS message. Any language may produce it; the JSON
 * Schema in `schemas/envelope.v1.json` is generated from `envelopeSchema` below.
 */
import { createHash } from 'node:crypto';
import { encodeTime } from 'ulid';
import * as z from 'zod/mini';
import type { $ZodIssue, $ZodType } from 'zod/v4/core';
import { ENVELOPE_VERSION } from '../constants.js';
import { EnvelopeError, type ValidationIssue } from '../errors.js';
import { describeIssues, formatPath, toValidationIssues } from '../validation.js';
import { JOB_NAME_MAX_LENGTH, JOB_NAME_PATTERN, type JobDefinition } from './define-job.js';

/** Job ids are opaque to consumers; Hangar makes ULIDs (time-sortable). */
export const JOB_ID_PATTERN = /^[0-9A-Za-z_-]{1,64}$/;

const jobId = z.string().check(z.regex(JOB_ID_PATTERN, 'must be 1–64 letters, digits, "-" or "_"'));
/** Bounds of envelope fields, shared by the schema and the fast path of `decodeEnvelope`. */
const LIMITS = { label: 256, attempt: 10_000, continuation: 1_000_000 } as const;

const label = z.string().check(z.minLength(1), z.maxLength(LIMITS.label));
const timestamp = z.iso.datetime({ offset: true });
/** The regular expression zod checks ISO timestamps with, reused by the fast path. */
const TIMESTAMP_PATTERN = timestamp._zod.pattern;
// Any JSON value, checked one level deep only: the job's own schema validates the payload, and a
// recursive check here could overflow the stack on hostile, deeply nested bodies.
const jsonValue = z.union([
  z.record(z.string(), z.unknown()),
  z.array(z.unknown()),
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
]);

const common = {
  version: z.literal(ENVELOPE_VERSION),
  name: z
    .string()
    .check(
      z.maxLength(JOB_NAME_MAX_LENGTH),
      z.regex(JOB_NAME_PATTERN, 'must be a job name such as "email.send"'),
    ),
  payload: jsonValue,
  /** When the job was first enqueued (ISO 8601). Retries and continuations keep it. */
  enqueuedAt: timestamp,
  /** The attempt this delivery is, from 1; a retry re-send carries the next number. */
  attempt: z.int().check(z.minimum(1), z.maximum(LIMITS.attempt)),
  /** 0 for the job as enqueued; each `continueWith` carries the next number under the same job id. */
  continuation: z.int().check(z.minimum(0), z.maximum(LIMITS.continuation)),
  idempotencyKey: z.optional(label),
  /** Propagated to logs across services and continuations. */
  correlationId: z.optional(label),
  /**
   * The time the job was asked to run at: a delayed job's, or a recurring firing's scheduled time
   * (a firing's `enqueuedAt`, copied here when it becomes a job envelope). Handlers read it as
   * `context.scheduledAt`.
   */
  runAt: z.optional(timestamp),
};

export const jobEnvelopeSchema = z.strictObject({ ...common, jobId });

/**
 * What a recurring schedule puts on the queue: no job id (a schedule's input is fixed), but the
 * schedule's name and the execution id Scheduler substitutes per firing, from which the worker
 * derives a distinct, time-sortable job id per firing.
 */
export const firingEnvelopeSchema = z.strictObject({
  ...common,
  firing: z.strictObject({ schedule: label, executionId: label }),
});

export const envelopeSchema = z.union([jobEnvelopeSchema, firingEnvelopeSchema]);

export type JobEnvelope = z.output<typeof jobEnvelopeSchema>;
export type FiringEnvelope = z.output<typeof firingEnvelopeSchema>;
export type Envelope = z.output<typeof envelopeSchema>;

/** Placeholders EventBridge Scheduler replaces in a templated target's input at each firing. */
export const FIRING_PLACEHOLDERS = {
  scheduledTime: '<aws.scheduler.scheduled-time>',
  executionId: '<aws.scheduler.execution-id>',
} as const;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The job id of one schedule firing: a ULID whose time part is the scheduled time and whose random
 * part is a hash of the execution id, so Scheduler's own retries of one firing map to one job.
 */
export function firingJobId(scheduledAt: string, executionId: string): string {
  const digest = createHash('sha256').update(executionId).digest();
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD[(digest[i] ?? 0) % 32];
  return encodeTime(Date.parse(scheduledAt), 10) + random;
}

/**
 * Normalizes a decoded envelope: a firing becomes an ordinary job envelope with its derived id,
 * and its scheduled time (Scheduler's `enqueuedAt`) becomes its `runAt` — kept by retries and
 * continuations, which re-send the job envelope, so every attempt of a firing reads the same
 * `context.scheduledAt`.
 */
export function toJobEnvelope(envelope: Envelope): JobEnvelope {
  if ('jobId' in envelope) return envelope;
  const { firing, ...rest } = envelope;
  return {
    ...rest,
    jobId: firingJobId(envelope.enqueuedAt, firing.executionId),
    runAt: envelope.runAt ?? envelope.enqueuedAt,
  };
}

/**
 * Decodes and validates an SQS message body. A firing envelope comes back with its derived job id.
 *
 * @throws {EnvelopeError} naming what is wrong: not JSON, not an object, an unknown version, or each bad field.
 * @example
 * const envelope = decodeEnvelope(record.body);
 */
export function decodeEnvelope(body: string): JobEnvelope {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (cause) {
    throw new EnvelopeError('Message body is not JSON', [], { cause });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new EnvelopeError('Message body is not a JSON object');
  }
  if ('version' in data && data.version !== ENVELOPE_VERSION) {
    throw new EnvelopeError(
      `Unknown envelope version ${JSON.stringify(data.version)}; this worker reads version ${ENVELOPE_VERSION}`,
    );
  }
  if (isPlainJobEnvelope(data)) return data;
  // Checked against its closest form alone, so the reason names the fields that are wrong; the
  // union of both forms could only say that neither matched.
  const form = 'firing' in data ? ENVELOPE_FORMS.firing : ENVELOPE_FORMS.job;
  const result = z.safeParse(form.schema, data);
  if (!result.success) {
    const issues = fieldIssues(result.error.issues, form.schema, data);
    throw new EnvelopeError(`Invalid envelope (${form.name}): ${describeIssues(issues)}`, issues);
  }
  return toJobEnvelope(result.data);
}

/**
 * The two forms of envelope v1, told apart by the one key only the firing form has: a body with
 * `firing` is read as a schedule's firing, any other as a job envelope — the form producers send.
 * Each accepts exactly what `envelopeSchema` accepts of the bodies read as it.
 */
const ENVELOPE_FORMS = {
  job: { name: 'job form', schema: jobEnvelopeSchema },
  firing: { name: 'firing form', schema: firingEnvelopeSchema },
} as const;

const MISSING = 'is missing';

/**
 * The form's issues as a producer needs to hear them: a missing field as missing (zod says it
 * expected a string and received undefined), an unknown key with the key it most likely meant.
 */
function fieldIssues(issues: readonly $ZodIssue[], form: $ZodType, data: object): ValidationIssue[] {
  const missing = new Set(issues.filter((i) => isAbsent(data, i.path)).map((i) => formatPath(i.path)));
  return toValidationIssues(issues, undefined, form).map((issue) =>
    missing.has(issue.path) ? { path: issue.path, message: MISSING } : issue,
  );
}

/** Whether `path` names a key its (object) parent does not have. */
function isAbsent(data: object, path: readonly PropertyKey[]): boolean {
  const key = path.at(-1);
  if (key === undefined) return false;
  let parent: unknown = data;
  for (const step of path.slice(0, -1)) {
    parent =
      typeof parent === 'object' && parent !== null
        ? (parent as Record<PropertyKey, unknown>)[step]
        : undefined;
  }
  return typeof parent === 'object' && parent !== null && !Array.isArray(parent) && !(key in parent);
}

const REQUIRED_KEYS = 7; // version, jobId, name, payload, enqueuedAt, attempt, continuation

const isInt = (value: unknown, min: number, max: number): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
const isLabel = (value: unknown): boolean =>
  value === undefined || (typeof value === 'string' && value.length >= 1 && value.length <= LIMITS.label);

/**
 * The fast path of `decodeEnvelope`: a direct check of the common case, a valid job envelope,
 * about ten times cheaper than the schema. It may only ever accept what `jobEnvelopeSchema`
 * accepts (a unit test holds it to that over generated envelopes); anything it does not accept
 * goes through the schema, which also names what is wrong.
 */
function isPlainJobEnvelope(data: object): data is JobEnvelope {
  // Unknown keys are caught by counting: the checks below find every required key and count the
  // optional ones present, so any key beyond those makes the totals differ.
  let keys = 0;
  for (const _ in data) keys++;
  const e = data as Record<string, unknown>;
  const optional =
    (e.idempotencyKey === undefined ? 0 : 1) +
    (e.correlationId === undefined ? 0 : 1) +
    (e.runAt === undefined ? 0 : 1);
  return (
    keys === REQUIRED_KEYS + optional &&
    e.version === ENVELOPE_VERSION &&
    typeof e.jobId === 'string' &&
    JOB_ID_PATTERN.test(e.jobId) &&
    typeof e.name === 'string' &&
    e.name.length <= JOB_NAME_MAX_LENGTH &&
    JOB_NAME_PATTERN.test(e.name) &&
    e.payload !== undefined &&
    typeof e.enqueuedAt === 'string' &&
    TIMESTAMP_PATTERN.test(e.enqueuedAt) &&
    isInt(e.attempt, 1, LIMITS.attempt) &&
    isInt(e.continuation, 0, LIMITS.continuation) &&
    isLabel(e.idempotencyKey) &&
    isLabel(e.correlationId) &&
    (e.runAt === undefined || (typeof e.runAt === 'string' && TIMESTAMP_PATTERN.test(e.runAt)))
  );
}

/**
 * UTF-16 code units an SQS message body may not hold: SQS allows #x9, #xA, #xD, #x20–#xD7FF,
 * #xE000–#xFFFD and #x10000–#x10FFFF. `JSON.stringify` never writes a raw control character, so
 * the three allowed ones need no place here. Matched per code unit (no `u` flag), so the surrogate
 * pairs of astral characters (emoji) match too: fauxqs rejects them although SQS does not.
 */
const SQS_UNSAFE_UNITS = /[^ -\uD7FF\uE000-\uFFFD]/g;

/**
 * Encodes an envelope as the message body. `JSON.stringify` already escapes control characters
 * and lone surrogates; every other code unit SQS (or fauxqs) would refuse — U+FFFE, U+FFFF and
 * astral characters — becomes a `\uXXXX` escape, which any JSON reader turns back into the same
 * string. Without it a valid payload such as an emoji subject fails to send.
 */
export function encodeEnvelope(envelope: JobEnvelope): string {
  return JSON.stringify(envelope).replace(
    SQS_UNSAFE_UNITS,
    (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The input of a recurring schedule's target: a firing envelope with Scheduler's placeholders. */
export function encodeFiringTemplate(
  job: Pick<JobDefinition, 'name'>,
  scheduleName: string,
  payload: unknown,
): string {
  const template = {
    version: ENVELOPE_VERSION,
    name: job.name,
    payload,
    enqueuedAt: FIRING_PLACEHOLDERS.scheduledTime,
    attempt: 1,
    continuation: 0,
    firing: { schedule: scheduleName, executionId: FIRING_PLACEHOLDERS.executionId },
  };
  return JSON.stringify(template);
}

/** Fills a firing template as Scheduler would; the local scheduler uses it. */
export function renderFiring(template: string, scheduledAt: Date, executionId: string): string {
  return template
    .replaceAll(FIRING_PLACEHOLDERS.scheduledTime, scheduledAt.toISOString())
    .replaceAll(FIRING_PLACEHOLDERS.executionId, executionId);
}

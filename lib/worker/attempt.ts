/**
 * An attempt: what a record becomes once it is decoded and checked up to its handler — its
 * envelope, job binding, validated payload and attempt number — or, for a record that must not
 * run, its dead-lettering (dead on arrival).
 *
 * Attempt arithmetic (why `maxReceiveCount` = max attempts + `SETTINGS_RULES.receiveAllowance`):
 * - The attempt of a delivery is `envelope.attempt + ApproximateReceiveCount − 1`.
 * - On a standard queue a retry is a *new* message carrying `attempt + 1` and `DelaySeconds` =
 *   the backoff (≤ 900 s), and a record handed back unstarted is re-sent carrying this delivery's
 *   attempt (`copyBody`); either way the original is deleted, so a message is normally received
 *   once and the envelope counts attempts.
 *   A backoff longer than 900 s instead extends the visibility of the same message, whose next
 *   receive then adds one — the formula holds for both.
 * - On a FIFO queue a new message would lose its place in the group, so retries and hand-backs
 *   extend the visibility of the same message; a FIFO hand-back therefore shows up as a receive.
 *   (Jobs on the ledger are protected from double runs by their claim either way.)
 * - A receive that never reported back (the function timed out or ran out of memory) counts as an
 *   attempt: that attempt did start.
 * The worker dead-letters a message itself when an attempt fails at `maxAttempts`, or when a
 * delivery arrives with its attempts already spent (crashes). SQS's redrive policy, at
 * `maxAttempts + receiveAllowance` receives, is the safety net for the cases the worker cannot
 * act in: a process killed again and again, or FIFO hand-backs beyond the allowance.
 */
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { DEAD_LETTER_ATTRIBUTES, DELIVERY_ATTRIBUTES } from '../constants.js';
import {
  EnvelopeError,
  ERROR_CODES,
  JobValidationError,
  PermanentJobError,
  UnknownJobError,
} from '../errors.js';
import type { JobDefinition } from '../jobs/define-job.js';
import { decodeEnvelope, type JobEnvelope } from '../jobs/envelope.js';
import { visibilityTimeoutSeconds } from '../jobs/visibility.js';
import { describeIssues, toValidationIssues } from '../validation.js';
import type { Outcome } from './outcome.js';
import { WORKER_RULES } from './rules.js';
import type { InvocationScope } from './runtime.js';
import { endAsDead, endFromMessage, readSettlement, type Settlement } from './settlement.js';
import { deadLetter, originOf } from './sqs-actions.js';
import type { AttemptRef, JobBinding, JobLedger } from './types.js';

/**
 * A record that passed every check before its handler: its job, envelope, attempt and payload.
 * Internal: the handler sees only its `AttemptContext`.
 */
export class Attempt {
  readonly record: SQSRecord;
  readonly binding: JobBinding;
  readonly envelope: JobEnvelope;
  readonly attempt: number;
  readonly payload: unknown;
  /** The ledger, when the job uses it. */
  readonly ledger: JobLedger | undefined;
  /** The continuation number `continueWith` enqueued, if it was called. */
  continuedAs: number | undefined;
  /** The ledger claim's token, once claimed. */
  token: string | undefined;
  /** The end of this job that an earlier delivery could not write: write it instead of running. */
  readonly settlement: Settlement | undefined;
  #ref: AttemptRef | undefined;

  constructor(
    record: SQSRecord,
    binding: JobBinding,
    envelope: JobEnvelope,
    attempt: number,
    payload: unknown,
    ledger: JobLedger | undefined,
    settlement: Settlement | undefined,
  ) {
    this.record = record;
    this.binding = binding;
    this.envelope = envelope;
    this.attempt = attempt;
    this.payload = payload;
    this.ledger = ledger;
    this.continuedAs = undefined;
    this.token = undefined;
    this.settlement = settlement;
    this.#ref = undefined;
  }

  get job(): JobDefinition {
    return this.binding.job;
  }

  /** Names the attempt to the ledger; a job without one needs it only if the attempt fails. */
  get ref(): AttemptRef {
    this.#ref ??= attemptRef(this.envelope, this.attempt, this.record, this.binding.job);
    return this.#ref;
  }
}

/**
 * Decodes and checks a record up to its handler. Returns the attempt to run, or — for a record
 * that must not run (not an envelope, unknown job, invalid payload, attempts spent) — the promise
 * of its dead-lettering. Synchronous on the common path.
 */
export function prepareAttempt(rt: InvocationScope, record: SQSRecord): Attempt | Promise<Outcome> {
  const { bindings } = rt.worker;
  let envelope: JobEnvelope;
  try {
    envelope = decodeEnvelope(record.body);
  } catch (error) {
    const reason =
      error instanceof EnvelopeError
        ? error
        : new EnvelopeError('Message body is not an envelope', [], { cause: error });
    return deadLetter(rt, record, { jobName: undefined, attempt: receiveCount(record) }, reason);
  }
  const attempt = envelope.attempt + receiveCount(record) - 1;
  const binding = bindings.get(envelope.name);
  const ledger = binding === undefined || binding.job.useLedger ? rt.worker.ledger : undefined;
  const settlement = readSettlement(record);
  if (settlement?.outcome === 'dead') {
    // The job's verdict was reached before; only writing it is left, whatever the message holds now.
    return endFromMessage(
      rt,
      record,
      ledger,
      attemptRef(envelope, attempt, record, binding?.job),
      settlement,
    );
  }
  if (binding === undefined) {
    const error = new UnknownJobError(envelope.name, [...bindings.keys()]);
    const ref = attemptRef(envelope, attempt, record, undefined);
    return endAsDead(rt, record, ledger, ref, error, undefined);
  }
  const job = binding.job;
  const parsed = z.safeParse(job.schema, envelope.payload);
  if (!parsed.success) {
    const issues = toValidationIssues(parsed.error.issues, 'payload');
    const error = new JobValidationError(
      `Invalid payload for job "${job.name}": ${describeIssues(issues)}`,
      issues,
    );
    return endAsDead(rt, record, ledger, attemptRef(envelope, attempt, record, job), error, undefined);
  }
  // A settlement was written by an attempt within the limit: the next delivery only records it.
  if (attempt > job.retry.maxAttempts && settlement === undefined) {
    const error = new PermanentJobError(
      `Job "${job.name}" arrived for attempt ${attempt} of ${job.retry.maxAttempts}: earlier attempts ended without reporting (timeout or crash)`,
      { code: ERROR_CODES.attemptsExhausted },
    );
    return endAsDead(rt, record, ledger, attemptRef(envelope, attempt, record, job), error, undefined);
  }
  return new Attempt(record, binding, envelope, attempt, parsed.data, ledger, settlement);
}

/**
 * Whether a delivery came back from a DLQ on purpose: moved by SQS's move task (it keeps the
 * reason attributes the worker added) or sent back by a selective redrive (which marks it).
 */
function isRedrive(record: SQSRecord): boolean {
  const attributes = record.messageAttributes;
  return (
    attributes?.[DEAD_LETTER_ATTRIBUTES.errorCode] !== undefined ||
    attributes?.[DELIVERY_ATTRIBUTES.redrivenAt] !== undefined
  );
}

function receiveCount(record: SQSRecord): number {
  const count = Number.parseInt(record.attributes.ApproximateReceiveCount, 10);
  return Number.isFinite(count) && count > 0 ? count : 1;
}

function attemptRef(
  envelope: JobEnvelope,
  attempt: number,
  record: SQSRecord,
  job: JobDefinition | undefined,
): AttemptRef {
  return {
    jobId: envelope.jobId,
    jobName: envelope.name,
    attempt,
    continuation: envelope.continuation,
    enqueuedAt: envelope.enqueuedAt,
    messageId: originOf(record),
    leaseMs: (job?.timeoutSeconds ?? 0) * 1000 + WORKER_RULES.leaseSlackMs,
    takeoverAfterMs: job === undefined ? 0 : visibilityTimeoutSeconds(job) * 1000,
    redriven: isRedrive(record),
  };
}

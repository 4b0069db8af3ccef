/**
 * The worker's side of the ledger: the writes of one attempt. A successful attempt costs two —
 * `claim` (the job is taken under a lease token) and `succeed` — and every other outcome one
 * more conditional `UpdateItem` on the job's record, guarded by the token so that a holder whose
 * lease was taken over fails loudly instead of overwriting the new holder.
 *
 * Index keys move only where a listing needs it (see `table.ts`): `claim` and `succeed` keep the
 * record in the status index's `flow` partition and keep its expiry — both follow the record's
 * creation, failure or redrive within one attempt's timeout, and those refresh the expiry — so a
 * successful attempt writes no index but the ones a new record enters.
 */
import { type JobStatus, UNKNOWN_JOB_NAME } from '../constants.js';
import { ConfigError } from '../errors.js';
import { JOB_NAME_MAX_LENGTH, JOB_NAME_PATTERN } from '../jobs/define-job.js';
import { JOB_ID_PATTERN } from '../jobs/envelope.js';
import type { AttemptRef, ClaimRefusal, ClaimResult, DeadOnArrival, JobResult } from '../worker/types.js';
import { ClaimLostError } from './errors.js';
import { Expression } from './expressions.js';
import type { RecordTable } from './record-table.js';
import {
  JOB_ATTRIBUTES as A,
  jobKey,
  LEDGER_DEFAULTS,
  RECORD_KINDS,
  type StoredItem,
  statusOf,
} from './records.js';
import { STATUS_SHELVES } from './table.js';

/** How an attempt failed: retried later (`retryAt`), or dead. */
export interface AttemptFailure {
  readonly status: 'retrying' | 'dead';
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly retryAt?: string;
}

/** Statuses any delivery may claim: never ran, or failed and will retry. */
const CLAIMABLE: readonly JobStatus[] = ['queued', 'scheduled', 'retrying'];
/** …and a redriven one also a dead job. */
const CLAIMABLE_BY_REDRIVE: readonly JobStatus[] = [...CLAIMABLE, 'dead'];
/** Statuses a dead-on-arrival message may overwrite (dead again is harmless). */
const DEAD_ON_ARRIVAL: readonly JobStatus[] = [...CLAIMABLE, 'dead'];
const RECORDED: DeadOnArrival = Object.freeze({ outcome: 'recorded' });

/**
 * Write 1 of a successful attempt. Takes the job under a fresh token with a lease of
 * `ref.leaseMs`, creating the record when the job was sent straight to SQS. DynamoDB evaluates
 * the condition and the write atomically per item, so of two concurrent deliveries exactly one
 * gets `claimed`; the other reads the record and learns why (`busy` until the lease ends, or
 * `done` / `cancelled`).
 */
export async function claim(
  table: RecordTable,
  newToken: () => string,
  ref: AttemptRef,
): Promise<ClaimResult> {
  if (!Number.isFinite(ref.leaseMs) || ref.leaseMs <= 0) {
    throw new ConfigError(`A claim needs a positive lease; got ${ref.leaseMs} ms`);
  }
  for (let round = 1; ; round++) {
    const now = table.now();
    const token = newToken();
    const e = new Expression()
      .set(A.status, 'running')
      .set(A.shelf, STATUS_SHELVES.running)
      .set(A.claimToken, token)
      .set(A.leaseUntil, now.getTime() + ref.leaseMs)
      .set(A.claimMessageId, ref.messageId)
      .set(A.attempts, ref.attempt)
      .set(A.continuation, ref.continuation)
      .set(A.jobId, ref.jobId)
      .set(A.startedAt, now.toISOString())
      .set(A.updatedAt, now.toISOString())
      .setIfNotExists(A.kind, RECORD_KINDS.job)
      .setIfNotExists(A.expiresAt, table.expiry(now))
      .setIfNotExists(A.jobName, ref.jobName)
      .setIfNotExists(A.createdAt, now.toISOString())
      .setIfNotExists(A.enqueuedAt, ref.enqueuedAt)
      .add(A.claims, 1)
      .remove(A.retryAt);
    const condition =
      `${e.notExists(A.partitionKey)} OR (${e.name(A.continuation)} <= ${e.value(ref.continuation)} AND ` +
      `(${e.in(A.status, ref.redriven === true ? CLAIMABLE_BY_REDRIVE : CLAIMABLE)} OR ${leaseEnded(e, now, ref)}))`;
    if (await table.update(jobKey(ref.jobId), e, condition)) return { outcome: 'claimed', token };

    const item = await table.get(jobKey(ref.jobId));
    // The SDK retries a write whose answer was lost; if that write was ours, the claim is ours.
    if (item?.[A.claimToken] === token) return { outcome: 'claimed', token };
    const refusal = item === undefined ? undefined : refusalOf(item, ref, table.now().getTime());
    if (refusal) return refusal;
    // The record changed between the write and the read (its holder just failed, or the
    // cleanup removed it): try again, a bounded number of times.
    if (round >= LEDGER_DEFAULTS.claimRounds) return { outcome: 'busy', retryAfterMs: 1_000 };
  }
}

/**
 * Write 2 of a successful attempt: running → succeeded with the result, ending the lease. The
 * token condition makes a late holder (one whose lease ran out and was taken over) fail loudly
 * instead of overwriting the new holder; repeating it with the same token is harmless.
 * @throws {ClaimLostError}
 */
export async function succeed(
  table: RecordTable,
  ref: AttemptRef,
  token: string,
  result?: JobResult,
): Promise<void> {
  const now = table.now();
  const e = new Expression()
    .set(A.status, 'succeeded')
    .set(A.result, result)
    .set(A.finishedAt, now.toISOString())
    .set(A.updatedAt, now.toISOString())
    .remove(A.leaseUntil);
  const condition = `${e.eq(A.claimToken, token)} AND ${e.in(A.status, ['running', 'succeeded'])}`;
  if (!(await table.update(jobKey(ref.jobId), e, condition))) throw new ClaimLostError(ref.jobId, 'succeed');
}

/** @throws {ClaimLostError} */
export async function fail(
  table: RecordTable,

  ref: AttemptRef,
  token: string,
  failure: AttemptFailure,
): Promise<void> {
  const now = table.now();
  const e = new Expression()
    .set(A.status, failure.status)
    .set(A.shelf, STATUS_SHELVES[failure.status])
    .set(A.lastErrorCode, failure.errorCode)
    .set(A.lastErrorMessage, truncate(failure.errorMessage))
    .set(A.lastErrorAt, now.toISOString())
    .set(A.retryAt, failure.status === 'retrying' ? failure.retryAt : undefined)
    .set(A.finishedAt, failure.status === 'dead' ? now.toISOString() : undefined)
    .set(A.updatedAt, now.toISOString())
    .set(A.expiresAt, table.expiry(now))
    .remove(A.leaseUntil);
  const condition = `${e.eq(A.claimToken, token)} AND ${e.in(A.status, ['running', failure.status])}`;
  if (!(await table.update(jobKey(ref.jobId), e, condition))) throw new ClaimLostError(ref.jobId, 'fail');
}

/** @throws {ClaimLostError} */
export async function continued(
  table: RecordTable,
  ref: AttemptRef,
  token: string,
  nextContinuation: number,
): Promise<void> {
  const now = table.now();
  const e = new Expression()
    .set(A.status, 'queued')
    .set(A.continuation, nextContinuation)
    .set(A.updatedAt, now.toISOString())
    .set(A.expiresAt, table.expiry(now))
    .remove(A.leaseUntil);
  const condition =
    `${e.eq(A.claimToken, token)} AND (${e.eq(A.status, 'running')} OR ` +
    `(${e.eq(A.status, 'queued')} AND ${e.eq(A.continuation, nextContinuation)}))`;
  if (!(await table.update(jobKey(ref.jobId), e, condition))) {
    throw new ClaimLostError(ref.jobId, 'continue');
  }
}

/** Replaces the job's progress; not a transition, but only the claim holder may write it. @throws {ClaimLostError} */
export async function progress(
  table: RecordTable,

  ref: AttemptRef,
  token: string,
  progress: Readonly<Record<string, string | number>>,
): Promise<void> {
  const now = table.now();
  const e = new Expression().set(A.progress, { ...progress }).set(A.updatedAt, now.toISOString());
  const condition = `${e.eq(A.claimToken, token)} AND ${e.eq(A.status, 'running')}`;
  if (!(await table.update(jobKey(ref.jobId), e, condition))) throw new ClaimLostError(ref.jobId, 'progress');
}

/**
 * Marks a job dead whose message could not be run at all. Never overwrites a record that is
 * running, succeeded or cancelled, or a later continuation; a job id that is not one is ignored.
 */
export async function deadOnArrival(
  table: RecordTable,
  ref: Omit<AttemptRef, 'leaseMs'>,
  failure: { readonly errorCode: string; readonly errorMessage: string },
): Promise<DeadOnArrival> {
  if (typeof ref.jobId !== 'string' || !JOB_ID_PATTERN.test(ref.jobId)) return RECORDED;
  const now = table.now();
  const continuation = wholeNumber(ref.continuation);
  const name =
    typeof ref.jobName === 'string' &&
    ref.jobName.length <= JOB_NAME_MAX_LENGTH &&
    JOB_NAME_PATTERN.test(ref.jobName)
      ? ref.jobName
      : UNKNOWN_JOB_NAME;
  const e = new Expression()
    .set(A.status, 'dead')
    .set(A.shelf, STATUS_SHELVES.dead)
    .set(A.jobId, ref.jobId)
    .set(A.kind, RECORD_KINDS.job)
    .set(A.attempts, wholeNumber(ref.attempt))
    .set(A.continuation, continuation)
    .set(A.lastErrorCode, failure.errorCode)
    .set(A.lastErrorMessage, truncate(failure.errorMessage))
    .set(A.lastErrorAt, now.toISOString())
    .set(A.finishedAt, now.toISOString())
    .set(A.updatedAt, now.toISOString())
    .set(A.expiresAt, table.expiry(now))
    .setIfNotExists(A.jobName, name)
    .setIfNotExists(A.createdAt, now.toISOString())
    .setIfNotExists(A.enqueuedAt, typeof ref.enqueuedAt === 'string' ? ref.enqueuedAt : now.toISOString())
    .remove(A.leaseUntil);
  const condition =
    `${e.notExists(A.partitionKey)} OR (${e.name(A.continuation)} <= ${e.value(continuation)} AND ` +
    `(${e.in(A.status, DEAD_ON_ARRIVAL)} OR ${leaseEnded(e, now, ref)}))`;
  if (await table.update(jobKey(ref.jobId), e, condition)) return RECORDED;
  const item = await table.get(jobKey(ref.jobId));
  const refusal = item === undefined ? undefined : refusalOf(item, { ...ref, redriven: true }, now.getTime());
  return refusal === undefined || refusal.outcome === 'dead' ? RECORDED : refusal;
}

/**
 * A `running` record whose holder's lease has ended: its attempt died or could not write its end.
 * Its own message takes it over at once; another message only `takeoverAfterMs` later (see
 * `AttemptRef.takeoverAfterMs`: the holder's end may still be on its way back).
 */
function leaseEnded(
  e: Expression,
  now: Date,
  ref: Pick<AttemptRef, 'messageId' | 'takeoverAfterMs'>,
): string {
  const ownMessage = `(${e.name(A.leaseUntil)} < ${e.value(now.getTime())} AND ${e.eq(A.claimMessageId, ref.messageId)})`;
  const anyMessage = `${e.name(A.leaseUntil)} < ${e.value(now.getTime() - (ref.takeoverAfterMs ?? 0))}`;
  return `(${e.eq(A.status, 'running')} AND (${ownMessage} OR ${anyMessage}))`;
}

/** Why a record refuses a delivery's claim, or undefined when it would accept one now. */
function refusalOf(
  item: StoredItem,
  ref: Pick<AttemptRef, 'continuation' | 'redriven' | 'messageId' | 'takeoverAfterMs'>,
  nowMs: number,
): ClaimRefusal | undefined {
  const status = statusOf(item);
  const stored = item[A.continuation];
  const continuation = typeof stored === 'number' ? stored : 0;
  if (continuation > ref.continuation) return { outcome: 'done', status: status ?? 'succeeded' };
  if (status === 'succeeded') return { outcome: 'done', status };
  if (status === 'cancelled') return { outcome: 'cancelled' };
  if (status === 'dead' && ref.redriven !== true) {
    const code = item[A.lastErrorCode];
    const message = item[A.lastErrorMessage];
    return {
      outcome: 'dead',
      errorCode: typeof code === 'string' ? code : 'DEAD',
      errorMessage: typeof message === 'string' ? message : 'The job is dead',
    };
  }
  const lease = item[A.leaseUntil];
  if (status === 'running' && typeof lease === 'number') {
    const ownMessage = item[A.claimMessageId] === ref.messageId;
    const free = ownMessage ? lease : lease + (ref.takeoverAfterMs ?? 0);
    if (free >= nowMs) return { outcome: 'busy', retryAfterMs: Math.max(1, free - nowMs) };
  }
  return undefined;
}

function truncate(message: string): string {
  const text = typeof message === 'string' ? message : String(message);
  return text.length > LEDGER_DEFAULTS.errorMessageLength
    ? `${text.slice(0, LEDGER_DEFAULTS.errorMessageLength - 1)}…`
    : text;
}

function wholeNumber(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}

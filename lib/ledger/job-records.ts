/**
 * The producers' side of the ledger: a job's record written when it is enqueued, read, cancelled
 * before it starts, and put back to `queued` by a redrive.
 */
import type { JobStatus } from '../constants.js';
import { JOB_ID_PATTERN } from '../jobs/envelope.js';
import { JobAlreadyStartedError, JobNotFoundError } from './errors.js';
import { Expression } from './expressions.js';
import type { RecordTable } from './record-table.js';
import {
  JOB_ATTRIBUTES as A,
  isJobStatus,
  type JobRecord,
  jobKey,
  RECORD_KINDS,
  statusOf,
  toJobRecord,
  withoutUndefined,
} from './records.js';
import { STATUS_SHELVES } from './table.js';

/** A job record the API writes once the job is on its queue or its schedule. */
export interface NewJobRecord {
  readonly jobId: string;
  readonly name: string;
  readonly status: 'queued' | 'scheduled';
  readonly runAt?: string;
  readonly idempotencyKey?: string;
  readonly correlationId?: string;
}

export interface CancelResult {
  readonly record: JobRecord;
  /** `scheduled` means a one-time schedule may still hold the job; `cancelled` means it was cancelled before. */
  readonly previousStatus: JobStatus;
}

/** Statuses a cancel may leave: the job has not started. */
const CANCELLABLE: readonly JobStatus[] = ['queued', 'scheduled'];

export async function createJob(table: RecordTable, job: NewJobRecord): Promise<boolean> {
  const now = table.now();
  const runAt = job.runAt === undefined ? undefined : new Date(job.runAt);
  const expiresFrom = runAt && runAt.getTime() > now.getTime() ? runAt : now;
  const item = withoutUndefined({
    ...jobKey(job.jobId),
    [A.kind]: RECORD_KINDS.job,
    [A.jobId]: job.jobId,
    [A.jobName]: job.name,
    [A.status]: job.status,
    [A.shelf]: STATUS_SHELVES[job.status],
    [A.attempts]: 0,
    [A.claims]: 0,
    [A.continuation]: 0,
    [A.createdAt]: now.toISOString(),
    [A.updatedAt]: now.toISOString(),
    [A.enqueuedAt]: now.toISOString(),
    [A.runAt]: job.runAt,
    [A.idempotencyKey]: job.idempotencyKey,
    [A.correlationId]: job.correlationId,
    [A.expiresAt]: table.expiry(expiresFrom),
  });
  const e = new Expression();
  return table.put(item, e.notExists(A.partitionKey), e);
}

export async function getJob(table: RecordTable, jobId: string): Promise<JobRecord | undefined> {
  if (!JOB_ID_PATTERN.test(jobId)) return undefined;
  const item = await table.get(jobKey(jobId));
  return item && statusOf(item) !== undefined ? toJobRecord(item) : undefined;
}

/**
 * Records that a dead job was sent back to its queue (a DLQ redrive): `dead` → `queued`, with a
 * fresh expiry. Any other status is left alone (a duplicate redrive, or a job that ran since).
 *
 * @returns whether the record changed.
 */
export async function recordRedrive(table: RecordTable, job: { readonly jobId: string }): Promise<boolean> {
  if (!JOB_ID_PATTERN.test(job.jobId)) return false;
  const now = table.now();
  const e = new Expression()
    .set(A.status, 'queued')
    .set(A.shelf, STATUS_SHELVES.queued)
    .set(A.updatedAt, now.toISOString())
    .set(A.expiresAt, table.expiry(now));
  return table.update(jobKey(job.jobId), e, e.in(A.status, ['dead']));
}

export async function cancelJob(table: RecordTable, jobId: string): Promise<CancelResult> {
  if (!JOB_ID_PATTERN.test(jobId)) throw new JobNotFoundError(jobId);
  const now = table.now();
  const e = new Expression()
    .copy(A.cancelledFrom, A.status)
    .set(A.status, 'cancelled')
    .set(A.shelf, STATUS_SHELVES.cancelled)
    .set(A.finishedAt, now.toISOString())
    .set(A.updatedAt, now.toISOString())
    .set(A.expiresAt, table.expiry(now));
  const condition = e.in(A.status, CANCELLABLE);
  const item = await table.updateReturning(jobKey(jobId), e, condition);
  if (item !== undefined) {
    const previous = item[A.cancelledFrom];
    return { record: toJobRecord(item), previousStatus: isJobStatus(previous) ? previous : 'queued' };
  }
  const record = await getJob(table, jobId);
  if (!record) throw new JobNotFoundError(jobId);
  if (record.status === 'cancelled') return { record, previousStatus: 'cancelled' };
  throw new JobAlreadyStartedError(jobId, record.status);
}

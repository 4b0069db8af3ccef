import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from '../config/aws-client.js';
import type { JobStatus } from '../constants.js';
import { ConfigError } from '../errors.js';
import { JOB_NAME_MAX_LENGTH, JOB_NAME_PATTERN } from '../jobs/define-job.js';
import { JOB_ID_PATTERN } from '../jobs/envelope.js';
import type { AttemptRef, ClaimResult, JobLedger, JobResult } from '../worker/types.js';
import {
  ClaimLostError,
  IdempotencyKeyInUseError,
  JobAlreadyStartedError,
  JobNotFoundError,
} from './errors.js';
import { Expression } from './expressions.js';
import { type JobListQuery, type JobPage, listJobs } from './listing.js';
import {
  JOB_ATTRIBUTES as A,
  epochSeconds,
  idempotencyRecordKey,
  isJobStatus,
  type JobRecord,
  jobKey,
  LEDGER_DEFAULTS,
  RECORD_KINDS,
  type RecordKey,
  type StoredItem,
  statusOf,
  toJobRecord,
  withoutUndefined,
} from './records.js';

/** A job record the API writes once the job is on its queue or its schedule. */
export interface NewJobRecord {
  readonly jobId: string;
  readonly name: string;
  readonly status: 'queued' | 'scheduled';
  readonly runAt?: string;
  readonly idempotencyKey?: string;
  readonly correlationId?: string;
}

export interface KeyReservation {
  readonly key: string;
  /** A hash of the request the key guards; a repeat with another hash is a conflict. */
  readonly requestHash: string;
  /** The job id the key will answer with. */
  readonly jobId: string;
}

export type KeyReservationResult =
  | { readonly reserved: true }
  | {
      readonly reserved: false;
      readonly jobId: string;
      readonly requestHash: string;
      readonly createdAt: string;
    };

export interface CancelResult {
  readonly record: JobRecord;
  /** `scheduled` means a one-time schedule may still hold the job; `cancelled` means it was cancelled before. */
  readonly previousStatus: JobStatus;
}

/**
 * What producers (the API, the job service) need from the ledger besides the worker's port.
 * `DynamoJobLedger` implements both.
 */
export interface JobStore {
  /** Writes a new record; false when one exists already (a worker received the job first). */
  createJob(job: NewJobRecord): Promise<boolean>;
  getJob(jobId: string): Promise<JobRecord | undefined>;
  /** @throws {JobValidationError} for a bad limit or cursor. */
  listJobs(query: JobListQuery): Promise<JobPage>;
  /**
   * `queued`/`scheduled` → `cancelled`; cancelling a cancelled job again is not an error.
   * @throws {JobNotFoundError} @throws {JobAlreadyStartedError}
   */
  cancelJob(jobId: string): Promise<CancelResult>;
  /** Claims an idempotency key for a job id, or returns who holds it. */
  reserveIdempotencyKey(reservation: KeyReservation): Promise<KeyReservationResult>;
  /** Frees a key whose job could not be sent, so that a retry with the key can send it. */
  releaseIdempotencyKey(key: string, jobId: string): Promise<void>;
}

export interface DynamoJobLedgerOptions {
  readonly tableName: string;
  /** @default a DynamoDBDocumentClient over a new DynamoDBClient with `awsClientConfig()` (AWS_CLIENT_TIMEOUTS) */
  readonly client?: DynamoDBDocumentClient | DynamoDBClient;
  /** @default LEDGER_DEFAULTS.retentionSeconds */
  readonly retentionSeconds?: number;
  /** @default LEDGER_DEFAULTS.idempotencyKeySeconds */
  readonly idempotencyKeySeconds?: number;
  readonly now?: () => Date;
  readonly newToken?: () => string;
}

const OPTION_KEYS: readonly (keyof DynamoJobLedgerOptions)[] = [
  'tableName',
  'client',
  'retentionSeconds',
  'idempotencyKeySeconds',
  'now',
  'newToken',
];

/** Statuses a delivery may claim: never ran, failed and will retry, or dead and redriven. */
const CLAIMABLE: readonly JobStatus[] = ['queued', 'scheduled', 'retrying', 'dead'];
/** Statuses a cancel may leave: the job has not started. */
const CANCELLABLE: readonly JobStatus[] = ['queued', 'scheduled'];
/** Recorded as the name of a dead-on-arrival message whose name is not a job name. */
export const UNKNOWN_JOB_NAME = '(unknown)';

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * The job ledger on one DynamoDB table (TABLE_SPEC). Every status transition is one conditional
 * `UpdateItem`; a successful attempt costs two writes: `claim` (queued → running, under a lease
 * token) and `succeed` (running → succeeded, with the result). Listings query the `by-status` and
 * `by-name` indexes, never scan. No transactions: dynalite has none, and no operation needs two
 * items to change together.
 *
 * @example
 * const ledger = new DynamoJobLedger({ tableName: process.env.HANGAR_TABLE_NAME });
 * export const handler = createWorker({ jobs: [handle(emailSend, sendEmail)], ledger });
 */
export class DynamoJobLedger implements JobLedger, JobStore {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;
  readonly #retentionSeconds: number;
  readonly #idempotencyKeySeconds: number;
  readonly #now: () => Date;
  readonly #newToken: () => string;

  constructor(options: DynamoJobLedgerOptions) {
    const unknown = Object.keys(options).filter((key) => !(OPTION_KEYS as readonly string[]).includes(key));
    if (unknown.length > 0) throw new ConfigError(`Unknown DynamoJobLedger option(s): ${unknown.join(', ')}`);
    if (typeof options.tableName !== 'string' || options.tableName === '') {
      throw new ConfigError('DynamoJobLedger needs a tableName');
    }
    this.#tableName = options.tableName;
    const client = options.client ?? new DynamoDBClient(awsClientConfig());
    this.#client =
      client instanceof DynamoDBDocumentClient
        ? client
        : DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.#retentionSeconds = options.retentionSeconds ?? LEDGER_DEFAULTS.retentionSeconds;
    this.#idempotencyKeySeconds = options.idempotencyKeySeconds ?? LEDGER_DEFAULTS.idempotencyKeySeconds;
    this.#now = options.now ?? (() => new Date());
    this.#newToken = options.newToken ?? randomUUID;
  }

  // ---- The worker's port ------------------------------------------------------------------

  /**
   * Write 1 of a successful attempt. Takes the job under a fresh token with a lease of
   * `ref.leaseMs`, creating the record when the job was sent straight to SQS. DynamoDB evaluates
   * the condition and the write atomically per item, so of two concurrent deliveries exactly one
   * gets `claimed`; the other reads the record and learns why (`busy` until the lease ends, or
   * `done` / `cancelled`).
   */
  async claim(ref: AttemptRef): Promise<ClaimResult> {
    if (!Number.isFinite(ref.leaseMs) || ref.leaseMs <= 0) {
      throw new ConfigError(`A claim needs a positive lease; got ${ref.leaseMs} ms`);
    }
    for (let round = 1; ; round++) {
      const now = this.#now();
      const token = this.#newToken();
      const e = new Expression()
        .set(A.status, 'running')
        .set(A.claimToken, token)
        .set(A.leaseUntil, now.getTime() + ref.leaseMs)
        .set(A.claimMessageId, ref.messageId)
        .set(A.attempts, ref.attempt)
        .set(A.continuation, ref.continuation)
        .set(A.jobId, ref.jobId)
        .set(A.kind, RECORD_KINDS.job)
        .set(A.startedAt, now.toISOString())
        .set(A.updatedAt, now.toISOString())
        .set(A.expiresAt, this.#expiry(now))
        .setIfNotExists(A.jobName, ref.jobName)
        .setIfNotExists(A.createdAt, now.toISOString())
        .setIfNotExists(A.enqueuedAt, ref.enqueuedAt)
        .add(A.claims, 1)
        .remove(A.retryAt);
      const condition =
        `${e.notExists(A.partitionKey)} OR (${e.name(A.continuation)} <= ${e.value(ref.continuation)} AND ` +
        `(${e.in(A.status, CLAIMABLE)} OR (${e.eq(A.status, 'running')} AND ${e.name(A.leaseUntil)} < ${e.value(now.getTime())})))`;
      if (await this.#update(jobKey(ref.jobId), e, condition)) return { outcome: 'claimed', token };

      const item = await this.#get(jobKey(ref.jobId));
      // The SDK retries a write whose answer was lost; if that write was ours, the claim is ours.
      if (item?.[A.claimToken] === token) return { outcome: 'claimed', token };
      const refusal = item === undefined ? undefined : refusalOf(item, ref, this.#now().getTime());
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
  async succeed(ref: AttemptRef, token: string, result?: JobResult): Promise<void> {
    const now = this.#now();
    const e = new Expression()
      .set(A.status, 'succeeded')
      .set(A.result, result)
      .set(A.finishedAt, now.toISOString())
      .set(A.updatedAt, now.toISOString())
      .set(A.expiresAt, this.#expiry(now))
      .remove(A.leaseUntil);
    const condition = `${e.eq(A.claimToken, token)} AND ${e.in(A.status, ['running', 'succeeded'])}`;
    if (!(await this.#update(jobKey(ref.jobId), e, condition)))
      throw new ClaimLostError(ref.jobId, 'succeed');
  }

  /** @throws {ClaimLostError} */
  async fail(
    ref: AttemptRef,
    token: string,
    failure: {
      readonly status: 'retrying' | 'dead';
      readonly errorCode: string;
      readonly errorMessage: string;
      readonly retryAt?: string;
    },
  ): Promise<void> {
    const now = this.#now();
    const e = new Expression()
      .set(A.status, failure.status)
      .set(A.lastErrorCode, failure.errorCode)
      .set(A.lastErrorMessage, truncate(failure.errorMessage))
      .set(A.lastErrorAt, now.toISOString())
      .set(A.retryAt, failure.status === 'retrying' ? failure.retryAt : undefined)
      .set(A.finishedAt, failure.status === 'dead' ? now.toISOString() : undefined)
      .set(A.updatedAt, now.toISOString())
      .set(A.expiresAt, this.#expiry(now))
      .remove(A.leaseUntil);
    const condition = `${e.eq(A.claimToken, token)} AND ${e.in(A.status, ['running', failure.status])}`;
    if (!(await this.#update(jobKey(ref.jobId), e, condition))) throw new ClaimLostError(ref.jobId, 'fail');
  }

  /** @throws {ClaimLostError} */
  async continued(ref: AttemptRef, token: string, nextContinuation: number): Promise<void> {
    const now = this.#now();
    const e = new Expression()
      .set(A.status, 'queued')
      .set(A.continuation, nextContinuation)
      .set(A.updatedAt, now.toISOString())
      .set(A.expiresAt, this.#expiry(now))
      .remove(A.leaseUntil);
    const condition =
      `${e.eq(A.claimToken, token)} AND (${e.eq(A.status, 'running')} OR ` +
      `(${e.eq(A.status, 'queued')} AND ${e.eq(A.continuation, nextContinuation)}))`;
    if (!(await this.#update(jobKey(ref.jobId), e, condition))) {
      throw new ClaimLostError(ref.jobId, 'continue');
    }
  }

  /** Replaces the job's progress; not a transition, but only the claim holder may write it. @throws {ClaimLostError} */
  async progress(
    ref: AttemptRef,
    token: string,
    progress: Readonly<Record<string, string | number>>,
  ): Promise<void> {
    const now = this.#now();
    const e = new Expression().set(A.progress, { ...progress }).set(A.updatedAt, now.toISOString());
    const condition = `${e.eq(A.claimToken, token)} AND ${e.eq(A.status, 'running')}`;
    if (!(await this.#update(jobKey(ref.jobId), e, condition)))
      throw new ClaimLostError(ref.jobId, 'progress');
  }

  /**
   * Marks a job dead whose message could not be run at all. Never overwrites a record that is
   * running, succeeded or cancelled, or a later continuation; a job id that is not one is ignored.
   */
  async deadOnArrival(
    ref: Omit<AttemptRef, 'leaseMs'>,
    failure: { readonly errorCode: string; readonly errorMessage: string },
  ): Promise<void> {
    if (typeof ref.jobId !== 'string' || !JOB_ID_PATTERN.test(ref.jobId)) return;
    const now = this.#now();
    const continuation = wholeNumber(ref.continuation);
    const name =
      typeof ref.jobName === 'string' &&
      ref.jobName.length <= JOB_NAME_MAX_LENGTH &&
      JOB_NAME_PATTERN.test(ref.jobName)
        ? ref.jobName
        : UNKNOWN_JOB_NAME;
    const e = new Expression()
      .set(A.status, 'dead')
      .set(A.jobId, ref.jobId)
      .set(A.kind, RECORD_KINDS.job)
      .set(A.attempts, wholeNumber(ref.attempt))
      .set(A.continuation, continuation)
      .set(A.lastErrorCode, failure.errorCode)
      .set(A.lastErrorMessage, truncate(failure.errorMessage))
      .set(A.lastErrorAt, now.toISOString())
      .set(A.finishedAt, now.toISOString())
      .set(A.updatedAt, now.toISOString())
      .set(A.expiresAt, this.#expiry(now))
      .setIfNotExists(A.jobName, name)
      .setIfNotExists(A.createdAt, now.toISOString())
      .setIfNotExists(A.enqueuedAt, typeof ref.enqueuedAt === 'string' ? ref.enqueuedAt : now.toISOString())
      .remove(A.leaseUntil);
    const condition =
      `${e.notExists(A.partitionKey)} OR (${e.name(A.continuation)} <= ${e.value(continuation)} AND ` +
      `${e.in(A.status, CLAIMABLE)})`;
    await this.#update(jobKey(ref.jobId), e, condition);
  }

  // ---- Producers' side --------------------------------------------------------------------

  async createJob(job: NewJobRecord): Promise<boolean> {
    const now = this.#now();
    const runAt = job.runAt === undefined ? undefined : new Date(job.runAt);
    const expiresFrom = runAt && runAt.getTime() > now.getTime() ? runAt : now;
    const item = withoutUndefined({
      ...jobKey(job.jobId),
      [A.kind]: RECORD_KINDS.job,
      [A.jobId]: job.jobId,
      [A.jobName]: job.name,
      [A.status]: job.status,
      [A.attempts]: 0,
      [A.claims]: 0,
      [A.continuation]: 0,
      [A.createdAt]: now.toISOString(),
      [A.updatedAt]: now.toISOString(),
      [A.enqueuedAt]: now.toISOString(),
      [A.runAt]: job.runAt,
      [A.idempotencyKey]: job.idempotencyKey,
      [A.correlationId]: job.correlationId,
      [A.expiresAt]: this.#expiry(expiresFrom),
    });
    const e = new Expression();
    return this.#put(item, e.notExists(A.partitionKey), e);
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    if (!JOB_ID_PATTERN.test(jobId)) return undefined;
    const item = await this.#get(jobKey(jobId));
    return item && statusOf(item) !== undefined ? toJobRecord(item) : undefined;
  }

  /**
   * Records that a dead job was sent back to its queue (a DLQ redrive): `dead` → `queued`, with a
   * fresh expiry. Any other status is left alone (a duplicate redrive, or a job that ran since).
   *
   * @returns whether the record changed.
   */
  async recordRedrive(job: { readonly jobId: string }): Promise<boolean> {
    if (!JOB_ID_PATTERN.test(job.jobId)) return false;
    const now = this.#now();
    const e = new Expression()
      .set(A.status, 'queued')
      .set(A.updatedAt, now.toISOString())
      .set(A.expiresAt, this.#expiry(now));
    return this.#update(jobKey(job.jobId), e, e.in(A.status, ['dead']));
  }

  async cancelJob(jobId: string): Promise<CancelResult> {
    if (!JOB_ID_PATTERN.test(jobId)) throw new JobNotFoundError(jobId);
    const now = this.#now();
    const e = new Expression()
      .copy(A.cancelledFrom, A.status)
      .set(A.status, 'cancelled')
      .set(A.finishedAt, now.toISOString())
      .set(A.updatedAt, now.toISOString())
      .set(A.expiresAt, this.#expiry(now));
    const condition = e.in(A.status, CANCELLABLE);
    try {
      const out = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: jobKey(jobId),
          UpdateExpression: e.updateExpression(),
          ConditionExpression: condition,
          ReturnValues: 'ALL_NEW',
          ...e.attributes(),
        }),
      );
      const item: StoredItem = out.Attributes ?? {};
      const previous = item[A.cancelledFrom];
      return { record: toJobRecord(item), previousStatus: isJobStatus(previous) ? previous : 'queued' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const record = await this.getJob(jobId);
    if (!record) throw new JobNotFoundError(jobId);
    if (record.status === 'cancelled') return { record, previousStatus: 'cancelled' };
    throw new JobAlreadyStartedError(jobId, record.status);
  }

  async listJobs(query: JobListQuery): Promise<JobPage> {
    return listJobs(
      (input) => this.#client.send(new QueryCommand({ ...input, TableName: this.#tableName })),
      query,
    );
  }

  async reserveIdempotencyKey(reservation: KeyReservation): Promise<KeyReservationResult> {
    const key = idempotencyRecordKey(reservation.key);
    for (let round = 1; ; round++) {
      const now = this.#now();
      const e = new Expression();
      // An expired key that TTL has not deleted yet (AWS takes up to days) is free again.
      const condition = `${e.notExists(A.partitionKey)} OR ${e.name(A.expiresAt)} < ${e.value(epochSeconds(now))}`;
      const item = {
        ...key,
        [A.kind]: RECORD_KINDS.idempotencyKey,
        [A.jobId]: reservation.jobId,
        [A.requestHash]: reservation.requestHash,
        [A.createdAt]: now.toISOString(),
        [A.expiresAt]: epochSeconds(now) + this.#idempotencyKeySeconds,
      };
      if (await this.#put(item, condition, e)) return { reserved: true };
      const existing = await this.#get(key);
      if (existing) {
        return {
          reserved: false,
          jobId: String(existing[A.jobId] ?? ''),
          requestHash: String(existing[A.requestHash] ?? ''),
          createdAt: String(existing[A.createdAt] ?? ''),
        };
      }
      // Deleted between our write and our read (released by its holder): try once more.
      if (round >= 2) throw new IdempotencyKeyInUseError();
    }
  }

  async releaseIdempotencyKey(key: string, jobId: string): Promise<void> {
    const e = new Expression();
    const condition = e.eq(A.jobId, jobId);
    try {
      await this.#client.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: idempotencyRecordKey(key),
          ConditionExpression: condition,
          ...e.attributes(),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  // ---- Internals --------------------------------------------------------------------------

  #expiry(from: Date): number {
    return epochSeconds(from) + this.#retentionSeconds;
  }

  /** One conditional update; false when the condition did not hold. */
  async #update(key: RecordKey, e: Expression, condition: string): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: key,
          UpdateExpression: e.updateExpression(),
          ConditionExpression: condition,
          ...e.attributes(),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async #put(item: Record<string, unknown>, condition: string, e: Expression): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: item,
          ConditionExpression: condition,
          ...e.attributes(),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async #get(key: RecordKey): Promise<StoredItem | undefined> {
    const out = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }
}

/** Why a record refuses a delivery's claim, or undefined when it would accept one now. */
function refusalOf(
  item: StoredItem,
  ref: AttemptRef,
  nowMs: number,
): Exclude<ClaimResult, { outcome: 'claimed' }> | undefined {
  const status = statusOf(item);
  const stored = item[A.continuation];
  const continuation = typeof stored === 'number' ? stored : 0;
  if (continuation > ref.continuation) return { outcome: 'done', status: status ?? 'succeeded' };
  if (status === 'succeeded') return { outcome: 'done', status };
  if (status === 'cancelled') return { outcome: 'cancelled' };
  const lease = item[A.leaseUntil];
  if (status === 'running' && typeof lease === 'number' && lease >= nowMs) {
    return { outcome: 'busy', retryAfterMs: Math.max(1, lease - nowMs) };
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

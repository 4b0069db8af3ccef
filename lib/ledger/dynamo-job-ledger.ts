/**
 * `DynamoJobLedger`: the job ledger on one DynamoDB table (`LEDGER_TABLE`), implementing both the
 * worker's port (`JobLedger`: the writes of an attempt, in `attempt-writes.ts`) and the
 * producers' (`JobStore`: records, listings, cancel and idempotency keys, in `job-records.ts`,
 * `listing.ts` and `idempotency-keys.ts`). Every status change is one conditional write; no
 * transactions (dynalite has none, and no operation needs two items to change together).
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { JobStatus } from '../constants.js';
import { anyOption, checkOptions, functionOption, type OptionsShape } from '../options.js';
import type { AttemptRef, ClaimResult, DeadOnArrival, JobLedger, JobResult } from '../worker/types.js';
import * as attempts from './attempt-writes.js';
import { type BackfillResult, backfillShelves } from './backfill.js';
import { documentClientOf } from './document-client.js';
import {
  jobIdOfKey,
  type KeyReservation,
  type KeyReservationResult,
  releaseIdempotencyKey,
  reserveIdempotencyKey,
} from './idempotency-keys.js';
import type { CancelResult, NewJobRecord } from './job-records.js';
import * as records from './job-records.js';
import {
  countJobs,
  type JobCount,
  type JobListQuery,
  type JobPage,
  type ListingReads,
  listJobs,
} from './listing.js';
import { RecordTable } from './record-table.js';
import { type JobRecord, LEDGER_DEFAULTS } from './records.js';
import { indexLayout, LEDGER_INDEX_SETS, type LedgerIndexSet } from './table.js';

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
  /**
   * The indexes listings read: `legacy` only on a stage still stepping from the older index set
   * (`LEDGER_INDEX_STEPS`); every write serves both.
   * @default 'current'
   */
  readonly indexes?: LedgerIndexSet;
}

const OPTIONS_SCHEMA = z.strictObject({
  tableName: z.string().check(z.minLength(1, "is required: the ledger table's name")),
  client: anyOption,
  retentionSeconds: z.optional(z.int().check(z.minimum(1))),
  idempotencyKeySeconds: z.optional(z.int().check(z.minimum(1))),
  now: functionOption,
  newToken: functionOption,
  indexes: z.optional(z.enum(LEDGER_INDEX_SETS)),
} satisfies OptionsShape<DynamoJobLedgerOptions>);

/**
 * The job ledger on DynamoDB. A successful attempt costs two writes: `claim` (queued → running,
 * under a lease token) and `succeed` (running → succeeded, with the result). Listings query the
 * status and name indexes (keys only) and read the records they point to, never scan.
 *
 * @example
 * const ledger = new DynamoJobLedger({ tableName: process.env.HANGAR_TABLE_NAME });
 * export const handler = createWorker({ jobs: [handle(emailSend, sendEmail)], ledger });
 */
export class DynamoJobLedger implements JobLedger, JobStore {
  readonly #table: RecordTable;
  readonly #idempotencyKeySeconds: number;
  readonly #newToken: () => string;
  readonly #reads: ListingReads;

  constructor(options: DynamoJobLedgerOptions) {
    checkOptions('DynamoJobLedger', OPTIONS_SCHEMA, options);
    this.#table = new RecordTable({
      client: documentClientOf(options.client),
      tableName: options.tableName,
      retentionSeconds: options.retentionSeconds ?? LEDGER_DEFAULTS.retentionSeconds,
      now: options.now ?? (() => new Date()),
    });
    this.#idempotencyKeySeconds = options.idempotencyKeySeconds ?? LEDGER_DEFAULTS.idempotencyKeySeconds;
    this.#newToken = options.newToken ?? randomUUID;
    this.#reads = {
      query: (input) => this.#table.query(input),
      read: (keys) => this.#table.getMany(keys),
      layout: indexLayout(options.indexes ?? 'current'),
    };
  }

  // The worker's port: see attempt-writes.ts for each write and its condition.

  claim(ref: AttemptRef): Promise<ClaimResult> {
    return attempts.claim(this.#table, this.#newToken, ref);
  }

  succeed(ref: AttemptRef, token: string, result?: JobResult): Promise<void> {
    return attempts.succeed(this.#table, ref, token, result);
  }

  fail(ref: AttemptRef, token: string, failure: attempts.AttemptFailure): Promise<void> {
    return attempts.fail(this.#table, ref, token, failure);
  }

  continued(ref: AttemptRef, token: string, nextContinuation: number): Promise<void> {
    return attempts.continued(this.#table, ref, token, nextContinuation);
  }

  progress(
    ref: AttemptRef,
    token: string,
    progress: Readonly<Record<string, string | number>>,
  ): Promise<void> {
    return attempts.progress(this.#table, ref, token, progress);
  }

  deadOnArrival(
    ref: Omit<AttemptRef, 'leaseMs'>,
    failure: { readonly errorCode: string; readonly errorMessage: string },
  ): Promise<DeadOnArrival> {
    return attempts.deadOnArrival(this.#table, ref, failure);
  }

  // The producers' side.

  createJob(job: NewJobRecord): Promise<boolean> {
    return records.createJob(this.#table, job);
  }

  getJob(jobId: string): Promise<JobRecord | undefined> {
    return records.getJob(this.#table, jobId);
  }

  recordRedrive(job: { readonly jobId: string }): Promise<boolean> {
    return records.recordRedrive(this.#table, job);
  }

  cancelJob(jobId: string): Promise<CancelResult> {
    return records.cancelJob(this.#table, jobId);
  }

  listJobs(query: JobListQuery): Promise<JobPage> {
    return listJobs(this.#reads, query);
  }

  /** Jobs in each status, counted up to `cap` (the status index; operators' overviews). */
  countJobs(cap: number): Promise<Record<JobStatus, JobCount>> {
    return countJobs(this.#reads, cap);
  }

  /**
   * The job an idempotency key answers with, while the key is kept (`idempotencyKeySeconds`):
   * one read of the key's record, then of the job's.
   */
  async findJobByIdempotencyKey(key: string): Promise<JobRecord | undefined> {
    const jobId = await jobIdOfKey(this.#table, key);
    return jobId === undefined ? undefined : this.getJob(jobId);
  }

  /**
   * Gives job records written before the index redesign their `shelf`, through the legacy status
   * index (`LEDGER_INDEX_STEPS`: run once, after the last index is added).
   */
  backfillShelves(onPage?: (progress: BackfillResult) => void): Promise<BackfillResult> {
    return backfillShelves(this.#table, onPage);
  }

  reserveIdempotencyKey(reservation: KeyReservation): Promise<KeyReservationResult> {
    return reserveIdempotencyKey(this.#table, this.#idempotencyKeySeconds, reservation);
  }

  releaseIdempotencyKey(key: string, jobId: string): Promise<void> {
    return releaseIdempotencyKey(this.#table, key, jobId);
  }
}

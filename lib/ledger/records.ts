/**
 * What the ledger table holds and how records are keyed. Job records and idempotency keys share
 * the table (TABLE_SPEC); only job records carry `shelf` and `jobName`, so only they appear in
 * the status and name indexes, and every record carries `kind` and `expiresAt` for the expiry
 * index the cleanup job reads.
 */
import { createHash } from 'node:crypto';
import { JOB_STATUSES, type JobStatus } from '../constants.js';
import type { JobResult } from '../worker/types.js';
import { TABLE_ATTRIBUTES } from './table.js';

/** Values of the `kind` attribute: the partition of the expiry index (`records-by-expiry`). */
export const RECORD_KINDS = {
  job: 'job',
  idempotencyKey: 'idempotency',
} as const;
export type RecordKind = (typeof RECORD_KINDS)[keyof typeof RECORD_KINDS];

/** Ledger defaults; each `@default` of `DynamoJobLedgerOptions` names one. */
export const LEDGER_DEFAULTS = {
  /**
   * Job records expire this long after their creation (or run-at), last failure, continuation,
   * cancel or redrive — longer than a message can wait in its queue and DLQ (14 days).
   */
  retentionSeconds: 30 * 86_400,
  /** Idempotency keys are honoured this long after their first use. */
  idempotencyKeySeconds: 86_400,
  /** Page size of a listing when the caller gives none, and the largest one allowed. */
  listLimit: 25,
  maxListLimit: 100,
  /** Queries one filtered listing page may spend before it returns a short page with a cursor. */
  filteredQueryBudget: 10,
  /**
   * Error messages are cut to this many characters: a failed job's record stays within one write
   * unit (1 KB) with room for its keys, times and labels; the whole message is in the logs.
   */
  errorMessageLength: 256,
  /** Claim writes one delivery tries when the record changes under it between write and read. */
  claimRounds: 3,
} as const;

/** Attribute names of job records beyond the keys and index attributes of TABLE_ATTRIBUTES. */
export const JOB_ATTRIBUTES = {
  ...TABLE_ATTRIBUTES,
  jobId: 'jobId',
  updatedAt: 'updatedAt',
  enqueuedAt: 'enqueuedAt',
  runAt: 'runAt',
  attempts: 'attempts',
  claims: 'claims',
  continuation: 'continuation',
  startedAt: 'startedAt',
  finishedAt: 'finishedAt',
  retryAt: 'retryAt',
  lastErrorCode: 'lastErrorCode',
  lastErrorMessage: 'lastErrorMessage',
  lastErrorAt: 'lastErrorAt',
  progress: 'progress',
  result: 'result',
  claimToken: 'claimToken',
  leaseUntil: 'leaseUntil',
  claimMessageId: 'claimMessageId',
  cancelledFrom: 'cancelledFrom',
  idempotencyKey: 'idempotencyKey',
  correlationId: 'correlationId',
  requestHash: 'requestHash',
} as const;

const A = JOB_ATTRIBUTES;

export interface RecordKey {
  readonly [key: string]: string;
}

/** `job#<id>` / `job`: one item per job; a continuation updates the same item. */
export function jobKey(jobId: string): RecordKey {
  return { [A.partitionKey]: `job#${jobId}`, [A.sortKey]: RECORD_KINDS.job };
}

/**
 * `idempotency#<sha-256 of the key>`: keys of any length and any characters (lone surrogates
 * included, hashed as UTF-16) map to a fixed-size partition key.
 */
export function idempotencyRecordKey(key: string): RecordKey {
  const digest = createHash('sha256').update(Buffer.from(key, 'utf16le')).digest('hex');
  return { [A.partitionKey]: `idempotency#${digest}`, [A.sortKey]: RECORD_KINDS.idempotencyKey };
}

/** A job's ledger record as the API and the CLI show it: no payload, no claim internals. */
export interface JobRecord {
  readonly jobId: string;
  readonly name: string;
  readonly status: JobStatus;
  /** The attempt the job is on (0 until it first runs). */
  readonly attempts: number;
  /** Deliveries that took the claim: attempts plus takeovers after a lease expired. */
  readonly claims: number;
  readonly continuation: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly enqueuedAt?: string;
  readonly runAt?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** When the next attempt runs, while `retrying`. */
  readonly retryAt?: string;
  readonly lastError?: { readonly code: string; readonly message: string; readonly at: string };
  readonly progress?: Readonly<Record<string, string | number>>;
  readonly result?: JobResult;
  readonly idempotencyKey?: string;
  readonly correlationId?: string;
  /** When the record expires (TTL in AWS, the cleanup job everywhere). */
  readonly expiresAt: string;
}

export type StoredItem = Readonly<Record<string, unknown>>;

const text = (item: StoredItem, attribute: string): string | undefined => {
  const value = item[attribute];
  return typeof value === 'string' ? value : undefined;
};
const count = (item: StoredItem, attribute: string): number | undefined => {
  const value = item[attribute];
  return typeof value === 'number' ? value : undefined;
};
const map = (item: StoredItem, attribute: string): Record<string, unknown> | undefined => {
  const value = item[attribute];
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
};

export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === 'string' && (JOB_STATUSES as readonly string[]).includes(value);
}

/** The status a stored item has, if it is a job record. */
export function statusOf(item: StoredItem): JobStatus | undefined {
  const status = item[A.status];
  return isJobStatus(status) ? status : undefined;
}

/** Turns a stored job item into its public view. */
export function toJobRecord(item: StoredItem): JobRecord {
  const errorCode = text(item, A.lastErrorCode);
  const progress = map(item, A.progress) as JobRecord['progress'];
  const result = map(item, A.result) as JobResult | undefined;
  const optional = {
    enqueuedAt: text(item, A.enqueuedAt),
    runAt: text(item, A.runAt),
    startedAt: text(item, A.startedAt),
    finishedAt: text(item, A.finishedAt),
    retryAt: text(item, A.retryAt),
    lastError:
      errorCode === undefined
        ? undefined
        : {
            code: errorCode,
            message: text(item, A.lastErrorMessage) ?? '',
            at: text(item, A.lastErrorAt) ?? '',
          },
    progress,
    result,
    idempotencyKey: text(item, A.idempotencyKey),
    correlationId: text(item, A.correlationId),
  };
  const createdAt = text(item, A.createdAt) ?? '';
  return {
    jobId: text(item, A.jobId) ?? '',
    name: text(item, A.jobName) ?? '',
    status: statusOf(item) ?? 'queued',
    attempts: count(item, A.attempts) ?? 0,
    claims: count(item, A.claims) ?? 0,
    continuation: count(item, A.continuation) ?? 0,
    createdAt,
    updatedAt: text(item, A.updatedAt) ?? createdAt,
    ...withoutUndefined(optional),
    expiresAt: new Date((count(item, A.expiresAt) ?? 0) * 1000).toISOString(),
  };
}

/** Drops the keys whose value is undefined, so a record's JSON shows only what it has. */
export function withoutUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** Epoch seconds, the unit of the TTL attribute. */
export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

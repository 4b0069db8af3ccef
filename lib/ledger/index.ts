/**
 * `hangar/ledger`: the job ledger on DynamoDB — status, attempts, last error and progress of every
 * job, idempotency keys and listings — and the job service, which puts it in front of a producer.
 */

export {
  DynamoLimitStore,
  type DynamoLimitStoreOptions,
  type LimitStore,
} from '../limits/limit-store.js';
export type { BackfillResult } from './backfill.js';
export { DynamoJobLedger, type DynamoJobLedgerOptions, type JobStore } from './dynamo-job-ledger.js';
export {
  ClaimLostError,
  IdempotencyKeyConflictError,
  IdempotencyKeyInUseError,
  JobAlreadyStartedError,
  JobNotFoundError,
} from './errors.js';
export type { KeyReservation, KeyReservationResult } from './idempotency-keys.js';
export type { CancelResult, NewJobRecord } from './job-records.js';
export {
  type Accepted,
  type BatchOutcome,
  JOB_SERVICE_DEFAULTS,
  JobService,
  type JobServiceOptions,
} from './job-service.js';
export type { JobCount, JobListQuery, JobPage } from './listing.js';
export { type JobRecord, LEDGER_DEFAULTS, RECORD_KINDS, type RecordKind } from './records.js';
export { LEDGER_INDEX_SETS, type LedgerIndexSet } from './table.js';

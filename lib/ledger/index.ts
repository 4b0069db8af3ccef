/**
 * `hangar/ledger`: the job ledger on DynamoDB — status, attempts, last error and progress of every
 * job, idempotency keys and listings — and the job service, which puts it in front of a producer.
 */

export {
  type CancelResult,
  DynamoJobLedger,
  type DynamoJobLedgerOptions,
  type JobStore,
  type KeyReservation,
  type KeyReservationResult,
  type NewJobRecord,
} from './dynamo-job-ledger.js';
export {
  ClaimLostError,
  IdempotencyKeyConflictError,
  IdempotencyKeyInUseError,
  JobAlreadyStartedError,
  JobNotFoundError,
} from './errors.js';
export {
  type Accepted,
  type BatchOutcome,
  JOB_SERVICE_DEFAULTS,
  JobService,
  type JobServiceOptions,
} from './job-service.js';
export type { JobListQuery, JobPage } from './listing.js';
export { type JobRecord, LEDGER_DEFAULTS, RECORD_KINDS, type RecordKind } from './records.js';

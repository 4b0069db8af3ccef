/**
 * Hangar: background jobs on AWS serverless. This is the package's one public entry; everything
 * a service, a worker or the stack needs from the framework is exported here.
 */

export {
  API_ERROR_CODES,
  API_LIMITS,
  API_ROUTES,
  type ApiErrorBody,
  type ApiRoute,
  CORRELATION_ID_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
} from './api/contract.js';
export {
  CLIENT_DEFAULTS,
  chunkBySize,
  type Enqueued,
  type EnqueueOptions,
  type EnqueueRequest,
  type EnqueueResult,
  fifoDeduplicationId,
  JobClient,
  type JobClientOptions,
} from './client/job-client.js';
export {
  AwsScheduler,
  type AwsSchedulerOptions,
  atExpression,
  type OneTimeSchedule,
  oneTimeScheduleName,
  type QueueAddress,
  type SchedulerPort,
} from './client/scheduler-port.js';
export { readEnv } from './config/env.js';
export * from './constants.js';
export * from './errors.js';
export * from './jobs/builtin/index.js';
export {
  type BatchOptions,
  defineJob,
  type FifoOptions,
  isScheduleExpression,
  isTimeZone,
  JOB_NAME_MAX_LENGTH,
  JOB_NAME_PATTERN,
  JOB_RESOURCES,
  type JobDefinition,
  type JobInput,
  type JobPayload,
  type JobResource,
  type JobSpec,
  type RecurringSchedule,
  type RetryPolicy,
} from './jobs/define-job.js';
export {
  decodeEnvelope,
  type Envelope,
  encodeEnvelope,
  encodeFiringTemplate,
  envelopeSchema,
  FIRING_PLACEHOLDERS,
  type FiringEnvelope,
  firingEnvelopeSchema,
  firingJobId,
  JOB_ID_PATTERN,
  type JobEnvelope,
  jobEnvelopeSchema,
  renderFiring,
} from './jobs/envelope.js';
export {
  API_FUNCTION,
  apiEnvironment,
  type DeploymentValues,
  type QueueDirectory,
  serviceName,
  usesLedger,
  workerEnvironment,
} from './jobs/function-environment.js';
export { dlqName, functionDir, jobOutputKey, pascalName, queueName, resourceStem } from './jobs/names.js';
export { createRegistry, type JobRegistry } from './jobs/registry.js';
export {
  type ConfiguredSchedule,
  deriveJobSettings,
  deriveSettings,
  type EventSourceSettings,
  type FunctionSettings,
  type JobQueueSettings,
  type JobSettings,
  type QueueSettings,
  type ScheduleSettings,
  SETTINGS_RULES,
  type Settings,
  type SettingsOptions,
  sqsQueueAttributes,
  TABLE_ATTRIBUTES,
  TABLE_SPEC,
  type TableIndexSpec,
  type TableSpec,
} from './jobs/settings.js';
export {
  type CancelResult,
  DynamoJobLedger,
  type DynamoJobLedgerOptions,
  type JobStore,
  type KeyReservation,
  type KeyReservationResult,
  type NewJobRecord,
  UNKNOWN_JOB_NAME,
} from './ledger/dynamo-job-ledger.js';
export {
  ClaimLostError,
  IdempotencyKeyConflictError,
  IdempotencyKeyInUseError,
  JobAlreadyStartedError,
  JobNotFoundError,
  LEDGER_ERROR_CODES,
  type LedgerErrorCode,
} from './ledger/errors.js';
export {
  type Accepted,
  type BatchOutcome,
  JOB_SERVICE_DEFAULTS,
  JobService,
  type JobServiceOptions,
} from './ledger/job-service.js';
export type { JobListQuery, JobPage } from './ledger/listing.js';
export {
  JOB_ATTRIBUTES,
  type JobRecord,
  LEDGER_DEFAULTS,
  RECORD_KINDS,
  type RecordKind,
} from './ledger/records.js';
export { canonicalJson, requestHash } from './ledger/request-hash.js';
export { backoffDelay } from './retry/backoff.js';
export { type CheckResult, check, describeIssues, formatPath } from './validation.js';
export { createWorker, type SqsWorker, type WorkerOptions } from './worker/create-worker.js';
export { createDeadline, type Deadline, DeadlineReachedError } from './worker/deadline.js';
export { describeError } from './worker/describe-error.js';
export { WORKER_LOG_MESSAGES, WORKER_RULES } from './worker/rules.js';
export type { WorkerQueue } from './worker/runtime.js';
export type {
  AttemptRef,
  ClaimRefusal,
  ClaimResult,
  JobBinding,
  JobContext,
  JobHandler,
  JobLedger,
  JobResult,
} from './worker/types.js';
export { handle } from './worker/types.js';

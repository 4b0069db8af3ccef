/**
 * Hangar — the producer entry (`hangar`): declare jobs and send them. A service that only sends
 * jobs imports this and nothing else; it pulls in no worker, no ledger and no deployment code.
 *
 * The other entries, by audience:
 * - `hangar/worker`: run jobs in a Lambda function (`createWorker`, `handle`, the job context).
 * - `hangar/ledger`: the DynamoDB job ledger and the job service (idempotency keys, listings, cancel).
 * - `hangar/deploy`: what a stack, the local runtime and operator tools share (derived settings,
 *   stage configuration, stack outputs, function environments, the HTTP API's contract).
 * - `hangar/jobs`: the built-in jobs' declarations.
 */

export { CLIENT_DEFAULTS, JobClient, type JobClientOptions } from './client/job-client.js';
export {
  AwsScheduler,
  type AwsSchedulerOptions,
  type QueueAddress,
  type SchedulerPort,
} from './client/scheduler-port.js';
export { ENVELOPE_VERSION, JOB_DEFAULTS, JOB_STATUSES, type JobStatus } from './constants.js';
export {
  type AnyErrorCode,
  ConfigError,
  EnqueueError,
  EnvelopeError,
  ERROR_CODES,
  type ErrorCode,
  HangarError,
  JobDefinitionError,
  JobError,
  JobValidationError,
  PayloadTooLargeError,
  PermanentJobError,
  RetryableJobError,
  UnknownJobError,
  type ValidationIssue,
} from './errors.js';
export {
  type BatchOptions,
  defineJob,
  type FifoOptions,
  type JobDefinition,
  type JobInput,
  type JobPayload,
  type JobResource,
  type JobSpec,
  type RecurringSchedule,
  type RetryPolicy,
} from './jobs/define-job.js';
export type { Enqueued, EnqueueOptions, EnqueueRequest, EnqueueResult, JobSender } from './jobs/enqueue.js';
export type { JobEnvelope } from './jobs/envelope.js';
export { createRegistry, type JobRegistry } from './jobs/registry.js';
export type {
  ConcurrencyLimit,
  DebounceOptions,
  JobLimits,
  RateLimit,
  UniqueOptions,
} from './limits/options.js';
export { LIMIT_DEFAULTS, LIMIT_RULES } from './limits/options.js';

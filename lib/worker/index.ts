/**
 * `hangar/worker`: run jobs in a Lambda function behind an SQS event source. A function's entry
 * point binds each job's declaration to its handler and hands them to `createWorker`.
 */

export { readEnv } from '../config/env.js';
export { JobError, PermanentJobError, RetryableJobError } from '../errors.js';
export { createWorker, type SqsWorker, type WorkerOptions } from './create-worker.js';
export { DeadlineReachedError } from './deadline.js';
export { WORKER_RULES } from './rules.js';
export type { WorkerQueue } from './runtime.js';
export {
  type AttemptRef,
  type ClaimRefusal,
  type ClaimResult,
  type DeadOnArrival,
  handle,
  type JobBinding,
  type JobContext,
  type JobHandler,
  type JobLedger,
  type JobResult,
} from './types.js';

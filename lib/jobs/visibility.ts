/**
 * How long a received message of a job stays invisible: the one figure the queue is created with
 * (lib/deploy/settings.ts) and the worker reasons with (a claim's takeover, lib/worker/attempt.ts).
 */
import type { JobDefinition } from './define-job.js';

/**
 * AWS guidance for SQS event sources: visibility timeout ≥ 6 × function timeout (+ the batching
 * window), so a message is not redelivered while the throttled retries of one invocation still hold it.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** The visibility timeout of a job's queue, in seconds. */
export function visibilityTimeoutSeconds(job: Pick<JobDefinition, 'timeoutSeconds' | 'batch'>): number {
  return VISIBILITY_TIMEOUT_FACTOR * job.timeoutSeconds + job.batch.windowSeconds;
}

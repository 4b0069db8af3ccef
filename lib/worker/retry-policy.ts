/**
 * The retry policy: whether a failed attempt is tried again, and after how long. Pure: how the
 * decision is carried out (a delayed message, a longer visibility, the DLQ) is up to the caller.
 */
import { SQS_LIMITS } from '../constants.js';
import { JobError, RetryableJobError } from '../errors.js';
import type { RetryPolicy } from '../jobs/define-job.js';
import { backoffDelay } from '../retry/backoff.js';

/** A failed attempt's fate: dead-lettered now, or tried again after `delaySeconds`. */
export type RetryDecision =
  | { readonly retry: false }
  | { readonly retry: true; readonly delaySeconds: number };

const DEAD: RetryDecision = Object.freeze({ retry: false });

/**
 * Decides what follows a failed attempt. Dead when the error says so (a `JobError` that is not
 * retryable, such as `PermanentJobError`) or when it was the last attempt; otherwise retried after
 * the jittered backoff of this attempt, or after the time the error asked for
 * (`RetryableJobError.retryAfterSeconds`) when that is longer — in whole seconds, and never beyond
 * the longest visibility timeout SQS allows.
 *
 * @param attempt the attempt that failed (1 for the first)
 * @param random source of the backoff's jitter
 * @example
 * decideRetry(new Error('timeout'), 1, job.retry, Math.random); // { retry: true, delaySeconds: … }
 */
export function decideRetry(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
): RetryDecision {
  const permanent = error instanceof JobError && !error.retryable;
  if (permanent || attempt >= policy.maxAttempts) return DEAD;
  const backoff = backoffDelay(attempt, policy.baseDelaySeconds, policy.maxDelaySeconds, random);
  const asked = error instanceof RetryableJobError ? (error.retryAfterSeconds ?? 0) : 0;
  return {
    retry: true,
    delaySeconds: Math.min(SQS_LIMITS.maxVisibilitySeconds, Math.ceil(Math.max(backoff, asked))),
  };
}

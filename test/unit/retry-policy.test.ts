import { describe, expect, it } from 'vitest';
import { SQS_LIMITS } from '../../lib/deploy/index.js';
import { PermanentJobError, RetryableJobError } from '../../lib/index.js';
import { decideRetry } from '../../lib/worker/retry-policy.js';

const POLICY = { maxAttempts: 3, baseDelaySeconds: 10, maxDelaySeconds: 600 };
/** Jitter at its midpoint: the backoff after attempt n is 0.75 × min(cap, base × 2^(n-1)). */
const midpoint = () => 0.5;

describe('Function: decideRetry', () => {
  it.each([
    { case: 'a permanent error on the first attempt', error: new PermanentJobError('never'), attempt: 1 },
    { case: 'a retryable error on the last attempt', error: new RetryableJobError('again'), attempt: 3 },
    { case: 'any error beyond the last attempt', error: new Error('again'), attempt: 4 },
  ])('dead-letters $case', ({ error, attempt }) => {
    // Act
    const decision = decideRetry(error, attempt, POLICY, midpoint);

    // Assess
    expect(decision).toEqual({ retry: false });
  });

  it('retries after the backoff of the attempt, rounded up to whole seconds', () => {
    // Act: 0.75 × 10 = 7.5 after the first attempt, 0.75 × 20 = 15 after the second.
    const decisions = [1, 2].map((attempt) => decideRetry(new Error('again'), attempt, POLICY, midpoint));

    // Assess
    expect(decisions).toEqual([
      { retry: true, delaySeconds: 8 },
      { retry: true, delaySeconds: 15 },
    ]);
  });

  it('waits as long as the error asked when that is longer than the backoff', () => {
    // Prepare
    const error = new RetryableJobError('throttled', { retryAfterSeconds: 120 });

    // Act
    const decision = decideRetry(error, 1, POLICY, midpoint);

    // Assess
    expect(decision).toEqual({ retry: true, delaySeconds: 120 });
  });

  it('never waits beyond the longest visibility timeout SQS allows', () => {
    // Prepare
    const error = new RetryableJobError('come back tomorrow', {
      retryAfterSeconds: SQS_LIMITS.maxVisibilitySeconds * 2,
    });

    // Act
    const decision = decideRetry(error, 1, POLICY, midpoint);

    // Assess
    expect(decision).toEqual({ retry: true, delaySeconds: SQS_LIMITS.maxVisibilitySeconds });
  });
});

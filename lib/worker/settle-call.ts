/**
 * `settleCall`: a call that seals a record's fate — a ledger write that ends an attempt, an SQS
 * send that retries or dead-letters a record — tried again within the invocation while it fails
 * with something another round could fix and time is left before the hard stop. A call that
 * failed through all of the SDK's attempts met more than a blip; a few rounds over a second or two
 * ride out most, instead of leaving the record to a whole visibility timeout.
 */
import { JobError } from '../errors.js';
import { backoffDelay, sleep } from '../retry/backoff.js';
import { describeError } from './describe-error.js';
import { WORKER_LOG_MESSAGES, WORKER_RULES } from './rules.js';
import type { InvocationScope } from './runtime.js';

/** Errors no further round can fix: a lost claim, a verdict, a request the service refuses as malformed. */
export function isFinal(error: unknown): boolean {
  if (error instanceof JobError) return !error.retryable;
  const fault = (error as { $fault?: unknown } | undefined)?.$fault;
  const name = error instanceof Error ? error.name : '';
  return (
    fault === 'client' &&
    !/Throttl|TooManyRequests|ProvisionedThroughputExceeded|RequestLimitExceeded/.test(name)
  );
}

/**
 * Runs a settle call, and again after a short backoff while it fails with something another round
 * could fix, at most `WORKER_RULES.settleRounds` times and only while the hard stop is far enough.
 * Rejects with the last error.
 */
export async function settleCall<T>(rt: InvocationScope, what: string, call: () => Promise<T>): Promise<T> {
  for (let round = 1; ; round++) {
    try {
      return await call();
    } catch (error) {
      const delay = backoffDelay(
        round,
        WORKER_RULES.settleBaseDelayMs,
        4 * WORKER_RULES.settleBaseDelayMs,
        rt.worker.random,
      );
      const left = rt.deadline.untilHardStopMs() - delay;
      if (isFinal(error) || round >= WORKER_RULES.settleRounds || left < WORKER_RULES.settleMinRemainingMs) {
        throw error;
      }
      rt.worker.logger.warn(WORKER_LOG_MESSAGES.settleRetried, {
        what,
        round,
        error: describeError(error).message,
      });
      await sleep(delay);
    }
  }
}

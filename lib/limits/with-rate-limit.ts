/**
 * A declaration with a rate limit that configuration sets rather than code: the stage's
 * `emailSendRate` on `email.send`. Checked by the same schema and rules as a declared one.
 */
import { JobDefinitionError } from '../errors.js';
import type { JobDefinition } from '../jobs/define-job.js';
import { check, describeIssues } from '../validation.js';
import { deriveLimits, LIMIT_SPEC_SHAPE, type RateLimit } from './options.js';

/**
 * @throws {JobDefinitionError} when the rate is out of range or the job cannot take one (FIFO).
 * @example
 * const job = withRateLimit(emailSend, { limit: 14, perSeconds: 1 });
 */
export function withRateLimit<J extends JobDefinition>(
  job: J,
  rate: Pick<RateLimit<unknown>, 'limit' | 'perSeconds'>,
): J {
  const parsed = check(LIMIT_SPEC_SHAPE.rateLimit, rate, 'rateLimit');
  const problems = parsed.ok ? [] : [describeIssues(parsed.issues)];
  const limits = deriveLimits(
    {
      ...job.limits,
      rateLimit: { ...rate, ...(job.limits?.rateLimit ? { key: job.limits.rateLimit.key } : {}) },
    },
    { fifo: job.fifo !== undefined, useLedger: job.useLedger },
    problems,
  );
  if (problems.length > 0) throw new JobDefinitionError(`Invalid job "${job.name}": ${problems.join('; ')}`);
  return Object.freeze({ ...job, limits });
}

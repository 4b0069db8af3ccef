import { describe, expect, it } from 'vitest';
import { chaosRun } from '../../../chaos/job.js';
import { CHAOS_RATES, DUPLICATE_MAX_DELAY_SECONDS, planChaos } from '../../../chaos/plan.js';
import { seededRandom } from '../../../local/faults/seeded-random.js';

describe('Function: planChaos', () => {
  it('gives the same plan for the same seed and another for another seed', () => {
    expect(planChaos(500, 42)).toEqual(planChaos(500, 42));
    expect(planChaos(500, 43).jobs).not.toEqual(planChaos(500, 42).jobs);
  });

  it('plans each fault at about its rate over many jobs', () => {
    // Prepare
    const jobs = 100_000;

    // Act
    const { counts } = planChaos(jobs, 7);

    // Assess: within 15 % of the expected count (a binomial's spread at these sizes is far smaller).
    for (const kind of ['transient', 'permanent', 'slow', 'stuck', 'blocking'] as const) {
      expect(Math.abs(counts[kind] - jobs * CHAOS_RATES[kind])).toBeLessThan(jobs * CHAOS_RATES[kind] * 0.15);
    }
    expect(counts.duplicate).toBeGreaterThan(0);
  });

  it.each([10, 37, 300])('plans every kind of fault at least once in %i jobs', (jobs) => {
    const { counts } = planChaos(jobs, 1);
    for (const kind of ['transient', 'permanent', 'slow', 'stuck', 'blocking', 'duplicate'] as const) {
      expect(counts[kind]).toBeGreaterThanOrEqual(1);
    }
  });

  it('fails a transient job fewer times than its attempt limit, and copies only jobs a copy cannot derail', () => {
    const plan = planChaos(20_000, 3);
    for (const job of plan.jobs) {
      const { fault, failures } = job.payload;
      if (fault === 'transient') {
        expect(failures).toBeGreaterThanOrEqual(1);
        expect(failures).toBeLessThan(chaosRun.retry.maxAttempts);
      } else {
        expect(failures).toBeUndefined();
      }
      if (job.duplicateDelaySeconds !== undefined) {
        expect(['none', 'transient']).toContain(fault);
        expect(job.duplicateDelaySeconds).toBeLessThanOrEqual(DUPLICATE_MAX_DELAY_SECONDS);
      }
    }
    expect(plan.transientFailures).toBe(plan.jobs.reduce((sum, job) => sum + (job.payload.failures ?? 0), 0));
  });

  it('numbers the jobs from 0 and validates every payload against the job schema', () => {
    const plan = planChaos(50, 9);
    expect(plan.jobs.map((job) => job.payload.n)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    for (const job of plan.jobs) expect(chaosRun.schema.safeParse(job.payload).success).toBe(true);
  });

  it('rejects a job count that is not a positive integer', () => {
    expect(() => planChaos(0, 1)).toThrow(new RangeError('jobs must be a positive integer, got 0'));
  });
});

describe('Function: seededRandom', () => {
  it('yields numbers in [0, 1), repeatably', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const values = Array.from({ length: 1_000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1_000 }, () => b()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });
});

import { describe, expect, it } from 'vitest';
import { runChaos } from '../../../chaos/run-chaos.js';

describe('The chaos run (npm run chaos), small', () => {
  it('loses nothing, doubles nothing, dead-letters exactly the planned failures and drains the queue', {
    timeout: 600_000,
  }, async () => {
    // Prepare: a fixed seed, so a failure here can be repeated with `npm run chaos -- --jobs 300 --seed 20261123`.
    const seed = 20_261_123;

    // Act
    const report = await runChaos({ jobs: 300, seed, timeLimitMs: 540_000 });

    // Assess
    expect(report.verdict.problems).toEqual([]);
    expect(report.silentFaults).toEqual([]);
    expect(report.summary).toMatchObject({
      seed,
      jobs: 300,
      succeeded: 300 - report.plan.counts.permanent,
      dead: report.plan.counts.permanent,
      expectedDead: report.plan.counts.permanent,
      lost: 0,
      duplicateEffects: 0,
      drained: true,
    });
    // The keyed job: every one ran once and succeeded, never more of one key at once than its limit.
    expect(report.verdict.keyed).toMatchObject({
      jobs: report.summary.keyedJobs,
      succeeded: report.summary.keyedJobs,
    });
    expect(report.summary.keyedJobs).toBeGreaterThan(0);
    expect(report.summary.keyedMaxConcurrent).toBeLessThanOrEqual(report.summary.keyedLimit);
    expect(report.ok).toBe(true);
  });
});

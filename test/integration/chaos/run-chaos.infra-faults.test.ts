/**
 * The chaos run with AWS's own failures (issue 13's acceptance, small): 5 % of the workers' and
 * event sources' SQS, DynamoDB and SES calls fail — through every SDK retry — evenly over the
 * fault kinds, and half the jobs are real e-mails. Nothing lost, nothing done twice outside the SES window, the ledger agreeing
 * with where every message is, every queue drained.
 *
 * Before issue 13's fixes every such run sent e-mails and ran jobs twice outside the window (6–18
 * of 300 jobs in the runs measured); create-worker.infra-faults.test.ts has a test of each defect.
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from '../../../chaos/run-chaos.js';
import { FAULT_KINDS } from '../../../local/faults/fault-plan.js';

describe('The chaos run with infrastructure faults (npm run chaos -- --infra-faults), small', () => {
  it('loses nothing, doubles nothing outside the SES window, and leaves the ledger agreeing with the queues', {
    timeout: 600_000,
  }, async () => {
    // Prepare: repeat with `npm run chaos -- --jobs 300 --seed 20261123 --infra-faults 0.05`.
    const seed = 20_261_123;

    // Act
    const report = await runChaos({ jobs: 300, seed, infraFaults: 0.05, timeLimitMs: 540_000 });

    // Assess: every kind of fault was injected, and none broke a promise.
    expect(report.verdict.problems).toEqual([]);
    expect(report.silentFaults).toEqual([]);
    for (const kind of FAULT_KINDS) expect(report.summary.injected?.[kind]).toBeGreaterThan(0);
    expect(report.summary).toMatchObject({
      seed,
      jobs: 300,
      emails: 150,
      lost: 0,
      duplicateEffects: 0,
      ledgerMismatches: 0,
      stuck: 0,
      deadRanAgain: 0,
      // Jobs a lost ReceiveMessage answer cost their last attempt are counted apart (README, Delivery guarantees).
      dead: report.plan.counts.permanent + report.summary.deadEarly,
      drained: true,
    });
    expect(report.ok).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { type ChaosObservation, checkChaos } from '../../../chaos/check.js';
import type { ChaosEvent } from '../../../chaos/effects.js';
import { CHAOS_PERMANENT_CODE } from '../../../chaos/job.js';
import { planChaos } from '../../../chaos/plan.js';
import type { JobStatus } from '../../../lib/index.js';

/** A run in which every job ended as planned: each side effect once, each permanent failure dead. */
function cleanRun(): ChaosObservation {
  const plan = planChaos(40, 11);
  const jobIds = plan.jobs.map((_, n) => `job-${n}`);
  const events: ChaosEvent[] = [];
  const ledger = new Map<string, JobStatus>();
  const deadLetters: { jobId: string; errorCode: string }[] = [];
  plan.jobs.forEach((job, n) => {
    const jobId = `job-${n}`;
    if (job.payload.fault === 'permanent') {
      events.push({ kind: 'permanent', jobId, n, attempt: 1 });
      deadLetters.push({ jobId, errorCode: CHAOS_PERMANENT_CODE });
      ledger.set(jobId, 'dead');
    } else {
      events.push({ kind: 'effect', jobId, n, attempt: 1 });
      ledger.set(jobId, 'succeeded');
    }
  });
  return { plan, jobIds, events, ledger, deadLetters, queueDepth: 0 };
}

describe('Function: checkChaos', () => {
  it('passes a run where every job ended as planned', () => {
    const run = cleanRun();

    const verdict = checkChaos(run);

    expect(verdict).toMatchObject({
      succeeded: 40 - run.plan.counts.permanent,
      dead: run.plan.counts.permanent,
      expectedDead: run.plan.counts.permanent,
      lost: 0,
      duplicateEffects: 0,
      drained: true,
      problems: [],
      ok: true,
    });
  });

  it('counts a job whose side effect never landed as lost', () => {
    const run = cleanRun();
    const victim = run.events.find((e) => e.kind === 'effect');
    const events = run.events.filter((e) => e !== victim);

    const verdict = checkChaos({ ...run, events });

    expect(verdict.lost).toBe(1);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([`succeeded record without its side effect: 1 (${victim?.jobId})`]);
  });

  it('counts a side effect recorded twice', () => {
    const run = cleanRun();
    const effect = run.events.find((e) => e.kind === 'effect') as ChaosEvent;

    const verdict = checkChaos({ ...run, events: [...run.events, { ...effect, attempt: 2 }] });

    expect(verdict.duplicateEffects).toBe(1);
    expect(verdict.ok).toBe(false);
  });

  it('fails on an unplanned dead letter, a wrong reason, and a job dead-lettered twice', () => {
    const run = cleanRun();
    const permanent = run.deadLetters[0] as { jobId: string };
    const healthy = run.events.find((e) => e.kind === 'effect') as ChaosEvent;

    const verdict = checkChaos({
      ...run,
      deadLetters: [
        ...run.deadLetters.map((d) => (d === permanent ? { ...d, errorCode: 'Error' } : d)),
        { jobId: permanent.jobId, errorCode: CHAOS_PERMANENT_CODE },
        { jobId: healthy.jobId, errorCode: 'ATTEMPTS_EXHAUSTED' },
      ],
    });

    expect(verdict.dead).toBe(run.plan.counts.permanent + 1);
    expect(verdict.extraDeadLetters).toBe(1);
    expect([...verdict.problems].sort()).toEqual([
      `dead letter with the wrong reason: 1 (${permanent.jobId}: Error)`,
      'jobs dead-lettered more than once: 1 (1)',
      `unplanned dead letter: 1 (${healthy.jobId} (${run.plan.jobs[healthy.n]?.payload.fault}): ATTEMPTS_EXHAUSTED)`,
    ]);
    expect(verdict.ok).toBe(false);
  });

  it('fails when the queue is not drained or the ledger disagrees with the side effects', () => {
    const run = cleanRun();
    const effect = run.events.find((e) => e.kind === 'effect') as ChaosEvent;
    const ledger = new Map(run.ledger);
    ledger.set(effect.jobId, 'running');

    const verdict = checkChaos({ ...run, ledger, queueDepth: 3 });

    expect(verdict.drained).toBe(false);
    expect(verdict.problems).toEqual([
      `side effect without a succeeded record: 1 (${effect.jobId}: running)`,
    ]);
    expect(verdict.ok).toBe(false);
  });
});

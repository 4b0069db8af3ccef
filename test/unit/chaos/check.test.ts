import { describe, expect, it } from 'vitest';
import { type ChaosObservation, checkChaos, type EmailObservation } from '../../../chaos/check.js';
import type { ChaosEvent } from '../../../chaos/effects.js';
import { CHAOS_PERMANENT_CODE, chaosRun } from '../../../chaos/job.js';
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

  it('counts a job dead-lettered early by lost receives apart, only when its failures and lost receives reach the limit', () => {
    const run = cleanRun();
    const index = run.plan.jobs.findIndex((job) => job.payload.fault === 'transient');
    const job = run.plan.jobs[index];
    const jobId = `job-${index}`;
    const failures = job?.payload.failures ?? 0;
    const dead = {
      ...run,
      events: run.events.filter((e) => e.jobId !== jobId),
      ledger: new Map([...run.ledger, [jobId, 'dead' as const]]),
      deadLetters: [...run.deadLetters, { jobId, errorCode: 'ATTEMPTS_EXHAUSTED' }],
    };
    const enough = new Map([[jobId, chaosRun.retry.maxAttempts - failures]]);
    const tooFew = new Map([[jobId, chaosRun.retry.maxAttempts - failures - 1]]);

    const early = checkChaos({ ...dead, lostReceives: enough });
    const unexplained = checkChaos({ ...dead, lostReceives: tooFew });

    expect(early).toMatchObject({ deadEarly: 1, lost: 0, problems: [], ok: true });
    expect(unexplained.deadEarly).toBe(0);
    expect(unexplained.ok).toBe(false);
    expect(unexplained.problems).toEqual([
      `unplanned dead letter: 1 (${jobId} (transient): ATTEMPTS_EXHAUSTED)`,
    ]);
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
    expect(verdict.ledgerMismatches).toBe(1);
    expect([...verdict.problems].sort()).toEqual([
      `dead letter with the wrong reason: 1 (${permanent.jobId}: Error)`,
      `jobs dead-lettered more than once: 1 (${permanent.jobId})`,
      `ledger mismatch: in the DLQ but succeeded: 1 (${healthy.jobId})`,
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
    // Not drained: where its message is cannot be told, but its record never ended.
    expect(verdict).toMatchObject({ stuck: 1, ledgerMismatches: 0 });
    expect(verdict.ok).toBe(false);
  });

  it('counts a ledger status that disagrees with where the message is', () => {
    // Prepare: the queue is drained; one succeeded job says running, one says dead outside the DLQ.
    const run = cleanRun();
    const [running, dead] = run.events.filter((e) => e.kind === 'effect') as [ChaosEvent, ChaosEvent];
    const ledger = new Map(run.ledger);
    ledger.set(running.jobId, 'running');
    ledger.set(dead.jobId, 'dead');

    // Act
    const verdict = checkChaos({ ...run, ledger });

    // Assess
    expect(verdict).toMatchObject({ ledgerMismatches: 2, stuck: 1, ok: false });
    expect(verdict.problems).toEqual(
      expect.arrayContaining([
        `ledger mismatch: gone but running: 1 (${running.jobId})`,
        `ledger mismatch: dead but not in the DLQ: 1 (${dead.jobId})`,
      ]),
    );
  });

  it('counts a repeated dead letter apart when answers may have been lost, and names the jobs of problems', () => {
    // Prepare: one job's dead letter twice (a DLQ send carried out, its answer lost, sent again).
    const run = cleanRun();
    const permanent = run.deadLetters[0] as { jobId: string; errorCode: string };
    const deadLetters = [...run.deadLetters, permanent];

    // Act
    const strict = checkChaos({ ...run, deadLetters });
    const lenient = checkChaos({ ...run, deadLetters, answersMayBeLost: true });

    // Assess
    expect(strict).toMatchObject({ extraDeadLetters: 1, problemJobs: [permanent.jobId], ok: false });
    expect(lenient).toMatchObject({ extraDeadLetters: 1, problems: [], problemJobs: [], ok: true });
  });

  it('counts a planned permanent failure whose handler ran again after it was dead', () => {
    const run = cleanRun();
    const permanent = run.events.find((e) => e.kind === 'permanent') as ChaosEvent;

    const verdict = checkChaos({ ...run, events: [...run.events, { ...permanent, attempt: 2 }] });

    expect(verdict.deadRanAgain).toBe(1);
    expect(verdict.problems).toEqual([
      `permanent failure run again after it was dead: 1 (${permanent.jobId})`,
    ]);
    expect(verdict.ok).toBe(false);
  });
});

describe('Function: checkChaos, e-mail jobs', () => {
  /** Four e-mail jobs: sent once; sent twice, the first answer lost; sent twice, both answered; never sent. */
  function emailRun() {
    const run = cleanRun();
    const jobIds = ['mail-0', 'mail-1', 'mail-2', 'mail-3'];
    const emails: EmailObservation = {
      jobIds,
      sent: [
        { n: 0, messageId: 'ses-a' },
        { n: 1, messageId: 'ses-b' },
        { n: 2, messageId: 'ses-c' },
        { n: 1, messageId: 'ses-d' },
        { n: 2, messageId: 'ses-e' },
      ],
      acknowledged: new Set(['ses-a', 'ses-c', 'ses-d', 'ses-e']),
      ledger: new Map<string, JobStatus>([
        ['mail-0', 'succeeded'],
        ['mail-1', 'succeeded'],
        ['mail-2', 'succeeded'],
        ['mail-3', 'queued'],
      ]),
      deadLetters: [],
      queueDepth: 0,
    };
    return { ...run, emails };
  }

  it('counts a resend after a lost SES answer inside the window, and one after an answer outside it', () => {
    // Act
    const verdict = checkChaos(emailRun());

    // Assess
    expect(verdict).toMatchObject({
      succeeded: 40 - emailRun().plan.counts.permanent + 3,
      duplicateEffectsInWindow: 1,
      duplicateEffects: 1,
      lost: 1,
      ledgerMismatches: 1,
      stuck: 1,
      ok: false,
    });
    expect([...verdict.problems].sort()).toEqual([
      'e-mail sent again after SES answered the handler: 1 (mail-2 (2 e-mails))',
      'ledger mismatch: gone but queued: 1 (mail-3)',
    ]);
  });

  it('passes e-mails each sent once, or again only inside the window', () => {
    // Prepare
    const run = emailRun();
    const emails: EmailObservation = {
      ...run.emails,
      sent: run.emails.sent
        .filter((e) => e.n !== 2)
        .concat([
          { n: 2, messageId: 'ses-c' },
          { n: 3, messageId: 'ses-f' },
        ]),
      ledger: new Map([...run.emails.ledger].map(([jobId]) => [jobId, 'succeeded' as const])),
    };

    // Act
    const verdict = checkChaos({ ...run, emails });

    // Assess
    expect(verdict).toMatchObject({
      duplicateEffectsInWindow: 1,
      duplicateEffects: 0,
      lost: 0,
      problems: [],
      ok: true,
    });
  });
});

describe('Function: checkChaos (keyed jobs)', () => {
  /** Two keyed jobs of key `a`, run at [0, 10] and [10, 20] ms (an end and a start at the same ms). */
  function keyedRun(extra: readonly ChaosEvent[] = []): ChaosObservation {
    const run = cleanRun();
    const keyed = (jobId: string, n: number, from: number, to: number): ChaosEvent[] => [
      { kind: 'keyed-start', jobId, n, attempt: 1, key: 'a', at: from },
      { kind: 'keyed-end', jobId, n, attempt: 1, key: 'a', at: to },
    ];
    return {
      ...run,
      events: [...run.events, ...keyed('k-0', 0, 0, 10), ...keyed('k-1', 1, 10, 20), ...extra],
      keyed: {
        jobIds: ['k-0', 'k-1'],
        limit: 1,
        ledger: new Map<string, JobStatus>([
          ['k-0', 'succeeded'],
          ['k-1', 'succeeded'],
        ]),
        deadLetters: [],
        queueDepth: 0,
      },
    };
  }

  it('passes keyed jobs that each ran once within their limit, taking an end before a start at the same ms', () => {
    const verdict = checkChaos(keyedRun());

    expect(verdict.keyed).toEqual({ jobs: 2, succeeded: 2, maxConcurrent: 1, limit: 1 });
    expect(verdict.ok).toBe(true);
  });

  it('fails a run in which more jobs of one key overlapped than the limit', () => {
    const verdict = checkChaos(
      keyedRun([
        { kind: 'keyed-start', jobId: 'k-2', n: 2, attempt: 1, key: 'a', at: 5 },
        { kind: 'keyed-end', jobId: 'k-2', n: 2, attempt: 1, key: 'a', at: 6 },
      ]),
    );

    expect(verdict.keyed?.maxConcurrent).toBe(2);
    expect(verdict.problems).toEqual(['keyed limit exceeded: 1 (a: 2 at once, limit 1)']);
    expect(verdict.ok).toBe(false);
  });

  it('counts a keyed job that never ran as lost', () => {
    const run = keyedRun();
    const verdict = checkChaos({
      ...run,
      keyed: run.keyed && { ...run.keyed, jobIds: [...run.keyed.jobIds, 'k-9'] },
    });

    expect(verdict.lost).toBe(1);
    expect(verdict.ok).toBe(false);
  });
});

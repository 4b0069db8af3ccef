/**
 * The chaos run's verdict, from what it observed at the end: the side-effect log, the ledger, the
 * DLQ and the queue. Every planned job must end exactly one way — its side effect recorded once
 * and its record `succeeded`, or, for a planned permanent failure, in the DLQ with its reason and
 * its record `dead` — and the queue must be empty.
 */
import type { JobStatus } from '../lib/index.js';
import type { ChaosEvent } from './effects.js';
import { CHAOS_PERMANENT_CODE } from './job.js';
import type { ChaosPlan } from './plan.js';

export interface DeadLetter {
  /** From the message body; undefined when the body is not an envelope. */
  readonly jobId: string | undefined;
  /** The `hangar.error-code` reason attribute. */
  readonly errorCode: string | undefined;
}

export interface ChaosObservation {
  readonly plan: ChaosPlan;
  /** The job id each planned job got, by its `n`. */
  readonly jobIds: readonly string[];
  readonly events: readonly ChaosEvent[];
  /** Every ledger record of the chaos job: job id → status. */
  readonly ledger: ReadonlyMap<string, JobStatus>;
  readonly deadLetters: readonly DeadLetter[];
  /** Messages left on the job's queue: visible, in flight and delayed. */
  readonly queueDepth: number;
}

export interface ChaosVerdict {
  /** Jobs with their side effect recorded and their record `succeeded`. */
  readonly succeeded: number;
  /** Distinct jobs in the DLQ. */
  readonly dead: number;
  readonly expectedDead: number;
  /** Jobs that neither recorded their side effect nor reached the DLQ. */
  readonly lost: number;
  /** Jobs whose side effect was recorded more than once. */
  readonly duplicateEffects: number;
  readonly drained: boolean;
  /** DLQ messages beyond one per job (a job dead-lettered twice). */
  readonly extraDeadLetters: number;
  /** Everything else that is wrong, one line each (the first few of each kind are named). */
  readonly problems: readonly string[];
  readonly ok: boolean;
}

const EXAMPLES = 5;

export function checkChaos(observation: ChaosObservation): ChaosVerdict {
  const { plan, jobIds } = observation;
  const effects = new Map<string, number>();
  for (const event of observation.events) {
    if (event.kind === 'effect') effects.set(event.jobId, (effects.get(event.jobId) ?? 0) + 1);
  }
  const deadCodes = new Map<string, string | undefined>();
  let extraDeadLetters = 0;
  let unreadable = 0;
  for (const letter of observation.deadLetters) {
    if (letter.jobId === undefined) unreadable += 1;
    else if (deadCodes.has(letter.jobId)) extraDeadLetters += 1;
    else deadCodes.set(letter.jobId, letter.errorCode);
  }
  const planned = new Set(jobIds);
  const issues = new Map<string, string[]>();
  const note = (kind: string, example: string) => issues.set(kind, [...(issues.get(kind) ?? []), example]);

  let succeeded = 0;
  let lost = 0;
  let duplicateEffects = 0;
  plan.jobs.forEach((job, n) => {
    const jobId = jobIds[n];
    if (jobId === undefined) {
      lost += 1;
      note('never enqueued', `#${n}`);
      return;
    }
    const count = effects.get(jobId) ?? 0;
    const status = observation.ledger.get(jobId);
    const dead = deadCodes.has(jobId);
    if (count > 1) duplicateEffects += 1;
    if (count === 0 && !dead) lost += 1;
    if (job.payload.fault === 'permanent') {
      if (!dead) note('planned permanent failure not in the DLQ', jobId);
      else if (deadCodes.get(jobId) !== CHAOS_PERMANENT_CODE) {
        note('dead letter with the wrong reason', `${jobId}: ${deadCodes.get(jobId) ?? 'none'}`);
      }
      if (status !== 'dead') note('planned permanent failure not dead in the ledger', `${jobId}: ${status}`);
      if (count > 0) note('side effect of a permanent failure', jobId);
      return;
    }
    if (dead)
      note('unplanned dead letter', `${jobId} (${job.payload.fault}): ${deadCodes.get(jobId) ?? 'no code'}`);
    if (count > 0 && status === 'succeeded') succeeded += 1;
    else if (count > 0) note('side effect without a succeeded record', `${jobId}: ${status ?? 'no record'}`);
    else if (status === 'succeeded') note('succeeded record without its side effect', jobId);
  });
  for (const jobId of deadCodes.keys()) if (!planned.has(jobId)) note('dead letter of an unknown job', jobId);
  if (unreadable > 0) note('dead letters that are not envelopes', String(unreadable));
  if (extraDeadLetters > 0) note('jobs dead-lettered more than once', String(extraDeadLetters));

  const problems = [...issues].map(
    ([kind, examples]) =>
      `${kind}: ${examples.length} (${examples.slice(0, EXAMPLES).join(', ')}${examples.length > EXAMPLES ? ', …' : ''})`,
  );
  const expectedDead = plan.counts.permanent;
  const dead = deadCodes.size;
  const drained = observation.queueDepth === 0;
  return {
    succeeded,
    dead,
    expectedDead,
    lost,
    duplicateEffects,
    drained,
    extraDeadLetters,
    problems,
    ok: lost === 0 && duplicateEffects === 0 && dead === expectedDead && drained && problems.length === 0,
  };
}

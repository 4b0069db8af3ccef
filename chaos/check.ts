/**
 * The chaos run's verdict, from what it observed at the end: the side-effect log (and, in a run
 * with infrastructure faults, the SES store), the ledger, the DLQs and the queues. Every planned
 * job must end exactly one way — its side effect recorded once and its record `succeeded`, or, for
 * a planned permanent failure, in the DLQ with its reason and its record `dead` — and the queues
 * must be empty. Where the ledger's status disagrees with where the message is (DLQ ↔ `dead`, gone
 * ↔ `succeeded`/`cancelled`), that is a ledger mismatch.
 *
 * One kind of double effect is counted apart: an e-mail SES accepted whose answer never reached
 * the handler, sent again. SES has no idempotency, so nothing on this side can close that window.
 */
import type { JobStatus } from '../lib/index.js';
import type { ChaosEvent } from './effects.js';
import { CHAOS_PERMANENT_CODE, chaosRun } from './job.js';
import type { ChaosPlan } from './plan.js';

export interface DeadLetter {
  /** From the message body; undefined when the body is not an envelope. */
  readonly jobId: string | undefined;
  /** The `hangar.error-code` reason attribute. */
  readonly errorCode: string | undefined;
}

/** The e-mail jobs of a run with infrastructure faults, as found at the end. */
export interface EmailObservation {
  /** The job id each e-mail job got, by its `n`. */
  readonly jobIds: readonly string[];
  /** Every chaos e-mail in the SES store, in the order SES accepted them. */
  readonly sent: readonly { readonly n: number; readonly messageId: string }[];
  /** The SES message ids whose answer reached the handler (it logged them). */
  readonly acknowledged: ReadonlySet<string>;
  /** Every `email.send` record: job id → status. */
  readonly ledger: ReadonlyMap<string, JobStatus>;
  readonly deadLetters: readonly DeadLetter[];
  /** Messages left on the e-mail queue. */
  readonly queueDepth: number;
}

/** The keyed jobs, as found at the end. */
export interface KeyedObservation {
  /** The job id each keyed job got, by its `n`. */
  readonly jobIds: readonly string[];
  /** The most runs of one key allowed at once. */
  readonly limit: number;
  /** Every `chaos.keyed` record: job id → status. */
  readonly ledger: ReadonlyMap<string, JobStatus>;
  readonly deadLetters: readonly DeadLetter[];
  readonly queueDepth: number;
}

/** What the check found of the keyed jobs. */
export interface KeyedVerdict {
  readonly jobs: number;
  readonly succeeded: number;
  /** The most runs of one key that overlapped (from their start and end events). */
  readonly maxConcurrent: number;
  readonly limit: number;
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
  /** Only in a run with infrastructure faults. */
  readonly emails?: EmailObservation;
  /** The keyed jobs, when the run sent any. */
  readonly keyed?: KeyedObservation;
  /**
   * Calls may have been carried out with their answers lost: under infrastructure faults, and on
   * any machine slow enough for an SDK attempt to outlast its request timeout while the emulator
   * still carries it out. A dead letter sent again by the SDK is then expected — a standard queue
   * cannot drop the repeat — and counted apart (`extraDeadLetters`) instead of failing the run.
   */
  readonly answersMayBeLost?: boolean;
  /**
   * Per job, receives of its message that SQS carried out but whose answer never reached the
   * event source (a run with infrastructure faults). SQS counts each as a receive, and the worker
   * counts attempts by receives, so each costs the job an attempt it never ran.
   */
  readonly lostReceives?: ReadonlyMap<string, number>;
}

export interface ChaosVerdict {
  /** Jobs with their side effect recorded and their record `succeeded`. */
  readonly succeeded: number;
  /** Distinct jobs in the DLQs. */
  readonly dead: number;
  readonly expectedDead: number;
  /** Jobs that neither recorded their side effect nor reached a DLQ. */
  readonly lost: number;
  /** Jobs whose side effect happened more than once, outside the SES window. */
  readonly duplicateEffects: number;
  /** E-mail jobs sent more than once only because SES's answer never reached the handler. */
  readonly duplicateEffectsInWindow: number;
  /**
   * Jobs dead-lettered with attempts to spare only because receives of theirs were lost: their
   * failures plus their lost receives reached the attempt limit (see `lostReceives`).
   */
  readonly deadEarly: number;
  /** Planned permanent failures whose handler ran again after the job was dead. */
  readonly deadRanAgain: number;
  /** Jobs whose ledger status disagrees with where their message is. */
  readonly ledgerMismatches: number;
  /** Jobs whose record never reached a final status (`running`, `retrying`, `queued`, `scheduled`). */
  readonly stuck: number;
  readonly drained: boolean;
  /** DLQ messages beyond one per job (a job dead-lettered twice, or one send carried out twice). */
  readonly extraDeadLetters: number;
  /** The keyed jobs, when the run sent any. */
  readonly keyed?: KeyedVerdict;
  /** Everything else that is wrong, one line each (the first few of each kind are named). */
  readonly problems: readonly string[];
  /** Every job named in a problem, one of each kind of problem first. */
  readonly problemJobs: readonly string[];
  readonly ok: boolean;
}

const EXAMPLES = 5;
const FINAL: ReadonlySet<JobStatus> = new Set(['succeeded', 'dead', 'cancelled']);

/** Counts and problems, gathered job by job over both kinds of job. */
class Tally {
  succeeded = 0;
  dead = 0;
  lost = 0;
  duplicateEffects = 0;
  duplicateEffectsInWindow = 0;
  deadEarly = 0;
  deadRanAgain = 0;
  ledgerMismatches = 0;
  stuck = 0;
  extraDeadLetters = 0;
  readonly #issues = new Map<string, string[]>();

  /** Jobs named in problems, by kind of problem. */
  readonly #jobs = new Map<string, string[]>();

  note(kind: string, example: string, jobId?: string): void {
    this.#issues.set(kind, [...(this.#issues.get(kind) ?? []), example]);
    if (jobId !== undefined) this.#jobs.set(kind, [...(this.#jobs.get(kind) ?? []), jobId]);
  }

  /** Every job named in a problem, the first of each kind first, then the second of each, … */
  problemJobs(): string[] {
    const lists = [...this.#jobs.values()];
    const longest = Math.max(0, ...lists.map((list) => list.length));
    const seen = new Set<string>();
    for (let i = 0; i < longest; i++) {
      for (const list of lists) {
        const jobId = list[i];
        if (jobId !== undefined) seen.add(jobId);
      }
    }
    return [...seen];
  }

  /** The DLQ's jobs with their reasons; bodies that are not envelopes are noted, and repeats unless allowed. */
  deadLetters(
    letters: readonly DeadLetter[],
    known: ReadonlySet<string>,
    repeatsAllowed: boolean,
  ): Map<string, string | undefined> {
    const codes = new Map<string, string | undefined>();
    let unreadable = 0;
    const repeated: string[] = [];
    for (const letter of letters) {
      if (letter.jobId === undefined) unreadable += 1;
      else if (codes.has(letter.jobId)) repeated.push(letter.jobId);
      else codes.set(letter.jobId, letter.errorCode);
    }
    for (const jobId of codes.keys())
      if (!known.has(jobId)) this.note('dead letter of an unknown job', jobId, jobId);
    if (unreadable > 0) this.note('dead letters that are not envelopes', String(unreadable));
    if (!repeatsAllowed)
      for (const jobId of repeated) this.note('jobs dead-lettered more than once', jobId, jobId);
    this.dead += codes.size;
    this.extraDeadLetters += repeated.length;
    return codes;
  }

  /** Where the message is against what the ledger says, and whether the record ever ended. */
  ledger(jobId: string, status: JobStatus | undefined, dead: boolean, drained: boolean): void {
    const shown = status ?? 'no record';
    let mismatch: string | undefined;
    if (dead && status !== 'dead') mismatch = `in the DLQ but ${shown}`;
    else if (!dead && status === 'dead') mismatch = 'dead but not in the DLQ';
    else if (!dead && drained && status !== 'succeeded' && status !== 'cancelled')
      mismatch = `gone but ${shown}`;
    if (mismatch !== undefined) {
      this.ledgerMismatches += 1;
      this.note(`ledger mismatch: ${mismatch}`, jobId, jobId);
    }
    if (status !== undefined && !FINAL.has(status)) this.stuck += 1;
  }

  problems(): string[] {
    return [...this.#issues].map(
      ([kind, examples]) =>
        `${kind}: ${examples.length} (${examples.slice(0, EXAMPLES).join(', ')}${examples.length > EXAMPLES ? ', …' : ''})`,
    );
  }
}

export function checkChaos(observation: ChaosObservation): ChaosVerdict {
  const { plan, jobIds } = observation;
  const tally = new Tally();
  const drained =
    observation.queueDepth === 0 &&
    (observation.emails?.queueDepth ?? 0) === 0 &&
    (observation.keyed?.queueDepth ?? 0) === 0;
  const effects = new Map<string, number>();
  const permanentRuns = new Map<string, number>();
  for (const event of observation.events) {
    const counter =
      event.kind === 'effect' ? effects : event.kind === 'permanent' ? permanentRuns : undefined;
    counter?.set(event.jobId, (counter.get(event.jobId) ?? 0) + 1);
  }
  const repeatsAllowed = observation.answersMayBeLost === true;
  const deadCodes = tally.deadLetters(observation.deadLetters, new Set(jobIds), repeatsAllowed);

  plan.jobs.forEach((job, n) => {
    const jobId = jobIds[n];
    if (jobId === undefined) {
      tally.lost += 1;
      tally.note('never enqueued', `#${n}`);
      return;
    }
    const count = effects.get(jobId) ?? 0;
    const status = observation.ledger.get(jobId);
    const dead = deadCodes.has(jobId);
    tally.ledger(jobId, status, dead, drained);
    if (count > 1) {
      tally.duplicateEffects += 1;
      tally.note('side effect recorded more than once', `${jobId} (${count} times)`, jobId);
    }
    if (count === 0 && !dead) tally.lost += 1;
    if (job.payload.fault === 'permanent') {
      if (!dead) tally.note('planned permanent failure not in the DLQ', jobId, jobId);
      else if (deadCodes.get(jobId) !== CHAOS_PERMANENT_CODE) {
        tally.note('dead letter with the wrong reason', `${jobId}: ${deadCodes.get(jobId) ?? 'none'}`, jobId);
      }
      if (status !== 'dead')
        tally.note('planned permanent failure not dead in the ledger', `${jobId}: ${status}`, jobId);
      if (count > 0) tally.note('side effect of a permanent failure', jobId, jobId);
      if ((permanentRuns.get(jobId) ?? 0) > 1) {
        tally.deadRanAgain += 1;
        tally.note('permanent failure run again after it was dead', jobId, jobId);
      }
      return;
    }
    if (dead) {
      const failures = (job.payload.failures ?? 0) + (observation.lostReceives?.get(jobId) ?? 0);
      if (failures >= chaosRun.retry.maxAttempts) tally.deadEarly += 1;
      else
        tally.note(
          'unplanned dead letter',
          `${jobId} (${job.payload.fault}): ${deadCodes.get(jobId) ?? 'no code'}`,
          jobId,
        );
    }
    if (count > 0 && status === 'succeeded') tally.succeeded += 1;
    else if (count > 0)
      tally.note('side effect without a succeeded record', `${jobId}: ${status ?? 'no record'}`, jobId);
    else if (status === 'succeeded') tally.note('succeeded record without its side effect', jobId, jobId);
  });
  if (observation.emails)
    checkEmails(observation.emails, tally, drained, repeatsAllowed, observation.lostReceives);
  const keyed =
    observation.keyed && checkKeyed(observation.keyed, observation.events, tally, drained, repeatsAllowed);

  const problems = tally.problems();
  const expectedDead = plan.counts.permanent;
  return {
    succeeded: tally.succeeded,
    dead: tally.dead,
    expectedDead,
    lost: tally.lost,
    duplicateEffects: tally.duplicateEffects,
    duplicateEffectsInWindow: tally.duplicateEffectsInWindow,
    deadEarly: tally.deadEarly,
    deadRanAgain: tally.deadRanAgain,
    ledgerMismatches: tally.ledgerMismatches,
    stuck: tally.stuck,
    drained,
    extraDeadLetters: tally.extraDeadLetters,
    ...(keyed ? { keyed } : {}),
    problems,
    problemJobs: tally.problemJobs(),
    ok:
      tally.lost === 0 &&
      tally.duplicateEffects === 0 &&
      tally.dead - tally.deadEarly === expectedDead &&
      drained &&
      problems.length === 0,
  };
}

/**
 * E-mail jobs: each must be sent and end `succeeded`. A job sent more than once is inside the SES
 * window only if no e-mail but its last reached the handler: every earlier one was accepted by
 * SES with its answer lost, so the worker could not know. Once the handler had a message id, any
 * later e-mail of the job is the worker's own doing.
 */
function checkEmails(
  emails: EmailObservation,
  tally: Tally,
  drained: boolean,
  repeatsAllowed: boolean,
  lostReceives: ReadonlyMap<string, number> | undefined,
): void {
  const sent = new Map<number, string[]>();
  for (const email of emails.sent) sent.set(email.n, [...(sent.get(email.n) ?? []), email.messageId]);
  const deadCodes = tally.deadLetters(emails.deadLetters, new Set(emails.jobIds), repeatsAllowed);
  emails.jobIds.forEach((jobId, n) => {
    const messageIds = sent.get(n) ?? [];
    const status = emails.ledger.get(jobId);
    const dead = deadCodes.has(jobId);
    tally.ledger(jobId, status, dead, drained);
    if (messageIds.length === 0 && !dead) tally.lost += 1;
    if (messageIds.length > 1) {
      const answeredBeforeLast = messageIds.slice(0, -1).some((id) => emails.acknowledged.has(id));
      if (answeredBeforeLast) {
        tally.duplicateEffects += 1;
        tally.note(
          'e-mail sent again after SES answered the handler',
          `${jobId} (${messageIds.length} e-mails)`,
          jobId,
        );
      } else tally.duplicateEffectsInWindow += 1;
    }
    // An e-mail job fails only through AWS's faults: any lost receive may have cost its last attempt.
    if (dead && (lostReceives?.get(jobId) ?? 0) > 0) tally.deadEarly += 1;
    else if (dead)
      tally.note('unplanned dead letter', `${jobId} (e-mail): ${deadCodes.get(jobId) ?? 'no code'}`, jobId);
    else if (messageIds.length > 0 && status === 'succeeded') tally.succeeded += 1;
    else if (messageIds.length > 0)
      tally.note('e-mail sent without a succeeded record', `${jobId}: ${status ?? 'no record'}`, jobId);
    else if (status === 'succeeded') tally.note('succeeded e-mail job without an e-mail', jobId, jobId);
  });
}

/**
 * Keyed jobs: each must run to its end once and end `succeeded`, and no more runs of one key may
 * overlap than the limit allows. A run holds its slot from before its start event to after its
 * end event, so overlapping events mean overlapping slots (an end and a start at the same
 * millisecond are taken in that order).
 */
function checkKeyed(
  keyed: KeyedObservation,
  events: readonly ChaosEvent[],
  tally: Tally,
  drained: boolean,
  repeatsAllowed: boolean,
): KeyedVerdict {
  const ends = new Map<string, number>();
  const edges = new Map<string, { at: number; delta: number }[]>();
  for (const event of events) {
    if (event.kind !== 'keyed-start' && event.kind !== 'keyed-end') continue;
    if (event.kind === 'keyed-end') ends.set(event.jobId, (ends.get(event.jobId) ?? 0) + 1);
    const key = event.key ?? '';
    edges.set(key, [
      ...(edges.get(key) ?? []),
      { at: event.at ?? 0, delta: event.kind === 'keyed-start' ? 1 : -1 },
    ]);
  }
  let maxConcurrent = 0;
  for (const [key, list] of edges) {
    const most = Math.max(0, ...runningCounts(list.sort((x, y) => x.at - y.at || x.delta - y.delta)));
    maxConcurrent = Math.max(maxConcurrent, most);
    if (most > keyed.limit)
      tally.note('keyed limit exceeded', `${key}: ${most} at once, limit ${keyed.limit}`);
  }
  const deadCodes = tally.deadLetters(keyed.deadLetters, new Set(keyed.jobIds), repeatsAllowed);
  let succeeded = 0;
  for (const jobId of keyed.jobIds) {
    const count = ends.get(jobId) ?? 0;
    const status = keyed.ledger.get(jobId);
    const dead = deadCodes.has(jobId);
    tally.ledger(jobId, status, dead, drained);
    if (count === 0 && !dead) tally.lost += 1;
    if (count > 1) {
      tally.duplicateEffects += 1;
      tally.note('keyed job run more than once', `${jobId} (${count} times)`, jobId);
    }
    if (dead)
      tally.note('unplanned dead letter', `${jobId} (keyed): ${deadCodes.get(jobId) ?? 'no code'}`, jobId);
    else if (count > 0 && status === 'succeeded') succeeded += 1;
    else if (count > 0)
      tally.note('keyed job run without a succeeded record', `${jobId}: ${status ?? 'no record'}`, jobId);
  }
  return { jobs: keyed.jobIds.length, succeeded, maxConcurrent, limit: keyed.limit };
}

/** Runs of one key in progress after each of its edges, in order. */
function runningCounts(edges: readonly { readonly delta: number }[]): number[] {
  let running = 0;
  return edges.map((edge) => {
    running += edge.delta;
    return running;
  });
}

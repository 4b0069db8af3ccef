/**
 * The chaos run's fault plan: which job fails how, drawn from a seed, so any run can be repeated
 * exactly. Rates are per job; every kind is planned at least once whenever there are enough jobs,
 * so a small run still exercises each.
 */
import { seededRandom } from '../local/faults/seeded-random.js';
import { type ChaosFault, type ChaosPayload, chaosRun } from './job.js';

/** Share of jobs given each fault (the rest run normally), and of jobs also injected twice. */
export const CHAOS_RATES = {
  /** Fails a random number of attempts below the limit, then succeeds. */
  transient: 0.1,
  /** Fails permanently on its first attempt: ends in the DLQ with its reason. */
  permanent: 0.01,
  /** Runs until its signal fires (the deadline margin): later records of its batch are handed back. */
  slow: 0.003,
  /** Ignores its signal past the worker's hard stop: the worker keeps the record and returns. */
  stuck: 0.002,
  /** Holds the CPU past the function timeout: the whole invocation is terminated. */
  blocking: 0.001,
  /** Its message is sent to the queue a second time (only some kinds, see `DUPLICABLE`). */
  duplicate: 0.01,
} as const;

/** The longest extra delay of an injected copy, so some copies meet the job running and some after. */
export const DUPLICATE_MAX_DELAY_SECONDS = 5;

export interface PlannedJob {
  readonly payload: ChaosPayload;
  /** Seconds after the original that a second copy of the message is sent, if one is. */
  readonly duplicateDelaySeconds: number | undefined;
}

export interface ChaosPlan {
  readonly seed: number;
  readonly jobs: readonly PlannedJob[];
  /** Jobs per fault, and jobs injected twice. */
  readonly counts: Readonly<Record<ChaosFault | 'duplicate', number>>;
  /** Failing attempts planned over all transient jobs. */
  readonly transientFailures: number;
}

const FAULT_KINDS = ['transient', 'permanent', 'slow', 'stuck', 'blocking'] as const;

/**
 * Jobs whose message may be injected twice. Not a permanent failure: its second copy would be
 * dead-lettered again, since the ledger lets a dead job be claimed (as a redrive must) and cannot
 * tell an injected copy from a redrive. Not the deadline faults either: a second copy of a job
 * that stalls its invocation only stretches the run.
 */
const DUPLICABLE: ReadonlySet<ChaosFault> = new Set(['none', 'transient']);

/**
 * Plans `jobs` jobs from `seed`.
 * @example
 * const plan = planChaos(10_000, 42); // plan.counts.permanent ≈ 100
 */
export function planChaos(jobs: number, seed: number): ChaosPlan {
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new RangeError(`jobs must be a positive integer, got ${jobs}`);
  const random = seededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const faults: ChaosFault[] = Array.from({ length: jobs }, () => {
    let roll = random();
    for (const kind of FAULT_KINDS) {
      if (roll < CHAOS_RATES[kind]) return kind;
      roll -= CHAOS_RATES[kind];
    }
    return 'none';
  });
  // Every kind at least once: a fault that never fires proves nothing.
  for (const kind of FAULT_KINDS) {
    if (faults.includes(kind)) continue;
    const candidates = faults.flatMap((fault, index) => (fault === 'none' ? [index] : []));
    if (candidates.length > 0) faults[candidates[pick(candidates.length)] as number] = kind;
  }
  const maxFailures = chaosRun.retry.maxAttempts - 1;
  const planned = faults.map((fault, n): PlannedJob => {
    const failures = fault === 'transient' ? 1 + pick(maxFailures) : undefined;
    const duplicate = DUPLICABLE.has(fault) && random() < CHAOS_RATES.duplicate;
    return {
      payload: { n, fault, ...(failures === undefined ? {} : { failures }) },
      duplicateDelaySeconds: duplicate ? pick(DUPLICATE_MAX_DELAY_SECONDS + 1) : undefined,
    };
  });
  if (!planned.some((job) => job.duplicateDelaySeconds !== undefined)) {
    const candidates = planned.flatMap((job, index) => (job.payload.fault === 'none' ? [index] : []));
    const index = candidates[pick(candidates.length)];
    const job = index === undefined ? undefined : planned[index];
    if (index !== undefined && job) planned[index] = { ...job, duplicateDelaySeconds: 0 };
  }
  const counts = { none: 0, transient: 0, permanent: 0, slow: 0, stuck: 0, blocking: 0, duplicate: 0 };
  let transientFailures = 0;
  for (const job of planned) {
    counts[job.payload.fault] += 1;
    if (job.duplicateDelaySeconds !== undefined) counts.duplicate += 1;
    transientFailures += job.payload.failures ?? 0;
  }
  return { seed, jobs: planned, counts, transientFailures };
}

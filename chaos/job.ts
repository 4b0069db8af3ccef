/**
 * The chaos run's test job. Its payload carries the fault the planner chose for it, so a job's
 * behaviour is fixed when it is enqueued and reproducible from the seed. Small numbers keep a run
 * short: a 2 s timeout (so a 12 s visibility timeout), backoff of 1–2 s, records one at a time
 * within an invocation.
 */
import * as z from 'zod/mini';
import { AWS_CLIENT_TIMEOUTS } from '../lib/constants.js';
import { createRegistry, defineJob, JOB_DEFAULTS } from '../lib/index.js';
import { type EmailPayload, emailSend } from '../lib/jobs/builtin/index.js';

/** What a job does wrong, if anything. */
export const CHAOS_FAULTS = ['none', 'transient', 'permanent', 'slow', 'stuck', 'blocking'] as const;
export type ChaosFault = (typeof CHAOS_FAULTS)[number];

export const chaosPayload = z.strictObject({
  n: z.int().check(z.minimum(0)),
  fault: z.enum(CHAOS_FAULTS),
  /** `transient`: how many attempts fail before one succeeds (below the attempt limit). */
  failures: z.optional(z.int().check(z.minimum(1))),
});
export type ChaosPayload = z.output<typeof chaosPayload>;

/** The chaos job with a given timeout (see `chaosRun` and `chaosRunUnderFaults`). */
function chaosRunJob(timeoutSeconds: number) {
  return defineJob({
    name: 'chaos.run',
    description: 'Records one side effect, after whatever fault its payload asks for.',
    schema: chaosPayload,
    retry: { maxAttempts: 5, baseDelaySeconds: 1, maxDelaySeconds: 2 },
    timeoutSeconds,
    deadlineMarginMs: 1_000,
    // One record at a time: a record starts only when the one before it has finished, ledger write
    // included, so a terminated invocation never cuts a finished side effect from its record.
    batch: { size: 10, windowSeconds: 0, maxConcurrency: 5, recordConcurrency: 1 },
    useLedger: true,
  });
}

export const chaosRun = chaosRunJob(2);

/**
 * A timeout with room for one SDK call held through all of its attempts on top of a deadline
 * margin, as production timeouts have: with AWS's own failures in play, a 2 s invocation would
 * end at its hard stop whenever one call is held, which no deployed job sees.
 */
function timeoutForHeldCalls(deadlineMarginMs: number): number {
  return Math.ceil(
    (AWS_CLIENT_TIMEOUTS.maxAttempts * AWS_CLIENT_TIMEOUTS.requestTimeoutMs + deadlineMarginMs) / 1000,
  );
}

/** The chaos job of a run with infrastructure faults: `chaosRun` with room for held calls. */
export const chaosRunUnderFaults = chaosRunJob(timeoutForHeldCalls(chaosRun.deadlineMarginMs));

/** Set (to any value) in the chaos worker's environment in a run with infrastructure faults. */
export const CHAOS_INFRA_VARIABLE = 'HANGAR_CHAOS_INFRA';

/**
 * The run's keyed job: at most `CHAOS_KEYED.limit` jobs of one key at once, across the instances
 * of its worker (three, five records each), which take more records than that. Its handler notes
 * when each run starts and ends, and the check finds the most runs of one key that overlapped.
 */
export const CHAOS_KEYED = {
  /** Keys the keyed jobs are spread over. */
  keys: 5,
  limit: 2,
  /** Keyed jobs, as a share of the run's planned chaos jobs. */
  share: 0.1,
  /** How long a run holds its slot: long enough for runs of one key to overlap if allowed. */
  runMs: 50,
} as const;

export const chaosKeyedPayload = z.strictObject({ n: z.int().check(z.minimum(0)), key: z.string() });

export const chaosKeyed = defineJob({
  name: 'keyed.run',
  description: 'Holds a slot of its key for a moment; never more than CHAOS_KEYED.limit per key at once.',
  schema: chaosKeyedPayload,
  concurrency: { key: (p) => p.key, limit: CHAOS_KEYED.limit },
  retry: { maxAttempts: 5, baseDelaySeconds: 1, maxDelaySeconds: 2 },
  // It misbehaves in no way of its own; under AWS's faults, its ends need the room to be written.
  timeoutSeconds: timeoutForHeldCalls(1_000),
  deadlineMarginMs: 1_000,
  batch: { size: 10, windowSeconds: 0, maxConcurrency: 3, recordConcurrency: 5 },
  useLedger: true,
});

/** The key of the n-th keyed job. */
export const chaosKey = (n: number): string => `key-${n % CHAOS_KEYED.keys}`;

export const chaosRegistry = createRegistry([chaosRun, chaosKeyed]);

/**
 * `email.send` as the run with infrastructure faults declares it: the built-in job, run by the
 * real e-mail worker, with a timeout just long enough for one SDK call held through all of its
 * attempts on top of the deadline margin — as the built-in 30 s timeout is in production — but no
 * longer (so a visibility timeout of 72 s instead of 181 s), and backoff of 1–2 s. Everything else
 * — schema, attempts, resources — is the built-in declaration's.
 */
export const chaosEmailSend = defineJob({
  name: emailSend.name,
  description: emailSend.description,
  schema: emailSend.schema,
  retry: { maxAttempts: emailSend.retry.maxAttempts, baseDelaySeconds: 1, maxDelaySeconds: 2 },
  timeoutSeconds: Math.ceil(
    (AWS_CLIENT_TIMEOUTS.maxAttempts * AWS_CLIENT_TIMEOUTS.requestTimeoutMs + JOB_DEFAULTS.deadlineMarginMs) /
      1000,
  ),
  resources: emailSend.resources,
});

/** The jobs of a run with infrastructure faults: the chaos job and real e-mails. */
export const chaosInfraRegistry = createRegistry([chaosRunUnderFaults, chaosKeyed, chaosEmailSend]);

const EMAIL_SUBJECT = 'chaos e-mail ';

/** The e-mail of the n-th e-mail job: its subject names it, so the SES store can be read by job. */
export function chaosEmail(n: number): EmailPayload {
  return { to: [`chaos-${n}@example.com`], subject: `${EMAIL_SUBJECT}${n}`, text: 'Sent by the chaos run.' };
}

/** The n of a chaos e-mail, from its subject; undefined for any other subject. */
export function chaosEmailNumber(subject: string): number | undefined {
  if (!subject.startsWith(EMAIL_SUBJECT)) return undefined;
  const n = Number(subject.slice(EMAIL_SUBJECT.length));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** The error code of a planned permanent failure, as it reaches the DLQ's reason attributes. */
export const CHAOS_PERMANENT_CODE = 'CHAOS_PERMANENT';

/** How long a `blocking` job keeps the CPU busy on its first run: past the function timeout. */
export function chaosBlockingMs(job: Pick<typeof chaosRun, 'timeoutSeconds'>): number {
  return job.timeoutSeconds * 1000 + 1_000;
}

/**
 * How long a `stuck` job sleeps on its first run, ignoring its signal: past the worker's hard
 * stop, but well within its claim's lease (timeout + 1 s), so the finished attempt is recorded
 * before anyone else may claim the job.
 */
export function chaosStuckMs(job: Pick<typeof chaosRun, 'timeoutSeconds'>): number {
  return job.timeoutSeconds * 1000 + 500;
}

/** The variable through which the handler learns where its side-effect log lives. */
export const CHAOS_DIR_VARIABLE = 'HANGAR_CHAOS_DIR';

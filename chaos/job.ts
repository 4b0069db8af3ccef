/**
 * The chaos run's test job. Its payload carries the fault the planner chose for it, so a job's
 * behaviour is fixed when it is enqueued and reproducible from the seed. Small numbers keep a run
 * short: a 2 s timeout (so a 12 s visibility timeout), backoff of 1–2 s, records one at a time
 * within an invocation.
 */
import * as z from 'zod/mini';
import { createRegistry, defineJob } from '../lib/index.js';

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

export const chaosRun = defineJob({
  name: 'chaos.run',
  description: 'Records one side effect, after whatever fault its payload asks for.',
  schema: chaosPayload,
  retry: { maxAttempts: 5, baseDelaySeconds: 1, maxDelaySeconds: 2 },
  timeoutSeconds: 2,
  deadlineMarginMs: 1_000,
  // One record at a time: a record starts only when the one before it has finished, ledger write
  // included, so a terminated invocation never cuts a finished side effect from its record.
  batch: { size: 10, windowSeconds: 0, maxConcurrency: 5, recordConcurrency: 1 },
  useLedger: true,
});

export const chaosRegistry = createRegistry([chaosRun]);

/** The error code of a planned permanent failure, as it reaches the DLQ's reason attributes. */
export const CHAOS_PERMANENT_CODE = 'CHAOS_PERMANENT';

/** How long a `blocking` job keeps the CPU busy on its first attempt: past the function timeout. */
export const CHAOS_BLOCKING_MS = chaosRun.timeoutSeconds * 1000 + 1_000;

/**
 * How long a `stuck` job sleeps on its first attempt, ignoring its signal: past the worker's hard
 * stop, but well within its claim's lease (timeout + 1 s), so the finished attempt is recorded
 * before anyone else may claim the job.
 */
export const CHAOS_STUCK_MS = chaosRun.timeoutSeconds * 1000 + 500;

/** The variable through which the handler learns where its side-effect log lives. */
export const CHAOS_DIR_VARIABLE = 'HANGAR_CHAOS_DIR';

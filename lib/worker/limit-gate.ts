/**
 * The gate a record of a job with declared limits passes before its claim (so a job held back
 * costs no ledger write and no attempt): its debounce window (wait for its start, then run the
 * last payload), its unique key (a duplicate sent straight to SQS is dropped and counted on the
 * job that holds the key), a concurrency slot, then a start under the rate limit. A job over a
 * limit is deferred — a fresh copy, delayed until a slot or a start is expected, with jitter —
 * neither run nor failed. Jobs without limits never come here.
 */
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { ERROR_CODES, PermanentJobError } from '../errors.js';
import type { LimitStore } from '../limits/limit-store.js';
import type { JobLimits } from '../limits/options.js';
import { LIMIT_RULES } from '../limits/options.js';
import { backoffDelay, sleep } from '../retry/backoff.js';
import { describeIssues, toValidationIssues } from '../validation.js';
import { Attempt } from './attempt.js';
import { describeError } from './describe-error.js';
import { DONE, type Outcome } from './outcome.js';
import { WORKER_LOG_MESSAGES } from './rules.js';
import type { InvocationScope } from './runtime.js';
import { endAsDead } from './settlement.js';
import { defer, deferralsOf } from './sqs-actions.js';

/** A record let through: the attempt to run (with the debounced payload), and what to give back after it. */
export class Admission {
  readonly attempt: Attempt;
  readonly #release: (() => Promise<void>) | undefined;

  constructor(attempt: Attempt, release: (() => Promise<void>) | undefined) {
    this.attempt = attempt;
    this.#release = release;
  }

  /** Gives back the concurrency slot, if one is held; never rejects (an unreleased slot ends with its lease). */
  async release(rt: InvocationScope): Promise<void> {
    if (this.#release === undefined) return;
    try {
      await this.#release();
    } catch (error) {
      rt.worker.logger.warn(WORKER_LOG_MESSAGES.slotNotReleased, {
        jobId: this.attempt.envelope.jobId,
        error: describeError(error).message,
      });
    }
  }
}

/**
 * Lets the attempt through its job's limits, or resolves what became of its record instead. A key
 * function that fails is the job's bug: dead. Limit state that cannot be read or written (the
 * table throttles, the network blips) is no fault of the job: it is deferred, spending no attempt.
 */
export async function admit(
  rt: InvocationScope,
  attempt: Attempt,
  limits: JobLimits<unknown>,
  store: LimitStore,
): Promise<Admission | Outcome> {
  // Set once a slot is held, so that a failure after it gives the slot back.
  let held: Admission | undefined;
  try {
    return await pass(rt, attempt, limits, store, (slot) => {
      held = slot;
    });
  } catch (error) {
    await held?.release(rt);
    if (error instanceof PermanentJobError) {
      return endAsDead(rt, attempt.record, attempt.ledger, attempt.ref, error, undefined);
    }
    rt.worker.logger.warn(WORKER_LOG_MESSAGES.limitStateFailed, {
      jobId: attempt.envelope.jobId,
      error: describeError(error).message,
    });
    return deferred(rt, attempt.record, slotWaitMs(rt, attempt.record), 'unavailable');
  }
}

async function pass(
  rt: InvocationScope,
  attempt: Attempt,
  limits: JobLimits<unknown>,
  store: LimitStore,
  holding: (slot: Admission) => void,
): Promise<Admission | Outcome> {
  const { record, envelope, job } = attempt;
  let current = attempt;
  if (limits.debounce) {
    const key = keyOf(limits.debounce, current.payload, 'debounce');
    const payload = await debounced(rt, store, job.name, key, envelope.jobId);
    if (typeof payload === 'number') return deferred(rt, record, payload, 'debounce');
    if (payload !== NONE) current = withPayload(current, payload.value);
  }
  if (limits.unique) {
    const key = keyOf(limits.unique, current.payload, 'unique');
    const { seconds } = limits.unique;
    const held = await store.holdUniqueKey({ jobName: job.name, key, jobId: envelope.jobId, seconds });
    if (!held.held) {
      const duplicate = { jobName: job.name, key, jobId: envelope.jobId };
      return dropDuplicate(rt, store, record, duplicate, held.jobId);
    }
  }
  const slotKey = limits.concurrency && keyOf(limits.concurrency, current.payload, 'concurrency');
  const rateKey = limits.rateLimit && keyOf(limits.rateLimit, current.payload, 'rateLimit');

  let admission = new Admission(current, undefined);
  if (limits.concurrency && slotKey !== undefined) {
    const request = { jobName: job.name, key: slotKey, holder: record.messageId };
    const slot = await store.takeSlot({
      ...request,
      limit: limits.concurrency.limit,
      jobId: envelope.jobId,
      // The slot is taken before the wait for a start: its lease covers both.
      leaseMs: current.ref.leaseMs + LIMIT_RULES.maxInProcessWaitMs,
    });
    // No way to know when a slot frees short of its lease: back off, from a second, doubling.
    if (!slot.taken) return deferred(rt, record, slotWaitMs(rt, record), 'concurrency');
    admission = new Admission(current, () => store.releaseSlot(request, slot.slot));
    holding(admission);
  }
  if (limits.rateLimit && rateKey !== undefined) {
    const waitMs = await startUnderRate(rt, store, job.name, rateKey, limits.rateLimit, envelope.jobId);
    if (waitMs > 0) {
      await admission.release(rt);
      return deferred(rt, record, waitMs * (1 + JITTER * rt.worker.random()), 'rateLimit');
    }
  }
  return admission;
}

/** The wait before a record's next try for a slot: from a second, doubling with each deferral, with jitter. */
function slotWaitMs(rt: InvocationScope, record: SQSRecord): number {
  const seconds = backoffDelay(
    deferralsOf(record) + 1,
    LIMIT_RULES.slotWaitBaseSeconds,
    LIMIT_RULES.slotWaitMaxSeconds,
    rt.worker.random,
  );
  return seconds * 1000;
}

/** Deferrals by the rate limit come back up to this fraction of their wait later, spreading ties. */
const JITTER = 0.1;

const NONE = Symbol('no debounce window');

/**
 * The debounce window of the job: its last payload once the window is taken (waiting for the start
 * in the invocation when it is near), `NONE` when no window names this job, or the milliseconds to
 * defer it by.
 */
async function debounced(
  rt: InvocationScope,
  store: LimitStore,
  jobName: string,
  key: string,
  jobId: string,
): Promise<{ readonly value: unknown } | typeof NONE | number> {
  for (let round = 1; round <= LIMIT_RULES.contentionRounds; round++) {
    const window = await store.takeWindow(jobName, key, jobId);
    if (window === undefined) {
      await store.pause();
      continue;
    }
    if (window.state === 'none') return NONE;
    if (window.state === 'started') return { value: window.payload };
    if (window.waitMs > inProcessBudgetMs(rt)) return window.waitMs;
    await sleep(window.waitMs);
  }
  return LIMIT_RULES.slotWaitBaseSeconds * 1000;
}

/**
 * Takes a start under the rate limit, waiting in the invocation for one granted in the near
 * future. Resolves 0 once the start has come, else the milliseconds to defer the job by.
 */
async function startUnderRate(
  rt: InvocationScope,
  store: LimitStore,
  jobName: string,
  key: string,
  rate: { readonly limit: number; readonly perSeconds: number },
  jobId: string,
): Promise<number> {
  const intervalMs = (rate.perSeconds * 1000) / rate.limit;
  for (let round = 1; round <= LIMIT_RULES.contentionRounds; round++) {
    const start = await store.takeStart({ jobName, key, intervalMs, maxWaitMs: inProcessBudgetMs(rt) });
    if (start === undefined) {
      await store.pause();
      continue;
    }
    if (!start.granted) return Math.max(start.deferMs, 1);
    rt.worker.logger.debug(WORKER_LOG_MESSAGES.rateStart, { jobId, startAt: start.startAt });
    // Never before the granted time (timers may fire a little early).
    for (let left = start.startAt - Date.now(); left > 0; left = start.startAt - Date.now())
      await sleep(left);
    return 0;
  }
  return intervalMs;
}

/** How long a record may wait in this invocation for its limit: a little, and at most half of what is left. */
function inProcessBudgetMs(rt: InvocationScope): number {
  return Math.min(LIMIT_RULES.maxInProcessWaitMs, rt.deadline.remainingMs() / 2);
}

async function deferred(
  rt: InvocationScope,
  record: SQSRecord,
  waitMs: number,
  limit: 'debounce' | 'concurrency' | 'rateLimit' | 'unavailable',
): Promise<Outcome> {
  const delaySeconds = Math.ceil(waitMs / 1000);
  const deferrals = deferralsOf(record);
  rt.worker.logger.debug(WORKER_LOG_MESSAGES.deferred, { messageId: record.messageId, limit, delaySeconds });
  return defer(rt, record, delaySeconds, deferrals);
}

async function dropDuplicate(
  rt: InvocationScope,
  store: LimitStore,
  record: SQSRecord,
  duplicate: { readonly jobName: string; readonly key: string; readonly jobId: string },
  holder: string,
): Promise<Outcome> {
  rt.worker.logger.info(WORKER_LOG_MESSAGES.duplicateDropped, {
    jobId: duplicate.jobId,
    heldBy: holder,
    messageId: record.messageId,
  });
  try {
    await store.recordDuplicate(duplicate.jobName, duplicate.key, holder);
  } catch (error) {
    rt.worker.logger.warn(WORKER_LOG_MESSAGES.duplicateNotRecorded, {
      jobId: holder,
      error: describeError(error).message,
    });
  }
  return DONE;
}

/** The key a limit's function gives the payload; a function that throws or gives no text is the job's bug. */
function keyOf(limit: { key(payload: unknown): string }, payload: unknown, option: string): string {
  let key: unknown;
  try {
    key = limit.key(payload);
  } catch (cause) {
    throw new PermanentJobError(`${option}.key threw: ${describeError(cause).message}`, {
      code: ERROR_CODES.jobDefinition,
      cause,
    });
  }
  if (typeof key !== 'string' || key === '') {
    throw new PermanentJobError(`${option}.key must return a non-empty string`, {
      code: ERROR_CODES.jobDefinition,
    });
  }
  return key;
}

/** The attempt with the debounced payload: in its envelope too, so that a retry carries it. */
function withPayload(attempt: Attempt, payload: unknown): Attempt {
  const parsed = z.safeParse(attempt.job.schema, payload);
  if (!parsed.success) {
    const issues = toValidationIssues(parsed.error.issues, 'payload');
    throw new PermanentJobError(
      `Invalid debounced payload for job "${attempt.job.name}": ${describeIssues(issues)}`,
      {
        code: ERROR_CODES.validation,
      },
    );
  }
  return new Attempt(
    attempt.record,
    attempt.binding,
    { ...attempt.envelope, payload: payload as typeof attempt.envelope.payload },
    attempt.attempt,
    parsed.data,
    attempt.ledger,
    attempt.settlement,
  );
}

/**
 * One record from start to fate, and the ledger protocol around its attempt: hand it back
 * unstarted when told to, else prepare the attempt (./attempt.ts), claim it when the job is on the
 * ledger, run the handler, then record success or the continuation — or, when the handler
 * throws, retry or dead-letter it as the retry policy decides. The one place a handler runs, is
 * timed and is counted.
 *
 * Why one function, not a layer per step: on the common path (a valid job without the ledger) a
 * record then costs one promise of this function besides the handler's own, and each further
 * async layer per record would add about a tenth to the worker's overhead (`npm run bench --
 * --only workerOverhead`). A job without the ledger skips the claim and the ledger writes.
 */
import type { SQSRecord } from 'aws-lambda';
import { METRIC_NAMES } from '../constants.js';
import { JobError } from '../errors.js';
import { Attempt, prepareAttempt } from './attempt.js';
import { describeError } from './describe-error.js';
import { AttemptContext } from './job-context.js';
import { Admission, admit } from './limit-gate.js';
import { DONE, type Fate, KEPT, type Outcome } from './outcome.js';
import { decideRetry } from './retry-policy.js';
import { WORKER_LOG_MESSAGES, WORKER_RULES } from './rules.js';
import type { InvocationScope } from './runtime.js';
import { isFinal, settleCall } from './settle-call.js';
import { endAsDead, endFromMessage, recordEnd, type Settlement } from './settlement.js';
import { handBack, sendRetry } from './sqs-actions.js';
import type { ClaimResult, JobLedger, JobResult } from './types.js';

/** The invocation as a record's run sees it: its scope, and where the record's fate is kept. */
export interface RecordRun extends InvocationScope {
  /** Keeps the fate of the record at `slot` (the first fate kept stands). */
  settle(slot: number, fate: Fate): void;
  /**
   * Says that the record at `slot` has an end to write (its job ran, or was judged dead), until
   * its fate is kept: at the hard stop the invocation sends that end along with the record.
   */
  holdEnd(slot: number, record: SQSRecord, settlement: Settlement): void;
  /** Whether the invocation has answered: nothing may start after that. */
  readonly closed: boolean;
}

/**
 * Runs one record — or, when `blocked` (FIFO: an earlier record of its group did not complete)
 * or once the margin is reached, hands it back unstarted — and keeps its fate at `slot`. Never
 * rejects. Resolves whether the record completed. On the ledger, a success costs exactly two
 * writes: the claim, and `succeed` (or `continued`, when the handler called `continueWith`).
 */
export async function runRecord(
  rt: RecordRun,
  record: SQSRecord,
  slot: number,
  blocked: boolean,
): Promise<boolean> {
  try {
    if (blocked || rt.deadline.reached) {
      return settled(rt, slot, await handBack(rt, record, WORKER_RULES.handBackDelaySeconds));
    }
    const prepared = prepareAttempt(rt, record);
    if (!(prepared instanceof Attempt)) return settled(rt, slot, await prepared);
    if (prepared.settlement !== undefined) {
      rt.holdEnd(slot, record, prepared.settlement);
      return settled(
        rt,
        slot,
        await endFromMessage(rt, record, prepared.ledger, prepared.ref, prepared.settlement),
      );
    }
    let attempt = prepared;
    let admission: Admission | undefined;
    const { limits } = prepared.job;
    if (limits !== undefined && rt.worker.limits !== undefined) {
      const gate = await admit(rt, prepared, limits, rt.worker.limits);
      if (!(gate instanceof Admission)) return settled(rt, slot, gate);
      admission = gate;
      attempt = gate.attempt;
    }
    try {
      const { ledger } = attempt;
      if (ledger !== undefined) {
        const refusal = await claimAttempt(rt, attempt, ledger);
        if (refusal !== undefined) return settled(rt, slot, refusal);
      }

      // A claim that lands after the invocation answered must not run: its record was handed back
      // or reported unfinished; the lease it holds ends by itself.
      if (rt.closed) return false;
      const context = new AttemptContext(rt, attempt);
      const started = Date.now();
      let result: JobResult | undefined;
      try {
        result = (await attempt.binding.handler(attempt.payload, context)) ?? undefined;
      } catch (error) {
        rt.metrics.duration(Date.now() - started);
        return settled(rt, slot, await failAttempt(rt, slot, attempt, error));
      }
      rt.metrics.duration(Date.now() - started);

      const { continuedAs, token } = attempt;
      rt.metrics.count(continuedAs === undefined ? METRIC_NAMES.succeeded : METRIC_NAMES.continued);
      if (ledger === undefined || token === undefined) return settled(rt, slot, DONE);
      const end =
        continuedAs === undefined
          ? ({ outcome: 'succeeded', token, ...(result === undefined ? {} : { result }) } as const)
          : ({ outcome: 'continued', token, continuation: continuedAs } as const);
      rt.holdEnd(slot, record, end);
      return settled(rt, slot, await recordEnd(rt, record, ledger, attempt.ref, end));
    } finally {
      // Its slot goes back once the job's end is written (or its record handed back).
      if (admission !== undefined) await admission.release(rt);
    }
  } catch (error) {
    // Only our own SQS or ledger calls land here (handler errors are classified in failAttempt).
    // Keeping the record is always safe: it comes back after its visibility timeout.
    rt.worker.logger.error(WORKER_LOG_MESSAGES.unsettled, {
      messageId: record.messageId,
      error: describeError(error),
    });
    return settled(rt, slot, KEPT);
  }
}

function settled(rt: RecordRun, slot: number, outcome: Outcome): boolean {
  rt.settle(slot, outcome.fate);
  return outcome.completed;
}

/**
 * Claims the attempt's job. Resolves undefined once claimed (the token is then on the attempt);
 * else the outcome of the refusal: a job already settled is dropped, one held by another delivery
 * is handed back until its lease ends.
 */
async function claimAttempt(
  rt: RecordRun,
  attempt: Attempt,
  ledger: JobLedger,
): Promise<Outcome | undefined> {
  let claim: ClaimResult;
  try {
    claim = await ledger.claim(attempt.ref);
  } catch (error) {
    if (isFinal(error)) throw error;
    // The attempt has not started: a fresh copy carrying this delivery's attempt spends none, where
    // keeping the record would (its next receive counts). Had the claim landed with its answer
    // lost, the copy — the same origin — takes the lease over when it ends.
    if (rt.closed) return KEPT;
    rt.worker.logger.warn(WORKER_LOG_MESSAGES.claimFailed, {
      jobId: attempt.envelope.jobId,
      error: describeError(error).message,
    });
    return handBack(rt, attempt.record, WORKER_RULES.handBackDelaySeconds);
  }
  if (claim.outcome === 'claimed') {
    attempt.token = claim.token;
    return undefined;
  }
  if (claim.outcome === 'busy') return handBack(rt, attempt.record, Math.ceil(claim.retryAfterMs / 1000));
  if (claim.outcome === 'dead') {
    // Its dead-lettering failed before, so the message came back: the verdict stands.
    rt.worker.logger.warn(WORKER_LOG_MESSAGES.deadAgain, {
      jobId: attempt.envelope.jobId,
      errorCode: claim.errorCode,
    });
    const verdict = new JobError(claim.errorMessage, { code: claim.errorCode, retryable: false });
    return endAsDead(rt, attempt.record, undefined, attempt.ref, verdict, undefined);
  }
  rt.worker.logger.info(WORKER_LOG_MESSAGES.alreadySettled, {
    jobId: attempt.envelope.jobId,
    jobName: attempt.job.name,
    outcome: claim.outcome,
  });
  return DONE;
}

/** Records a failed attempt in the ledger (when claimed) and retries or dead-letters its record. */
async function failAttempt(rt: RecordRun, slot: number, attempt: Attempt, error: unknown): Promise<Outcome> {
  const { record, envelope, job, ref, ledger, token } = attempt;
  const reason = describeError(error);
  const decision = decideRetry(error, ref.attempt, job.retry, rt.worker.random);
  if (!decision.retry) {
    rt.holdEnd(slot, record, {
      outcome: 'dead',
      token,
      errorCode: reason.code,
      errorMessage: reason.message,
    });
    return endAsDead(rt, record, ledger, ref, error, token);
  }
  const { delaySeconds } = decision;
  if (ledger !== undefined && token !== undefined) {
    const retryAt = new Date(Date.now() + delaySeconds * 1000).toISOString();
    const failure = {
      status: 'retrying',
      errorCode: reason.code,
      errorMessage: reason.message,
      retryAt,
    } as const;
    try {
      await settleCall(rt, 'ledger retrying', () => ledger.fail(ref, token, failure));
    } catch (cause) {
      if (isFinal(cause)) throw cause;
      // The retry still goes out: its claim takes the record over once this claim's lease ends.
      rt.worker.logger.warn(WORKER_LOG_MESSAGES.retryNotRecorded, {
        jobId: envelope.jobId,
        error: describeError(cause).message,
      });
    }
  }
  rt.metrics.count(METRIC_NAMES.retried);
  rt.worker.logger.warn(WORKER_LOG_MESSAGES.retrying, {
    jobId: envelope.jobId,
    jobName: job.name,
    attempt: ref.attempt,
    delaySeconds,
    errorCode: reason.code,
    error: reason.message,
  });
  return sendRetry(rt, record, envelope, ref.attempt, delaySeconds);
}

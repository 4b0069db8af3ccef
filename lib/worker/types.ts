/**
 * The contracts of the worker runtime: what a job handler receives, and the ledger port the
 * worker drives. `createWorker` (./create-worker.ts) implements the runtime; the DynamoDB ledger
 * (lib/ledger) implements `JobLedger`; handlers in `functions/<dir>/handler.ts` use `JobContext`.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { JobStatus } from '../constants.js';
import type { JobDefinition, JobInput, JobPayload } from '../jobs/define-job.js';

/** What one attempt of one job gets besides its payload. */
export interface JobContext<J extends JobDefinition = JobDefinition> {
  readonly jobId: string;
  readonly jobName: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** 0 for the job as enqueued; n for its n-th continuation. */
  readonly continuation: number;
  readonly enqueuedAt: string;
  /**
   * When the job was scheduled to run (ISO 8601): a recurring schedule's firing time — the same on
   * every retry and continuation of that firing, so a nightly job knows which night it processes —
   * or the run-at time (or delay) its producer asked for. `undefined` for a job sent to run at once.
   */
  readonly scheduledAt: string | undefined;
  readonly correlationId: string | undefined;
  readonly idempotencyKey: string | undefined;
  /**
   * Fires `deadlineMarginMs` before the Lambda deadline (created per invocation: a warm
   * environment reuses module scope, and a signal aborted in one invocation must not leak into
   * the next). Long work checks it, saves its place and calls `continueWith`.
   */
  readonly signal: AbortSignal;
  /** Milliseconds until the signal fires (not until the hard Lambda deadline). */
  remainingTimeMs(): number;
  /** A logger whose every line carries the job id, name and attempt. Never log payloads. */
  readonly logger: Logger;
  /**
   * Enqueues the rest of the work as a continuation of this job: same job id, the next
   * continuation number, attempt 1. Call it at most once per attempt, then return.
   */
  continueWith(payload: JobInput<J>, options?: { readonly delaySeconds?: number }): Promise<void>;
  /** Records progress in the ledger (pages, items, cursor…), when the job uses the ledger. */
  progress(progress: Readonly<Record<string, string | number>>): Promise<void>;
}

/**
 * A job handler. Return normally on success (optionally a small JSON-able result the ledger
 * keeps, e.g. `{ sesMessageId }`); throw `RetryableJobError` or any other error to retry with
 * backoff, `PermanentJobError` to dead-letter at once.
 */
export type JobHandler<J extends JobDefinition = JobDefinition> = (
  payload: JobPayload<J>,
  context: JobContext<J>,
) => Promise<JobResult | undefined> | JobResult | undefined;

/** A small record of what the attempt did, kept in the ledger (never payload data). */
export type JobResult = Readonly<Record<string, string | number | boolean | null>>;

/** A handler paired with its declaration; `createWorker` takes a list of these. */
export interface JobBinding<J extends JobDefinition = JobDefinition> {
  readonly job: J;
  readonly handler: JobHandler<J>;
}

/**
 * Pairs a declaration with its handler, keeping the payload type.
 * @example
 * export const handler = createWorker({ jobs: [handle(emailSend, sendEmail)] });
 */
export function handle<J extends JobDefinition>(job: J, handler: JobHandler<J>): JobBinding {
  return { job, handler: handler as unknown as JobHandler };
}

/** Identifies one attempt for the ledger. */
export interface AttemptRef {
  readonly jobId: string;
  readonly jobName: string;
  readonly attempt: number;
  readonly continuation: number;
  readonly enqueuedAt: string;
  /**
   * The SQS message id this delivery descends from: its own, or the original's for a copy the
   * worker made (`DELIVERY_ATTRIBUTES.origin`). Claims are per job, not per message; this id tells
   * the holder's own message from a duplicate (`takeoverAfterMs`).
   */
  readonly messageId: string;
  /** The claim's lease: at least the job's timeout, so a live holder is never overtaken. */
  readonly leaseMs: number;
  /**
   * How long after a lease ended a delivery of *another* message may take the job over: the
   * holder's own message's visibility timeout. A holder that ran the job but could not write its
   * end sends that end back on a copy of its message (a settlement); until the holder's own
   * message could have come back, a duplicate of the job must not run it again. The holder's own
   * message (same message id) takes over as soon as the lease ends.
   * @default 0
   */
  readonly takeoverAfterMs?: number;
  /**
   * Whether this delivery came back from a DLQ on purpose (a redrive): only then may it run a job
   * the ledger holds as `dead` — a permanent verdict is final until someone redrives.
   * @default false
   */
  readonly redriven?: boolean;
}

/** Why a job record should not be run now. */
export type ClaimRefusal =
  /** Succeeded before (a redelivery, a duplicate, a redrive of a job that did finish): acknowledge and drop. */
  | { readonly outcome: 'done'; readonly status: JobStatus }
  /** Cancelled before it started: acknowledge and drop. */
  | { readonly outcome: 'cancelled' }
  /** Another delivery holds a live claim: hand the message back until `retryAfterMs` has passed. */
  | { readonly outcome: 'busy'; readonly retryAfterMs: number }
  /**
   * Dead, and this delivery is no redrive (its dead-lettering failed before, so the message came
   * back): dead-letter it again with the recorded reason instead of running it.
   */
  | { readonly outcome: 'dead'; readonly errorCode: string; readonly errorMessage: string };

export type ClaimResult = { readonly outcome: 'claimed'; readonly token: string } | ClaimRefusal;

/** What `deadOnArrival` did: the record is dead now, or why it is left as it is. */
export type DeadOnArrival = { readonly outcome: 'recorded' } | Exclude<ClaimRefusal, { outcome: 'dead' }>;

/**
 * The worker's view of the job ledger. Every method is one conditional write. A successful
 * attempt costs exactly two: `claim` and `succeed`.
 */
export interface JobLedger {
  /**
   * Marks the job `running` under a claim with a lease; creates the record if the job was sent
   * straight to SQS and has none yet. Two deliveries of the same job — even concurrent — cannot
   * both get `claimed`; a claim whose lease has expired can be taken over.
   */
  claim(ref: AttemptRef): Promise<ClaimResult>;
  /** `running` → `succeeded`, releasing the claim, with an optional result. */
  succeed(ref: AttemptRef, token: string, result?: JobResult): Promise<void>;
  /** `running` → `retrying` or `dead`, with the error; releases the claim. */
  fail(
    ref: AttemptRef,
    token: string,
    failure: {
      readonly status: 'retrying' | 'dead';
      readonly errorCode: string;
      readonly errorMessage: string;
      readonly retryAt?: string;
    },
  ): Promise<void>;
  /** `running` → `queued` with the next continuation number, releasing the claim. */
  continued(ref: AttemptRef, token: string, nextContinuation: number): Promise<void>;
  /** Progress of a running job (does not change its status). */
  progress(
    ref: AttemptRef,
    token: string,
    progress: Readonly<Record<string, string | number>>,
  ): Promise<void>;
  /**
   * Records a message that dies before it could be claimed (unknown job, bad payload, attempts
   * spent) when its job id is known. Also takes over a `running` record whose lease has ended —
   * the holder's last attempt died (timeout, crash) or could not write its end. Resolves
   * `recorded` when the record is now dead (or there is none to write), else why it is not: the
   * job succeeded or was cancelled meanwhile, or a live delivery holds it.
   */
  deadOnArrival(
    ref: Omit<AttemptRef, 'leaseMs'>,
    failure: { readonly errorCode: string; readonly errorMessage: string },
  ): Promise<DeadOnArrival>;
}

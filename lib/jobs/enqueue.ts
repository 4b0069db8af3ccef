/**
 * What a producer asks for and what it gets back: the contract `JobClient` implements and the
 * job service (which adds idempotency keys and the ledger) relies on, without depending on it.
 */
import type { JobError } from '../errors.js';
import type { JobDefinition } from './define-job.js';

export interface EnqueueOptions {
  /** Run after this many seconds (0–900 on standard queues without a schedule). */
  readonly delaySeconds?: number;
  /** Run at this time; later than 15 minutes (or any delay of a FIFO job) becomes a one-time schedule. */
  readonly runAt?: Date | string;
  /** The caller's key for this job; carried in the envelope and enforced where the ledger is reachable. */
  readonly idempotencyKey?: string;
  /** Propagated to the worker's logs. */
  readonly correlationId?: string;
  /**
   * The job's id, for a producer that must know it before the send (the API reserves it with an
   * idempotency key first, and re-sends under the same id after a crash). Unique per job.
   * @default a new ULID
   */
  readonly jobId?: string;
}

export interface EnqueueRequest extends EnqueueOptions {
  readonly job: JobDefinition | string;
  readonly payload: unknown;
}

export interface Enqueued {
  readonly jobId: string;
  /** `queued` when the message is on the queue (possibly delayed up to 15 min), `scheduled` when a one-time schedule holds it. */
  readonly status: 'queued' | 'scheduled';
  /** ISO time the job runs at, for delayed jobs. */
  readonly runAt?: string;
}

export type EnqueueResult =
  | ({ readonly index: number; readonly ok: true } & Enqueued)
  | { readonly index: number; readonly ok: false; readonly error: JobError };

/** The part of a producer the job service sends through: `JobClient` is one. */
export interface JobSender {
  /** The error that would stop this request, checked without sending anything. */
  validate(request: EnqueueRequest): JobError | undefined;
  /** Sends each request; one result per request, in order. */
  enqueueEach(requests: readonly EnqueueRequest[]): Promise<EnqueueResult[]>;
  /** Deletes the one-time schedule of a scheduled job; false when there was none. */
  cancel(jobId: string): Promise<boolean>;
}

/**
 * Errors of the job ledger and of the job service in front of it. Like the rest of the family
 * they carry stable codes from `ERROR_CODES`; the API maps each code to a status code in one place.
 */
import type { JobStatus } from '../constants.js';
import { ERROR_CODES, JobError } from '../errors.js';

/** No job record has this id (never enqueued, expired, or sent straight to SQS and not received yet). */
export class JobNotFoundError extends JobError {
  declare readonly code: typeof ERROR_CODES.jobNotFound;
  readonly jobId: string;

  constructor(jobId: string) {
    super(`Job "${jobId}" was not found`, { code: ERROR_CODES.jobNotFound, retryable: false });
    this.name = 'JobNotFoundError';
    this.jobId = jobId;
  }
}

/** A cancel of a job that has left `queued`/`scheduled`: it runs, ran, or failed already. */
export class JobAlreadyStartedError extends JobError {
  declare readonly code: typeof ERROR_CODES.jobAlreadyStarted;
  readonly jobId: string;
  readonly status: JobStatus;

  constructor(jobId: string, status: JobStatus) {
    super(`Job "${jobId}" cannot be cancelled: it is ${status}`, {
      code: ERROR_CODES.jobAlreadyStarted,
      retryable: false,
    });
    this.name = 'JobAlreadyStartedError';
    this.jobId = jobId;
    this.status = status;
  }
}

/** The idempotency key was used before with a different request. */
export class IdempotencyKeyConflictError extends JobError {
  declare readonly code: typeof ERROR_CODES.idempotencyKeyConflict;
  constructor() {
    super('The idempotency key was already used with a different request', {
      code: ERROR_CODES.idempotencyKeyConflict,
      retryable: false,
    });
    this.name = 'IdempotencyKeyConflictError';
  }
}

/** The first request with this idempotency key has not finished yet; retry shortly. */
export class IdempotencyKeyInUseError extends JobError {
  declare readonly code: typeof ERROR_CODES.idempotencyKeyInUse;
  constructor() {
    super('A request with this idempotency key is still in progress; retry shortly', {
      code: ERROR_CODES.idempotencyKeyInUse,
      retryable: true,
    });
    this.name = 'IdempotencyKeyInUseError';
  }
}

/**
 * A transition by a claim holder whose claim is gone: its lease expired and another delivery took
 * the job over. The record is left as the new holder wrote it.
 */
export class ClaimLostError extends JobError {
  declare readonly code: typeof ERROR_CODES.claimLost;
  readonly jobId: string;

  constructor(jobId: string, transition: string) {
    super(`Job "${jobId}": ${transition} refused, the claim was taken over after its lease expired`, {
      code: ERROR_CODES.claimLost,
      retryable: false,
    });
    this.name = 'ClaimLostError';
    this.jobId = jobId;
  }
}

/**
 * The Hangar error family. Every error has a stable `code` that the API maps to a status code
 * and the worker writes into dead-letter attributes; messages are for people.
 */

/** One problem with an input, located by a dotted field path (`payload.to.0`). */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export const ERROR_CODES = {
  job: 'JOB_FAILED',
  permanent: 'PERMANENT_FAILURE',
  retryable: 'RETRYABLE_FAILURE',
  validation: 'VALIDATION_FAILED',
  unknownJob: 'UNKNOWN_JOB',
  invalidEnvelope: 'INVALID_ENVELOPE',
  enqueue: 'ENQUEUE_FAILED',
  payloadTooLarge: 'PAYLOAD_TOO_LARGE',
  jobDefinition: 'INVALID_JOB_DEFINITION',
  config: 'INVALID_CONFIG',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Base of every error a job or the framework raises on purpose. */
export class JobError extends Error {
  readonly code: string;
  /** Whether another attempt could succeed. The worker dead-letters non-retryable errors at once. */
  readonly retryable: boolean;

  constructor(message: string, options?: { code?: string; retryable?: boolean; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JobError';
    this.code = options?.code ?? ERROR_CODES.job;
    this.retryable = options?.retryable ?? true;
  }
}

/**
 * A failure no retry can fix (a rejected address, a malformed page). The worker sends the message
 * to the job's DLQ at once with this error's code and message as the reason.
 *
 * @example
 * throw new PermanentJobError('SES rejected the message', { code: 'MESSAGE_REJECTED', cause: err });
 */
export class PermanentJobError extends JobError {
  constructor(message: string, options?: { code?: string; cause?: unknown }) {
    super(message, { code: options?.code ?? ERROR_CODES.permanent, retryable: false, cause: options?.cause });
    this.name = 'PermanentJobError';
  }
}

/**
 * A transient failure, optionally with the delay the remote side asked for (`Retry-After`),
 * which the worker honours instead of its own backoff when it is longer.
 */
export class RetryableJobError extends JobError {
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options?: { code?: string; retryAfterSeconds?: number; cause?: unknown }) {
    super(message, { code: options?.code ?? ERROR_CODES.retryable, retryable: true, cause: options?.cause });
    this.name = 'RetryableJobError';
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** A payload (or request) that does not match its schema; `issues` name every bad field. */
export class JobValidationError extends JobError {
  readonly issues: readonly ValidationIssue[];

  constructor(message: string, issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    super(message, { code: ERROR_CODES.validation, retryable: false, cause: options?.cause });
    this.name = 'JobValidationError';
    this.issues = issues;
  }
}

/** A job name that no registered declaration has. */
export class UnknownJobError extends JobError {
  readonly jobName: string;

  constructor(jobName: string, known: readonly string[]) {
    super(`Unknown job "${jobName}"; registered jobs: ${known.join(', ') || '(none)'}`, {
      code: ERROR_CODES.unknownJob,
      retryable: false,
    });
    this.name = 'UnknownJobError';
    this.jobName = jobName;
  }
}

/** A message body that is not a Hangar envelope this build can read. */
export class EnvelopeError extends JobError {
  readonly issues: readonly ValidationIssue[];

  constructor(message: string, issues: readonly ValidationIssue[] = [], options?: { cause?: unknown }) {
    super(message, { code: ERROR_CODES.invalidEnvelope, retryable: false, cause: options?.cause });
    this.name = 'EnvelopeError';
    this.issues = issues;
  }
}

/** A message over the SQS size limit once encoded. */
export class PayloadTooLargeError extends JobError {
  readonly bytes: number;
  readonly limit: number;

  constructor(jobName: string, bytes: number, limit: number) {
    super(`Job "${jobName}" encodes to ${bytes} bytes; the SQS limit is ${limit}`, {
      code: ERROR_CODES.payloadTooLarge,
      retryable: false,
    });
    this.name = 'PayloadTooLargeError';
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** Sending a job failed after the client's retries; `cause` keeps the service's error. */
export class EnqueueError extends JobError {
  constructor(message: string, options?: { code?: string; retryable?: boolean; cause?: unknown }) {
    super(message, { ...options, code: options?.code ?? ERROR_CODES.enqueue });
    this.name = 'EnqueueError';
  }
}

/** A job declaration that breaks a rule (bad name, timeout out of range, unknown option). */
export class JobDefinitionError extends Error {
  readonly code = ERROR_CODES.jobDefinition;

  constructor(message: string) {
    super(message);
    this.name = 'JobDefinitionError';
  }
}

/** Configuration (environment, client options, stack outputs) that is missing or malformed. */
export class ConfigError extends Error {
  readonly code = ERROR_CODES.config;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

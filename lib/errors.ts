/**
 * The Hangar error family. Every error the framework raises on purpose is a `HangarError` with a
 * stable `code` from the one registry below: the API maps codes to status codes in one place, the
 * CLI maps them to exit codes in one place, and the worker writes them into dead-letter attributes.
 * Messages are for people. Codes that handlers choose (`MESSAGE_REJECTED`) or that AWS reports stay
 * open strings: `--error-code` filters on them all alike.
 */

/** One problem with an input, located by a dotted field path (`payload.to.0`). */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** Every code of the framework's own errors, whichever layer raises it. */
export const ERROR_CODES = {
  // A job's attempt and the worker.
  job: 'JOB_FAILED',
  permanent: 'PERMANENT_FAILURE',
  retryable: 'RETRYABLE_FAILURE',
  validation: 'VALIDATION_FAILED',
  unknownJob: 'UNKNOWN_JOB',
  invalidEnvelope: 'INVALID_ENVELOPE',
  /** A delivery that arrives with its attempts already spent (earlier attempts crashed or timed out). */
  attemptsExhausted: 'ATTEMPTS_EXHAUSTED',
  /** A handler still running at the worker's hard stop. */
  deadlineExceeded: 'DEADLINE_EXCEEDED',
  // Producing.
  enqueue: 'ENQUEUE_FAILED',
  payloadTooLarge: 'PAYLOAD_TOO_LARGE',
  // Declarations and configuration.
  jobDefinition: 'INVALID_JOB_DEFINITION',
  config: 'INVALID_CONFIG',
  // The ledger and the job service.
  jobNotFound: 'JOB_NOT_FOUND',
  jobAlreadyStarted: 'JOB_ALREADY_STARTED',
  idempotencyKeyConflict: 'IDEMPOTENCY_KEY_CONFLICT',
  idempotencyKeyInUse: 'IDEMPOTENCY_KEY_IN_USE',
  claimLost: 'CLAIM_LOST',
  // The HTTP layer.
  invalidJson: 'INVALID_JSON',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  notFound: 'NOT_FOUND',
  methodNotAllowed: 'METHOD_NOT_ALLOWED',
  /** The invocation ran out of time (a slow dependency); nothing is known to have been enqueued. */
  requestTimeout: 'REQUEST_TIMEOUT',
  internal: 'INTERNAL_ERROR',
  // Operator tools (the CLI, the local runtime).
  usage: 'USAGE',
  /** A schedule name that is not one of the target's recurring schedules. */
  unknownSchedule: 'UNKNOWN_SCHEDULE',
  unreachable: 'UNREACHABLE',
  operationFailed: 'OPERATION_FAILED',
  declined: 'DECLINED',
  interrupted: 'INTERRUPTED',
  /** A port the local runtime was told to use is taken. */
  portInUse: 'PORT_IN_USE',
  /** The local runtime broke one of its own invariants (a bundle missing, an emulator that died). */
  localRuntime: 'LOCAL_RUNTIME_FAILED',
  // The dashboard's guards and what a target cannot do.
  /** A request whose `Host` is not the address the dashboard serves (DNS rebinding). */
  foreignHost: 'FOREIGN_HOST',
  /** A state-changing request from another origin. */
  foreignOrigin: 'FOREIGN_ORIGIN',
  /** A state-changing request without this server's token. */
  badToken: 'BAD_TOKEN',
  /** An action sent to a read-only dashboard. */
  readOnly: 'READ_ONLY',
  /** An operation the target does not offer (no ledger, no pause and resume yet). */
  notAvailable: 'NOT_AVAILABLE',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];
/** A code of the framework, or one a handler or an AWS service chose. */
export type AnyErrorCode = ErrorCode | (string & {});

/** Base of every error the framework raises on purpose. */
export class HangarError extends Error {
  readonly code: AnyErrorCode;

  constructor(message: string, code: AnyErrorCode, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HangarError';
    this.code = code;
  }
}

/** Base of every error a job's attempt can end with; `code` is open to handlers' own codes. */
export class JobError extends HangarError {
  /** Whether another attempt could succeed. The worker dead-letters non-retryable errors at once. */
  readonly retryable: boolean;

  constructor(message: string, options?: { code?: AnyErrorCode; retryable?: boolean; cause?: unknown }) {
    super(message, options?.code ?? ERROR_CODES.job, options);
    this.name = 'JobError';
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
  constructor(message: string, options?: { code?: AnyErrorCode; cause?: unknown }) {
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

  constructor(
    message: string,
    options?: { code?: AnyErrorCode; retryAfterSeconds?: number; cause?: unknown },
  ) {
    super(message, { code: options?.code ?? ERROR_CODES.retryable, retryable: true, cause: options?.cause });
    this.name = 'RetryableJobError';
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** A payload (or request) that does not match its schema; `issues` name every bad field. */
export class JobValidationError extends JobError {
  declare readonly code: typeof ERROR_CODES.validation;
  readonly issues: readonly ValidationIssue[];

  constructor(message: string, issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    super(message, { code: ERROR_CODES.validation, retryable: false, cause: options?.cause });
    this.name = 'JobValidationError';
    this.issues = issues;
  }
}

/** A job name that no registered declaration has. */
export class UnknownJobError extends JobError {
  declare readonly code: typeof ERROR_CODES.unknownJob;
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
  declare readonly code: typeof ERROR_CODES.invalidEnvelope;
  readonly issues: readonly ValidationIssue[];

  constructor(message: string, issues: readonly ValidationIssue[] = [], options?: { cause?: unknown }) {
    super(message, { code: ERROR_CODES.invalidEnvelope, retryable: false, cause: options?.cause });
    this.name = 'EnvelopeError';
    this.issues = issues;
  }
}

/** A message over the SQS size limit once encoded. */
export class PayloadTooLargeError extends JobError {
  declare readonly code: typeof ERROR_CODES.payloadTooLarge;
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
  constructor(message: string, options?: { code?: AnyErrorCode; retryable?: boolean; cause?: unknown }) {
    super(message, { ...options, code: options?.code ?? ERROR_CODES.enqueue });
    this.name = 'EnqueueError';
  }
}

/** A job declaration that breaks a rule (bad name, timeout out of range, unknown option). */
export class JobDefinitionError extends HangarError {
  declare readonly code: typeof ERROR_CODES.jobDefinition;

  constructor(message: string) {
    super(message, ERROR_CODES.jobDefinition);
    this.name = 'JobDefinitionError';
  }
}

/** Configuration (environment, options, stack outputs) that is missing or malformed. */
export class ConfigError extends HangarError {
  declare readonly code: typeof ERROR_CODES.config;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ERROR_CODES.config, options);
    this.name = 'ConfigError';
  }
}

/** The message of anything thrown, for logs and summaries: an `Error`'s message, else its string form. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

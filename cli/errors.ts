/**
 * The CLI's error family. Every error an operator can meet maps to one exit code, in one place
 * (`exitCodeOf`), so scripts can tell "you typed it wrong" from "the system is down".
 */
import { ERROR_CODES, type ErrorCode, HangarError } from '../lib/index.js';

/** Exit codes of `hangar`, documented in the README (CLI › Exit codes). */
export const EXIT_CODES = {
  /** Done; for reads, the answer was printed (an empty DLQ is an answer). */
  ok: 0,
  /** The target answered but the operation failed: some messages not moved, a move task failed, a job already started. */
  failed: 1,
  /** Bad arguments: unknown command or option, unknown job or schedule, malformed JSON, invalid payload. */
  usage: 2,
  /** The target cannot be reached: endpoint down, stack missing, queue missing, no credentials. */
  unreachable: 3,
  /** Nothing matched: unknown job id, ids not in the DLQ, selectors that select nothing. */
  notFound: 4,
  /** The operator declined the confirmation prompt; nothing was changed. */
  declined: 5,
  /** Interrupted (Ctrl-C); held messages were given back. 128 + SIGINT, as shells report it. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/**
 * Base of every error the CLI raises on purpose: a message for the operator and a code of the
 * family (`ERROR_CODES`), which `exitCodeOf` turns into the exit code.
 */
export class CliError extends HangarError {
  declare readonly code: ErrorCode;

  constructor(message: string, code: ErrorCode, options?: { cause?: unknown }) {
    super(message, code, options);
    this.name = 'CliError';
  }

  get exitCode(): ExitCode {
    return exitCodeOf(this);
  }
}

/** Arguments that cannot work whatever the target's state. */
export class UsageError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ERROR_CODES.usage, options);
    this.name = 'UsageError';
  }
}

/** A schedule argument that names none of the target's recurring schedules. */
export class UnknownScheduleError extends CliError {
  readonly scheduleName: string;

  constructor(message: string, scheduleName: string) {
    super(message, ERROR_CODES.unknownSchedule);
    this.name = 'UnknownScheduleError';
    this.scheduleName = scheduleName;
  }
}

/** An endpoint, stack, queue or credential the command needs is not there. */
export class UnreachableError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ERROR_CODES.unreachable, options);
    this.name = 'UnreachableError';
  }
}

/** What the command was told to act on does not exist. */
export class NotFoundError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ERROR_CODES.notFound, options);
    this.name = 'NotFoundError';
  }
}

/** The target refused or partly failed the operation. */
export class OperationFailedError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ERROR_CODES.operationFailed, options);
    this.name = 'OperationFailedError';
  }
}

/** The operator answered "no". */
export class DeclinedError extends CliError {
  constructor(message = 'Nothing was changed.') {
    super(message, ERROR_CODES.declined);
    this.name = 'DeclinedError';
  }
}

/** Ctrl-C during a command; what was done so far is reported, held messages are given back. */
export class InterruptedError extends CliError {
  constructor(message = 'Interrupted.') {
    super(message, ERROR_CODES.interrupted);
    this.name = 'InterruptedError';
  }
}

/** The one place where the family's codes become exit codes; any other failure exits `failed`. */
const EXIT_CODE_BY_ERROR_CODE: Readonly<Partial<Record<ErrorCode, ExitCode>>> = {
  [ERROR_CODES.usage]: EXIT_CODES.usage,
  [ERROR_CODES.unknownJob]: EXIT_CODES.usage,
  [ERROR_CODES.unknownSchedule]: EXIT_CODES.usage,
  [ERROR_CODES.validation]: EXIT_CODES.usage,
  [ERROR_CODES.config]: EXIT_CODES.usage,
  [ERROR_CODES.jobDefinition]: EXIT_CODES.usage,
  [ERROR_CODES.unreachable]: EXIT_CODES.unreachable,
  [ERROR_CODES.notFound]: EXIT_CODES.notFound,
  [ERROR_CODES.jobNotFound]: EXIT_CODES.notFound,
  [ERROR_CODES.operationFailed]: EXIT_CODES.failed,
  [ERROR_CODES.declined]: EXIT_CODES.declined,
  [ERROR_CODES.interrupted]: EXIT_CODES.interrupted,
};

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Whether an error (or one of its causes) is a failed connection rather than an answer. */
export function isConnectionError(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (current.name === 'TimeoutError' || current.name === 'CredentialsProviderError') return true;
    if (current instanceof AggregateError && current.errors.some(isConnectionError)) return true;
    current = current.cause;
  }
  return false;
}

/** The exit code for anything a command threw. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof HangarError) {
    const known = Object.hasOwn(EXIT_CODE_BY_ERROR_CODE, error.code)
      ? EXIT_CODE_BY_ERROR_CODE[error.code as ErrorCode]
      : undefined;
    if (known !== undefined) return known;
  }
  if (isConnectionError(error)) return EXIT_CODES.unreachable;
  return EXIT_CODES.failed;
}

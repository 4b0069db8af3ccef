/**
 * The one place where errors become HTTP responses. Every error the API can meet has a stable
 * code; `STATUS_BY_CODE` gives each its status. Anything else is a 500 whose body says nothing
 * about the cause (it is logged instead). Bad input is always a 4xx.
 */
import type { ApiErrorBody } from '../../lib/deploy/index.js';
import {
  EnvelopeError,
  ERROR_CODES,
  type ErrorCode,
  HangarError,
  JobError,
  JobValidationError,
  type ValidationIssue,
} from '../../lib/index.js';

/** A request the HTTP layer refuses before any job logic runs (body, media type, route). */
export class RequestError extends HangarError {
  declare readonly code: ErrorCode;
  readonly details: readonly ValidationIssue[];
  /** Extra response headers (`Allow` on a 405). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: readonly ValidationIssue[]; headers?: Record<string, string> } = {},
  ) {
    super(message, code);
    this.name = 'RequestError';
    this.details = options.details ?? [];
    this.headers = options.headers ?? {};
  }
}

/** The status of each code the API can answer with; any other code is a 500 with no details. */
export const STATUS_BY_CODE: Readonly<Partial<Record<ErrorCode, number>>> = {
  [ERROR_CODES.validation]: 400,
  [ERROR_CODES.invalidJson]: 400,
  [ERROR_CODES.unknownJob]: 404,
  [ERROR_CODES.jobNotFound]: 404,
  [ERROR_CODES.notFound]: 404,
  [ERROR_CODES.methodNotAllowed]: 405,
  [ERROR_CODES.idempotencyKeyConflict]: 409,
  [ERROR_CODES.idempotencyKeyInUse]: 409,
  [ERROR_CODES.jobAlreadyStarted]: 409,
  [ERROR_CODES.payloadTooLarge]: 413,
  [ERROR_CODES.unsupportedMediaType]: 415,
  [ERROR_CODES.enqueue]: 503,
  [ERROR_CODES.requestTimeout]: 503,
  [ERROR_CODES.internal]: 500,
};

function statusOf(code: string): number | undefined {
  return Object.hasOwn(STATUS_BY_CODE, code) ? STATUS_BY_CODE[code as ErrorCode] : undefined;
}

/** Server-side failures get a generic message: their causes are for the logs, not for callers. */
const SERVER_MESSAGES = {
  internal: 'Internal error',
  unavailable: 'The service could not complete the request; retry later',
} as const;

export interface MappedError {
  readonly statusCode: number;
  readonly body: ApiErrorBody['error'];
  readonly headers: Readonly<Record<string, string>>;
}

const INTERNAL: MappedError = {
  statusCode: 500,
  body: { code: ERROR_CODES.internal, message: SERVER_MESSAGES.internal, details: [] },
  headers: {},
};

/** Maps anything thrown to its status code and error body. */
export function mapError(error: unknown): MappedError {
  let known: ApiErrorBody['error'] | undefined;
  if (error instanceof RequestError || error instanceof JobError) {
    known = { code: error.code, message: error.message, details: detailsOf(error) };
  } else if (error instanceof Error && error.name === 'TimeoutError') {
    known = { code: ERROR_CODES.requestTimeout, message: SERVER_MESSAGES.unavailable, details: [] };
  }
  const statusCode = known === undefined ? undefined : statusOf(known.code);
  if (known === undefined || statusCode === undefined || statusCode === 500) return INTERNAL;
  const headers = error instanceof RequestError ? error.headers : {};
  if (statusCode >= 500) {
    return {
      statusCode,
      body: { code: known.code, message: SERVER_MESSAGES.unavailable, details: [] },
      headers,
    };
  }
  return { statusCode, body: known, headers };
}

function detailsOf(error: RequestError | JobError): readonly ValidationIssue[] {
  if (error instanceof RequestError) return error.details;
  if (error instanceof JobValidationError || error instanceof EnvelopeError) return error.issues;
  return [];
}

/**
 * The one place where errors become HTTP responses. Every error the API can meet has a stable
 * code; `STATUS_BY_CODE` gives each its status. Anything else is a 500 whose body says nothing
 * about the cause (it is logged instead). Bad input is always a 4xx.
 */
import {
  API_ERROR_CODES,
  type ApiErrorBody,
  EnvelopeError,
  ERROR_CODES,
  JobError,
  JobValidationError,
  LEDGER_ERROR_CODES,
  type ValidationIssue,
} from '../../lib/index.js';

/** A request the HTTP layer refuses before any job logic runs (body, media type, route). */
export class RequestError extends Error {
  readonly code: string;
  readonly details: readonly ValidationIssue[];
  /** Extra response headers (`Allow` on a 405). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: string,
    message: string,
    options: { details?: readonly ValidationIssue[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
    this.details = options.details ?? [];
    this.headers = options.headers ?? {};
  }
}

export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  [ERROR_CODES.validation]: 400,
  [API_ERROR_CODES.invalidJson]: 400,
  [ERROR_CODES.unknownJob]: 404,
  [LEDGER_ERROR_CODES.jobNotFound]: 404,
  [API_ERROR_CODES.notFound]: 404,
  [API_ERROR_CODES.methodNotAllowed]: 405,
  [LEDGER_ERROR_CODES.idempotencyKeyConflict]: 409,
  [LEDGER_ERROR_CODES.idempotencyKeyInUse]: 409,
  [LEDGER_ERROR_CODES.jobAlreadyStarted]: 409,
  [ERROR_CODES.payloadTooLarge]: 413,
  [API_ERROR_CODES.unsupportedMediaType]: 415,
  [ERROR_CODES.enqueue]: 503,
  [API_ERROR_CODES.timeout]: 503,
  [API_ERROR_CODES.internal]: 500,
};

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
  body: { code: API_ERROR_CODES.internal, message: SERVER_MESSAGES.internal, details: [] },
  headers: {},
};

/** Maps anything thrown to its status code and error body. */
export function mapError(error: unknown): MappedError {
  let known: ApiErrorBody['error'] | undefined;
  if (error instanceof RequestError || error instanceof JobError) {
    known = { code: error.code, message: error.message, details: detailsOf(error) };
  } else if (error instanceof Error && error.name === 'TimeoutError') {
    known = { code: API_ERROR_CODES.timeout, message: SERVER_MESSAGES.unavailable, details: [] };
  }
  const statusCode = known === undefined ? undefined : STATUS_BY_CODE[known.code];
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

/**
 * The dashboard's errors and the one place where anything thrown becomes an HTTP answer. Job and
 * ledger errors keep the status the job API gives their code (`STATUS_BY_CODE`); the CLI's errors
 * map by their exit code. The dashboard serves its own operator on loopback, so a failure's
 * message is shown as it is: it is what the terminal would print.
 */

import { CliError, EXIT_CODES, isConnectionError } from '../../cli/errors.js';
import { STATUS_BY_CODE } from '../../functions/api/errors.js';
import { EnvelopeError, JobError, JobValidationError, type ValidationIssue } from '../../lib/index.js';
import type { ErrorBody } from '../shared/api.js';

export const DASHBOARD_ERROR_CODES = {
  foreignHost: 'FOREIGN_HOST',
  foreignOrigin: 'FOREIGN_ORIGIN',
  badToken: 'BAD_TOKEN',
  readOnly: 'READ_ONLY',
  notFound: 'NOT_FOUND',
  badRequest: 'BAD_REQUEST',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  notAvailable: 'NOT_AVAILABLE',
  unreachable: 'TARGET_UNREACHABLE',
  failed: 'OPERATION_FAILED',
  portInUse: 'PORT_IN_USE',
} as const;
export type DashboardErrorCode = (typeof DASHBOARD_ERROR_CODES)[keyof typeof DASHBOARD_ERROR_CODES];

const STATUS: Readonly<Record<DashboardErrorCode, number>> = {
  FOREIGN_HOST: 403,
  FOREIGN_ORIGIN: 403,
  BAD_TOKEN: 403,
  READ_ONLY: 405,
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_AVAILABLE: 501,
  TARGET_UNREACHABLE: 503,
  OPERATION_FAILED: 500,
  PORT_IN_USE: 500,
};

/** A request the dashboard refuses, or an operation it cannot do, with a stable code. */
export class DashboardError extends Error {
  readonly code: DashboardErrorCode;
  readonly status: number;
  readonly details: readonly ValidationIssue[];

  constructor(code: DashboardErrorCode, message: string, details: readonly ValidationIssue[] = []) {
    super(message);
    this.name = 'DashboardError';
    this.code = code;
    this.status = STATUS[code];
    this.details = details;
  }
}

const CLI_STATUS: Readonly<Record<number, { status: number; code: string }>> = {
  [EXIT_CODES.usage]: { status: 400, code: DASHBOARD_ERROR_CODES.badRequest },
  [EXIT_CODES.notFound]: { status: 404, code: DASHBOARD_ERROR_CODES.notFound },
  [EXIT_CODES.unreachable]: { status: 503, code: DASHBOARD_ERROR_CODES.unreachable },
};

/** Status and body for anything an operation threw. */
export function toErrorAnswer(error: unknown): { status: number; body: ErrorBody } {
  const message = error instanceof Error ? error.message : String(error);
  const answer = (status: number, code: string, details: readonly ValidationIssue[] = []) => ({
    status,
    body: { error: { code, message, ...(details.length > 0 ? { details } : {}) } },
  });
  if (error instanceof DashboardError) return answer(error.status, error.code, error.details);
  if (error instanceof JobError) {
    const issues = error instanceof JobValidationError || error instanceof EnvelopeError ? error.issues : [];
    return answer(STATUS_BY_CODE[error.code] ?? 500, error.code, issues);
  }
  if (error instanceof CliError) {
    const mapped = CLI_STATUS[error.exitCode] ?? { status: 500, code: DASHBOARD_ERROR_CODES.failed };
    return answer(mapped.status, mapped.code);
  }
  if (isConnectionError(error)) return answer(503, DASHBOARD_ERROR_CODES.unreachable);
  return answer(500, DASHBOARD_ERROR_CODES.failed);
}

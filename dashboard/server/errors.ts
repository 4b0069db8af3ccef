/**
 * The dashboard's errors and the one place where anything thrown becomes its HTTP answer. Codes
 * come from the family's registry (`ERROR_CODES`); the job API's statuses are kept for the codes
 * it answers (`STATUS_BY_CODE`), and the dashboard adds its guards' and the operator tools'. It
 * serves its own operator on loopback, so a failure's message is shown as it is: it is what the
 * terminal would print.
 */
import { isConnectionError } from '../../cli/errors.js';
import { STATUS_BY_CODE } from '../../functions/api/errors.js';
import {
  EnvelopeError,
  ERROR_CODES,
  type ErrorCode,
  HangarError,
  JobValidationError,
  type ValidationIssue,
} from '../../lib/index.js';
import type { ErrorBody } from '../shared/api.js';

/** HTTP status by code. */
export const DASHBOARD_STATUS: Readonly<Partial<Record<ErrorCode, number>>> = {
  ...STATUS_BY_CODE,
  [ERROR_CODES.foreignHost]: 403,
  [ERROR_CODES.foreignOrigin]: 403,
  [ERROR_CODES.badToken]: 403,
  [ERROR_CODES.readOnly]: 405,
  [ERROR_CODES.notAvailable]: 501,
  [ERROR_CODES.usage]: 400,
  [ERROR_CODES.unknownSchedule]: 404,
  [ERROR_CODES.unreachable]: 503,
};

/** A request the dashboard refuses, or an operation it cannot do. */
export class DashboardError extends HangarError {
  declare readonly code: ErrorCode;
  readonly details: readonly ValidationIssue[];

  constructor(code: ErrorCode, message: string, details: readonly ValidationIssue[] = []) {
    super(message, code);
    this.name = 'DashboardError';
    this.details = details;
  }
}

/** The status of a code; a code of no mapping (a handler's own, an unexpected one) is a 500. */
export function statusOf(code: string): number {
  return (DASHBOARD_STATUS as Readonly<Record<string, number | undefined>>)[code] ?? 500;
}

/** Status and body for anything an operation threw. */
export function toErrorAnswer(error: unknown): { status: number; body: ErrorBody } {
  const message = error instanceof Error ? error.message : String(error);
  const answer = (code: string, details: readonly ValidationIssue[] = []) => ({
    status: statusOf(code),
    body: { error: { code, message, ...(details.length > 0 ? { details } : {}) } },
  });
  if (error instanceof DashboardError) return answer(error.code, error.details);
  if (error instanceof JobValidationError || error instanceof EnvelopeError)
    return answer(error.code, error.issues);
  if (error instanceof HangarError) return answer(error.code);
  if (isConnectionError(error)) return answer(ERROR_CODES.unreachable);
  return answer(ERROR_CODES.operationFailed);
}

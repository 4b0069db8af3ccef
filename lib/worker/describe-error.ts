/**
 * `describeError`: the code and message of anything a handler or an AWS call throws, in the one
 * shape that logs, the ledger and dead-letter attributes share.
 */
import { JobError } from '../errors.js';
import { WORKER_RULES } from './rules.js';

/** Code and message of anything thrown, for logs, the ledger and dead-letter attributes. */
export function describeError(error: unknown): { code: string; message: string } {
  const code =
    error instanceof JobError
      ? error.code
      : error instanceof Error
        ? error.name || 'Error'
        : 'NonErrorThrown';
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : safeString(error);
  const message = (raw || '(no message)').slice(0, WORKER_RULES.maxReasonLength);
  return { code: code.slice(0, WORKER_RULES.maxErrorCodeLength) || 'Error', message };
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The HTTP API's contract (PRODUCT.md, "HTTP API"): routes, limits and the shape of an error body.
 * The API function, the stack (its routes), the local runtime and the CLI read these; error codes,
 * the HTTP layer's included, live in the one registry `ERROR_CODES` (`lib/errors.ts`).
 */
import { SQS_LIMITS } from '../constants.js';
import type { ValidationIssue } from '../errors.js';

/** Every route, as an API Gateway route key. */
export const API_ROUTES = {
  enqueue: 'POST /jobs',
  enqueueBatch: 'POST /jobs/batch',
  list: 'GET /jobs',
  get: 'GET /jobs/{id}',
  cancel: 'DELETE /jobs/{id}',
  health: 'GET /health',
} as const;
export type ApiRoute = keyof typeof API_ROUTES;

export const API_LIMITS = {
  /** Body of `POST /jobs`: what one SQS message holds. */
  bodyBytes: SQS_LIMITS.messageBytes,
  /** Body of `POST /jobs/batch`: below Lambda's 6 MB synchronous payload, with room for the event around it. */
  batchBodyBytes: 5 * 1_048_576,
  /** Jobs in one `POST /jobs/batch`. */
  batchJobs: 100,
  /** Nesting of a JSON body, so no request can make a recursive walk overflow the stack. */
  jsonDepth: 64,
  /** Length of `x-correlation-id`. */
  correlationIdLength: 256,
} as const;

/** The body of every error response: `{ "error": { "code", "message", "details" } }`. */
export interface ApiErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    /** Field paths and what is wrong with each (`payload.to.0`); empty when no field is to blame. */
    readonly details: readonly ValidationIssue[];
  };
}

/** Header a replayed idempotent request is answered with (the original job id, nothing enqueued). */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
/** Request header whose value becomes the jobs' correlation id (else the API request id). */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

/**
 * The HTTP API (API Gateway HTTP API, payload format 2.0) over a `JobService`. Routes, bodies and
 * status codes are PRODUCT.md's; errors become responses in one place (`mapError`). Logs carry
 * the request id and job ids — never a body, a payload or an address.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import { API_LIMITS, CORRELATION_ID_HEADER, IDEMPOTENT_REPLAYED_HEADER } from '../../lib/deploy/index.js';
import {
  type EnqueueRequest,
  JOB_STATUSES,
  type JobRegistry,
  JobValidationError,
  UnknownJobError,
} from '../../lib/index.js';
import { type BatchOutcome, type JobService, LEDGER_DEFAULTS } from '../../lib/ledger/index.js';
import { check, describeIssues } from '../../lib/validation.js';
import { mapError } from './errors.js';
import { header, matchRoute, readJsonBody } from './request.js';

export interface ApiHandlerOptions {
  readonly service: JobService;
  /** The jobs this API accepts (names in bodies and in `?name=`). */
  readonly registry: JobRegistry;
  /** @default a Powertools Logger, service "hangar-api" */
  readonly logger?: Logger;
}

export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = APIGatewayProxyStructuredResultV2;
export type ApiHandler = MiddyfiedHandler<ApiEvent, ApiResult>;

/** One job request as the body of `POST /jobs` and each entry of `POST /jobs/batch` carry it. */
const jobRequestSchema = z.strictObject({
  name: z.string(),
  payload: z.unknown(),
  // Types and ranges of these are the client's to check (one schema, in JobClient).
  delaySeconds: z.optional(z.unknown()),
  runAt: z.optional(z.unknown()),
  idempotencyKey: z.optional(z.unknown()),
});

const batchSchema = z.strictObject({
  jobs: z.array(z.unknown()).check(z.minLength(1), z.maxLength(API_LIMITS.batchJobs)),
});

const listQuerySchema = z.strictObject({
  status: z.optional(z.enum(JOB_STATUSES)),
  name: z.optional(z.string().check(z.minLength(1))),
  limit: z.optional(
    z
      .string()
      .check(
        z.refine(
          (v) => /^[0-9]{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= LEDGER_DEFAULTS.maxListLimit,
          `must be an integer from 1 to ${LEDGER_DEFAULTS.maxListLimit}`,
        ),
      ),
  ),
  cursor: z.optional(z.string()),
});

/** What one invocation knows about itself, for its log line. */
interface RequestState {
  readonly logger: Logger;
  readonly startedAt: number;
  readonly requestId: string;
  route: string | undefined;
  jobIds: string[];
}

/**
 * Creates the API handler.
 *
 * @example
 * export const handler = createApiHandler({ service: new JobService({ client, store: ledger }), registry });
 */
export function createApiHandler(options: ApiHandlerOptions): ApiHandler {
  const logger = options.logger ?? new Logger({ serviceName: 'hangar-api' });
  // Keyed by event: the local server runs concurrent requests through one handler, so no
  // per-request value may live in module or closure scope.
  const states = new WeakMap<ApiEvent, RequestState>();
  const stateOf = (event: ApiEvent): RequestState => {
    let state = states.get(event);
    if (!state) {
      const requestId = event.requestContext?.requestId ?? 'unknown';
      state = {
        logger: logger.createChild({ persistentKeys: { requestId } }),
        startedAt: Date.now(),
        requestId,
        route: undefined,
        jobIds: [],
      };
      states.set(event, state);
    }
    return state;
  };

  const boundary: MiddlewareObj<ApiEvent, ApiResult> = {
    before: (request) => {
      stateOf(request.event);
    },
    after: (request) => {
      logRequest(stateOf(request.event), request.event, request.response?.statusCode ?? 200);
    },
    onError: (request) => {
      const state = stateOf(request.event);
      const mapped = mapError(request.error);
      if (mapped.statusCode >= 500) {
        const error = request.error;
        state.logger.error('Request failed', {
          errorName: error instanceof Error ? error.name : typeof error,
          errorMessage: error instanceof Error ? error.message : undefined,
        });
      }
      request.response = json(mapped.statusCode, { error: mapped.body }, state, mapped.headers);
      logRequest(state, request.event, mapped.statusCode, mapped.body.code);
    },
  };

  return middy<ApiEvent, ApiResult>({ timeoutEarlyInMillis: 1_000 })
    .use(boundary)
    .handler(async (event: ApiEvent, _context: Context) => route(event, options, stateOf(event)));
}

async function route(event: ApiEvent, options: ApiHandlerOptions, state: RequestState): Promise<ApiResult> {
  const { route: name, id } = matchRoute(event);
  state.route = name;
  const { service } = options;
  switch (name) {
    case 'health':
      return json(200, { status: 'ok' }, state);
    case 'enqueue': {
      const body = readJsonBody(event, API_LIMITS.bodyBytes);
      const accepted = await service.enqueue(toEnqueueRequest(body, correlationId(event, state)));
      state.jobIds.push(accepted.jobId);
      const { replayed, ...result } = accepted;
      return json(202, result, state, replayed ? { [IDEMPOTENT_REPLAYED_HEADER]: 'true' } : {});
    }
    case 'enqueueBatch': {
      const body = parsed(batchSchema, readJsonBody(event, API_LIMITS.batchBodyBytes), 'Invalid batch');
      const correlation = correlationId(event, state);
      // Entries that are not job requests at all fail alone; the rest go to the service together.
      type Entry =
        | { readonly index: number; readonly request: EnqueueRequest }
        | { readonly index: number; readonly error: JobValidationError };
      const entries = body.jobs.map((entry, index): Entry => {
        try {
          return { index, request: toEnqueueRequest(entry, correlation) };
        } catch (error) {
          if (error instanceof JobValidationError) return { index, error };
          throw error;
        }
      });
      const valid = entries.flatMap((e) => ('request' in e ? [e] : []));
      const outcomes = await service.enqueueEach(valid.map((e) => e.request));
      const byIndex = new Map(valid.map((e, i) => [e.index, outcomes[i]]));
      const results = entries.map((e) =>
        'error' in e
          ? { index: e.index, error: mapError(e.error).body }
          : toBatchResult(e.index, byIndex.get(e.index), state),
      );
      return json(207, { results }, state);
    }
    case 'get': {
      const jobId = id ?? '';
      state.jobIds.push(jobId);
      return json(200, await service.get(jobId), state);
    }
    case 'cancel': {
      const jobId = id ?? '';
      state.jobIds.push(jobId);
      return json(200, await service.cancel(jobId), state);
    }
    case 'list': {
      const query = parsed(listQuerySchema, { ...(event.queryStringParameters ?? {}) }, 'Invalid listing');
      if (query.name !== undefined && !options.registry.find(query.name)) {
        throw new UnknownJobError(query.name, options.registry.names);
      }
      const page = await service.list({
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.name === undefined ? {} : { name: query.name }),
        ...(query.limit === undefined ? {} : { limit: Number(query.limit) }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      });
      return json(200, page, state);
    }
  }
}

/**
 * A body entry → the client's request. Field types beyond `name` are the client's to check
 * (`JobClient.validate`, through the service), so its one schema names every bad field.
 * @throws {JobValidationError} for a body that is not a job request at all.
 */
function toEnqueueRequest(body: unknown, correlationId: string): EnqueueRequest {
  const request = parsed(jobRequestSchema, body, 'Invalid job request');
  return {
    job: request.name,
    payload: request.payload,
    correlationId,
    ...(request.delaySeconds === undefined ? {} : { delaySeconds: request.delaySeconds as number }),
    ...(request.runAt === undefined ? {} : { runAt: request.runAt as string }),
    ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey as string }),
  };
}

function parsed<T>(schema: $ZodType<T>, data: unknown, what: string): T {
  const result = check(schema, data);
  if (!result.ok) throw new JobValidationError(`${what}: ${describeIssues(result.issues)}`, result.issues);
  return result.value;
}

function toBatchResult(index: number, outcome: BatchOutcome | undefined, state: RequestState) {
  if (!outcome) return { index, error: mapError(undefined).body };
  if (!outcome.ok) return { index, error: mapError(outcome.error).body };
  state.jobIds.push(outcome.jobId);
  return { index, jobId: outcome.jobId };
}

/** The caller's correlation id when it sent a usable one, else this request's id. */
function correlationId(event: ApiEvent, state: RequestState): string {
  const given = header(event, CORRELATION_ID_HEADER)?.trim();
  return given && given.length <= API_LIMITS.correlationIdLength ? given : state.requestId;
}

function json(
  statusCode: number,
  body: unknown,
  state: RequestState,
  headers: Readonly<Record<string, string>> = {},
): ApiResult {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-request-id': state.requestId,
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

function logRequest(state: RequestState, event: ApiEvent, status: number, errorCode?: string): void {
  state.logger.info('Request', {
    method: event.requestContext?.http?.method,
    route: state.route ?? null,
    status,
    durationMs: Date.now() - state.startedAt,
    ...(state.jobIds.length === 1 ? { jobId: state.jobIds[0] } : {}),
    ...(state.jobIds.length > 1 ? { jobIds: state.jobIds } : {}),
    ...(errorCode === undefined ? {} : { errorCode }),
  });
}

/**
 * Reading an API Gateway HTTP API (payload 2.0) request: which route it is, and its JSON body,
 * checked in the order a caller can act on — media type (415), size (413), syntax (400).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { API_LIMITS, API_ROUTES, type ApiRoute } from '../../lib/deploy/index.js';
import { ERROR_CODES } from '../../lib/index.js';
import { RequestError } from './errors.js';

export interface MatchedRoute {
  readonly route: ApiRoute;
  /** The `{id}` of `/jobs/{id}` routes, URL-decoded. */
  readonly id: string | undefined;
}

const ROUTE_BY_KEY = new Map<string, ApiRoute>(
  Object.entries(API_ROUTES).map(([route, key]) => [key, route as ApiRoute]),
);

/** Path templates, each with the methods it serves. */
const PATHS: readonly { readonly pattern: RegExp; readonly template: string }[] = [
  { pattern: /^\/jobs\/batch$/, template: '/jobs/batch' },
  { pattern: /^\/jobs$/, template: '/jobs' },
  { pattern: /^\/jobs\/([^/]+)$/, template: '/jobs/{id}' },
  { pattern: /^\/health$/, template: '/health' },
];

/**
 * Finds the route. With explicit routes API Gateway names it in `routeKey`; behind `$default`
 * (or locally) the path decides, without the stage prefix of a named stage.
 * @throws {RequestError} 404 for an unknown path, 405 (with `Allow`) for a known path and another method.
 */
export function matchRoute(event: APIGatewayProxyEventV2): MatchedRoute {
  const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
  const fromKey = ROUTE_BY_KEY.get(event.routeKey ?? '');
  if (fromKey) return { route: fromKey, id: event.pathParameters?.id };

  let path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
  const stage = event.requestContext?.stage;
  if (stage && stage !== '$default' && path.startsWith(`/${stage}/`)) path = path.slice(stage.length + 1);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);

  const allowed: string[] = [];
  for (const { pattern, template } of PATHS) {
    const match = pattern.exec(path);
    if (!match) continue;
    const route = ROUTE_BY_KEY.get(`${method} ${template}`);
    if (route) return { route, id: match[1] === undefined ? undefined : decodeSegment(match[1]) };
    for (const key of ROUTE_BY_KEY.keys())
      if (key.endsWith(` ${template}`)) allowed.push(key.split(' ')[0] ?? '');
  }
  if (allowed.length > 0) {
    const allow = [...new Set(allowed)].join(', ');
    throw new RequestError(
      ERROR_CODES.methodNotAllowed,
      `Method ${method} is not allowed here; use ${allow}`,
      {
        headers: { allow },
      },
    );
  }
  throw new RequestError(ERROR_CODES.notFound, 'No such route');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // Not valid percent-encoding: no job has such an id, and the route answers 404 for it.
    return segment;
  }
}

/** Header lookup: API Gateway lower-cases header names in payload 2.0; a local caller may not. */
export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const headers = event.headers ?? {};
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const found = Object.keys(headers).find((key) => key.toLowerCase() === name);
  return found === undefined ? undefined : headers[found];
}

/**
 * The request body as JSON.
 * @throws {RequestError} 415 unless the content type is `application/json` (UTF-8), 413 over
 * `limitBytes`, 400 when it is empty, not UTF-8, not JSON, or nested deeper than API_LIMITS.jsonDepth.
 */
export function readJsonBody(event: APIGatewayProxyEventV2, limitBytes: number): unknown {
  const contentType = header(event, 'content-type');
  if (!isJsonContentType(contentType)) {
    throw new RequestError(
      ERROR_CODES.unsupportedMediaType,
      `Content type must be application/json${contentType ? `, not ${truncate(contentType)}` : ''}`,
    );
  }
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > limitBytes) {
    throw new RequestError(
      ERROR_CODES.payloadTooLarge,
      `Request body is ${bytes.byteLength} bytes; the limit is ${limitBytes}`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RequestError(ERROR_CODES.invalidJson, 'Request body is not UTF-8');
  }
  if (text.trim() === '') throw new RequestError(ERROR_CODES.invalidJson, 'Request body is empty');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // The parser's own message quotes the body; the caller has the body already.
    throw new RequestError(ERROR_CODES.invalidJson, 'Request body is not valid JSON');
  }
  if (depthExceeds(data, API_LIMITS.jsonDepth)) {
    throw new RequestError(
      ERROR_CODES.invalidJson,
      `Request body nests deeper than ${API_LIMITS.jsonDepth} levels`,
    );
  }
  return data;
}

/** `application/json`, optionally with a UTF-8 charset; parameters and case as RFC 9110 allows. */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const [type, ...parameters] = value.split(';');
  if (type?.trim().toLowerCase() !== 'application/json') return false;
  return parameters.every((parameter) => {
    const [name, setting] = parameter.split('=');
    if (name?.trim().toLowerCase() !== 'charset') return true;
    return /^"?utf-?8"?$/i.test(setting?.trim() ?? '');
  });
}

/** Walks the value without recursion, so depth itself cannot overflow the stack. */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const entry = stack.pop();
    if (!entry) break;
    const [current, depth] = entry;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

function truncate(value: string): string {
  return value.length > 100 ? `${value.slice(0, 100)}…` : value;
}

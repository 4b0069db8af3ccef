import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

let sequence = 0;

export interface ApiEventOptions {
  /** An object or array is sent as JSON (with a JSON content type unless `headers` says otherwise). */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly isBase64Encoded?: boolean;
  /** An explicit route (`GET /jobs/{id}`) instead of `$default`. */
  readonly routeKey?: string;
  readonly pathParameters?: Record<string, string>;
  readonly stage?: string;
}

/** An API Gateway HTTP API (payload 2.0) event, as the `$default` route delivers it. */
export function apiEvent(
  method: string,
  path: string,
  options: ApiEventOptions = {},
): APIGatewayProxyEventV2 {
  sequence += 1;
  const json = options.body !== undefined && typeof options.body !== 'string';
  const headers = {
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...options.headers,
  };
  const stage = options.stage ?? '$default';
  const rawPath = stage === '$default' ? path : `/${stage}${path}`;
  return {
    version: '2.0',
    routeKey: options.routeKey ?? '$default',
    rawPath,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers,
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      domainName: 'api.example',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: `req-${sequence}`,
      routeKey: options.routeKey ?? '$default',
      stage,
      time: '23/Nov/2026:10:00:00 +0000',
      timeEpoch: 1_795_000_000_000,
    },
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

/** A structured result with its JSON body parsed. */
export function parseResult(result: APIGatewayProxyStructuredResultV2) {
  return {
    status: result.statusCode,
    headers: result.headers ?? {},
    body: result.body === undefined ? undefined : (JSON.parse(result.body) as unknown),
  };
}

/**
 * A real HTTP server in front of an API Gateway HTTP API handler (payload format 2.0), for the
 * local runtime and tests: each request becomes the event API Gateway would send (`$default`
 * route and stage), each result the response API Gateway would write. Loopback only by default.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { ApiErrorBody } from '../lib/deploy/index.js';
import { ERROR_CODES } from '../lib/index.js';
import { createLambdaContext } from './lambda-context.js';

export type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

export const HTTP_API_DEFAULTS = {
  host: '127.0.0.1',
  /** API Gateway's own limit on a request body; it answers 413 beyond it without invoking the function. */
  maxBodyBytes: 10 * 1_048_576,
  /** API Gateway waits at most 30 s for an integration; the function gets a little less. */
  timeoutMs: 29_000,
} as const;

export interface HttpApiOptions {
  readonly handler: HttpApiHandler;
  /** @default 0: a free port */
  readonly port?: number;
  /** @default HTTP_API_DEFAULTS.host (loopback) */
  readonly host?: string;
  /** @default HTTP_API_DEFAULTS.maxBodyBytes */
  readonly maxBodyBytes?: number;
  /** The function timeout each invocation's context counts down from. @default HTTP_API_DEFAULTS.timeoutMs */
  readonly timeoutMs?: number;
  /** @default 'hangar-api' */
  readonly functionName?: string;
}

export interface HttpApi {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Starts the server.
 * @example
 * const api = await startHttpApi({ handler });
 * await fetch(`${api.url}/health`);
 * await api.stop();
 */
export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const maxBodyBytes = options.maxBodyBytes ?? HTTP_API_DEFAULTS.maxBodyBytes;
  const timeoutMs = options.timeoutMs ?? HTTP_API_DEFAULTS.timeoutMs;
  const functionName = options.functionName ?? 'hangar-api';

  const server = createServer((req, res) => {
    readBody(req, maxBodyBytes).then(
      async (body) => {
        try {
          await serve(body);
        } catch {
          // Never leave a request hanging: answer as API Gateway does when its integration breaks.
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"message":"Internal Server Error"}');
        }
      },
      // The client went away mid-body: nobody is left to answer.
      () => res.destroy(),
    );

    async function serve(body: Buffer | undefined): Promise<void> {
      if (body === undefined) {
        writeError(res, 413, ERROR_CODES.payloadTooLarge, `Request body exceeds ${maxBodyBytes} bytes`);
        return;
      }
      const requestId = randomUUID();
      const event = toApiGatewayEvent(req, body, requestId);
      let result: APIGatewayProxyResultV2;
      try {
        result = await options.handler(event, createLambdaContext({ functionName, timeoutMs, requestId }));
      } catch {
        // What API Gateway answers when the integration fails.
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
        return;
      }
      writeResult(res, result);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? HTTP_API_DEFAULTS.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The whole body, or undefined once it exceeds `limit` (the rest is read and dropped). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Media types API Gateway passes as text; any other body arrives base64-encoded. */
function isTextual(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript' ||
    type === 'application/x-www-form-urlencoded'
  );
}

/** The payload 2.0 event API Gateway would build for this request. */
export function toApiGatewayEvent(
  req: IncomingMessage,
  body: Buffer,
  requestId: string,
  now: Date = new Date(),
): APIGatewayProxyEventV2 {
  // Split by hand: WHATWG URL parsing rejects request targets HTTP allows (`///`, `//host/x`).
  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  const rawPath = (queryAt < 0 ? target : target.slice(0, queryAt)) || '/';
  const rawQueryString = queryAt < 0 ? '' : target.slice(queryAt + 1);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies = [...(cookies ?? []), ...value.split(/;\s*/).filter((c) => c !== '')];
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const textual = isTextual(headers['content-type']);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies === undefined ? {} : { cookies }),
    headers,
    ...(Object.keys(query).length === 0 ? {} : { queryStringParameters: query }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.byteLength === 0 ? {} : { body: textual ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: body.byteLength > 0 && !textual,
  };
}

function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2): void {
  // A bare value is API Gateway's shorthand for 200 with that value as a JSON body.
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(typeof result === 'string' ? result : JSON.stringify(result));
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  const body =
    result.body === undefined
      ? undefined
      : result.isBase64Encoded
        ? Buffer.from(result.body, 'base64')
        : result.body;
  res.writeHead(result.statusCode ?? 200, headers).end(body);
}

function writeError(res: ServerResponse, status: number, code: string, message: string): void {
  const body: ApiErrorBody = { error: { code, message, details: [] } };
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' })
    .end(JSON.stringify(body));
}

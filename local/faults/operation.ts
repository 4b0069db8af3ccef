/**
 * Which AWS operation an HTTP request to an emulator calls, and in which wire protocol, read the
 * way the services read it:
 * - AWS JSON 1.0/1.1 (SQS in current SDKs, DynamoDB): `x-amz-target: AmazonSQS.ReceiveMessage`,
 *   `DynamoDB_20120810.UpdateItem` — the operation follows the last dot.
 * - AWS query (SES v1, older SQS clients): a form body with `Action=SendEmail`.
 * - REST JSON (SES v2): the route; only the one the SES emulator serves for sending is named.
 * And which attempt of which SDK call it is, from the retry headers every AWS SDK sends.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { CallAttempt } from './fault-plan.js';

export type WireProtocol = 'json' | 'query' | 'rest-json';

export interface RequestOperation {
  readonly protocol: WireProtocol;
  /** `ReceiveMessage`, `UpdateItem`, `SendEmail`; for an unknown route, `<METHOD> <path>`. */
  readonly operation: string;
}

/** SES v2 routes, by method and path, as `@aws-sdk/client-sesv2` sends them. */
const REST_ROUTES: Readonly<Record<string, string>> = {
  'POST /v2/email/outbound-emails': 'SendEmail',
};

export function requestOperation(
  headers: IncomingHttpHeaders,
  method: string | undefined,
  url: string | undefined,
  body: string,
): RequestOperation {
  const target = headers['x-amz-target'];
  if (typeof target === 'string' && target !== '') {
    return { protocol: 'json', operation: target.slice(target.lastIndexOf('.') + 1) };
  }
  const contentType = headers['content-type'] ?? '';
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const action = new URLSearchParams(body).get('Action');
    if (action) return { protocol: 'query', operation: action };
  }
  const route = `${method ?? 'GET'} ${new URL(url ?? '/', 'http://localhost').pathname}`;
  return { protocol: 'rest-json', operation: REST_ROUTES[route] ?? route };
}

/**
 * Which attempt of which SDK call a request is: every AWS SDK sends `amz-sdk-invocation-id` (one
 * id per call, kept across its retries) and `amz-sdk-request: attempt=2; max=3`.
 */
export function callAttempt(headers: IncomingHttpHeaders): CallAttempt | undefined {
  const id = headers['amz-sdk-invocation-id'];
  const request = headers['amz-sdk-request'];
  if (typeof id !== 'string' || typeof request !== 'string') return undefined;
  const attempt = Number(/attempt=(\d+)/.exec(request)?.[1]);
  const maxAttempts = Number(/max=(\d+)/.exec(request)?.[1]);
  return Number.isInteger(attempt) && Number.isInteger(maxAttempts)
    ? { id, attempt, maxAttempts }
    : undefined;
}

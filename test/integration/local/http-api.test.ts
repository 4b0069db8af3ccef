import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type HttpApi, type HttpApiHandler, startHttpApi } from '../../../local/http-api.js';

let api: HttpApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

/** A handler that answers with the event it got. */
function echo(): { handler: HttpApiHandler; events: APIGatewayProxyEventV2[] } {
  const events: APIGatewayProxyEventV2[] = [];
  return {
    events,
    handler: async (event) => {
      events.push(event);
      return { statusCode: 200, body: '{}' };
    },
  };
}

/** A raw request, so the target is sent exactly as written (fetch would normalise it). */
function raw(url: string, target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: target, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Function: startHttpApi', () => {
  it('listens on loopback and builds the payload 2.0 event API Gateway would send', async () => {
    // Prepare
    const { handler, events } = echo();
    api = await startHttpApi({ handler });

    // Act
    await fetch(`${api.url}/jobs/a%20b?status=dead&tag=x&tag=y`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Multi': 'one', Cookie: 'a=1; b=2' },
      body: '{"name":"email.send"}',
    });

    // Assess
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(events[0]).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/jobs/a%20b',
      rawQueryString: 'status=dead&tag=x&tag=y',
      queryStringParameters: { status: 'dead', tag: 'x,y' },
      cookies: ['a=1', 'b=2'],
      headers: { 'content-type': 'application/json', 'x-multi': 'one' },
      body: '{"name":"email.send"}',
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'POST', path: '/jobs/a%20b', sourceIp: '127.0.0.1' },
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        stage: '$default',
      },
    });
    expect(events[0]?.headers).not.toHaveProperty('cookie');
  });

  it('passes a binary body base64-encoded, as API Gateway does', async () => {
    const { handler, events } = echo();
    api = await startHttpApi({ handler });

    await fetch(`${api.url}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0, 255, 1]),
    });

    expect(events[0]).toMatchObject({ body: 'AP8B', isBase64Encoded: true });
  });

  it('writes the structured result: status, headers, cookies and a base64 body', async () => {
    const result: APIGatewayProxyResultV2 = {
      statusCode: 207,
      headers: { 'content-type': 'text/plain', 'x-count': 3 },
      cookies: ['s=1; HttpOnly'],
      body: Buffer.from('hello').toString('base64'),
      isBase64Encoded: true,
    };
    api = await startHttpApi({ handler: async () => result });

    const response = await fetch(`${api.url}/x`);

    expect(response.status).toBe(207);
    expect(response.headers.get('x-count')).toBe('3');
    expect(response.headers.get('set-cookie')).toBe('s=1; HttpOnly');
    expect(await response.text()).toBe('hello');
  });

  it('answers 413 with the documented error body over the body limit, without invoking the handler', async () => {
    const handler = vi.fn<HttpApiHandler>(async () => ({ statusCode: 200 }));
    api = await startHttpApi({ handler, maxBodyBytes: 10 });

    const response = await fetch(`${api.url}/jobs`, { method: 'POST', body: 'x'.repeat(11) });

    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body exceeds 10 bytes', details: [] },
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers 500 as API Gateway does when the handler throws', async () => {
    api = await startHttpApi({
      handler: async () => {
        throw new Error('boom');
      },
    });

    const response = await fetch(`${api.url}/jobs`);

    expect(response.status).toBe(500);
    expect(await response.text()).toBe('{"message":"Internal Server Error"}');
  });

  it('takes request targets a URL parser refuses', async () => {
    const { handler, events } = echo();
    api = await startHttpApi({ handler });

    const response = await raw(api.url, '///');

    expect(response.status).toBe(200);
    expect(events[0]?.rawPath).toBe('///');
  });
});

/** The dashboard app's guards, request by request (no network: Hono's `app.request`). */
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../dashboard/server/app.js';
import { DashboardOperations } from '../../../dashboard/server/operations.js';
import { CONTENT_SECURITY_POLICY } from '../../../dashboard/server/security.js';
import { API_PATHS, TOKEN_HEADER } from '../../../dashboard/shared/api.js';
import { dashboardTestRegistry } from '../../fixtures/dashboard/jobs.js';
import { fixedTarget } from '../../helpers/cli.js';

const HOST = '127.0.0.1:3003';
const TOKEN = 'b'.repeat(64);

function app(readOnly = false) {
  const operations = new DashboardOperations({
    target: fixedTarget(new SQSClient({ region: 'eu-west-1' }), dashboardTestRegistry, {}),
    registry: dashboardTestRegistry,
    metrics: { series: () => Promise.reject(new Error('not in this test')) },
  });
  return createApp({
    operations,
    ui: { assets: new Map(), html: (token) => `<meta content="${token}">` },
    token: TOKEN,
    host: () => HOST,
    readOnly,
    refreshMs: 1000,
  });
}

const actionHeaders = {
  host: HOST,
  origin: `http://${HOST}`,
  [TOKEN_HEADER]: TOKEN,
  'content-type': 'application/json',
};
const request = (
  readOnly: boolean,
  path: string,
  init: { method?: string; headers: Record<string, string>; body?: string },
) => app(readOnly).request(`http://${HOST}${path}`, init);

describe('Function: guard', () => {
  it.each([
    ['a foreign Host', false, 'GET', { host: 'rebind.example:3003' }, 403, 'FOREIGN_HOST'],
    ['localhost for 127.0.0.1', false, 'GET', { host: 'localhost:3003' }, 403, 'FOREIGN_HOST'],
    ['a POST without the token', false, 'POST', { ...actionHeaders, [TOKEN_HEADER]: '' }, 403, 'BAD_TOKEN'],
    [
      'a POST with a token of another length',
      false,
      'POST',
      { ...actionHeaders, [TOKEN_HEADER]: 'b' },
      403,
      'BAD_TOKEN',
    ],
    [
      'a POST from another origin',
      false,
      'POST',
      { ...actionHeaders, origin: 'http://evil.example' },
      403,
      'FOREIGN_ORIGIN',
    ],
    [
      'a POST that is not JSON (a form)',
      false,
      'POST',
      { ...actionHeaders, 'content-type': 'text/plain' },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['any POST in read-only mode', true, 'POST', actionHeaders, 405, 'READ_ONLY'],
    ['a DELETE in read-only mode', true, 'DELETE', actionHeaders, 405, 'READ_ONLY'],
  ] as const)('refuses %s', async (_label, readOnly, method, headers, status, code) => {
    // Act
    const answer = await request(readOnly, API_PATHS.cancel, {
      method,
      headers: { ...headers },
      ...(method === 'GET' ? {} : { body: '{"ids":["x"]}' }),
    });

    // Assess
    expect(answer.status).toBe(status);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(answer.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    if (status === 405) expect(answer.headers.get('allow')).toBe('GET, HEAD');
  });

  it('serves the page with its token, and the configuration, to its own Host', async () => {
    // Act
    const page = await request(false, '/', { headers: { host: HOST } });
    const config = await request(true, API_PATHS.config, { headers: { host: HOST } });

    // Assess
    expect(await page.text()).toBe(`<meta content="${TOKEN}">`);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await config.json()).toMatchObject({ readOnly: true, flowControl: false, nativeRedrive: false });
    expect(config.headers.get('cache-control')).toBe('no-store');
  });

  it('answers an unknown route with a JSON 404, and a body that is not JSON with a 400', async () => {
    // Act
    const missing = await request(false, '/api/nothing', { headers: { host: HOST } });
    const broken = await request(false, API_PATHS.cancel, {
      method: 'POST',
      headers: actionHeaders,
      body: '{',
    });

    // Assess
    expect([missing.status, await missing.json()]).toEqual([
      404,
      { error: { code: 'NOT_FOUND', message: 'No such page or route' } },
    ]);
    expect([broken.status, await broken.json()]).toEqual([
      400,
      { error: { code: 'INVALID_JSON', message: 'The body is not JSON' } },
    ]);
  });
});

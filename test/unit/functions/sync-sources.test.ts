import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readSecret, resolveSources } from '../../../functions/sync/sources.js';
import { PermanentJobError } from '../../../lib/index.js';
import { SYNC_DEFAULTS, syncSourcesSchema } from '../../../lib/jobs/builtin/index.js';
import { check } from '../../../lib/validation.js';

const ssmMock = mockClient(SSMClient);

describe('Function: resolveSources', () => {
  afterEach(() => ssmMock.reset());

  it('applies defaults and sends the secret in the configured header', async () => {
    // Prepare
    const fetchFake = vi.fn(async () => new Response(JSON.stringify({ items: [], nextCursor: null })));
    const resolve = resolveSources(
      [
        {
          id: 'crm',
          url: 'http://127.0.0.1:9/items',
          authParameter: '/hangar/dev/crm-token',
          authHeader: 'x-api-key',
        },
      ],
      { readSecret: async (name) => `secret-of-${name}`, fetch: fetchFake as unknown as typeof fetch },
    );

    // Act
    const resolved = resolve('crm');
    await resolved?.source.fetchPage({ cursor: undefined, limit: 5, signal: new AbortController().signal });

    // Assess
    expect(resolved).toMatchObject({
      pageSize: SYNC_DEFAULTS.pageSize,
      staleAfterDays: SYNC_DEFAULTS.staleAfterDays,
    });
    expect(resolve('other')).toBeUndefined();
    const init = (fetchFake.mock.calls[0] as unknown as [URL, RequestInit])[1];
    expect(init.headers).toEqual({
      accept: 'application/json',
      'x-api-key': 'secret-of-/hangar/dev/crm-token',
    });
  });

  it('fails permanently when the secret is missing', async () => {
    const resolve = resolveSources([{ id: 'crm', url: 'http://127.0.0.1:9/items', authParameter: '/nope' }], {
      readSecret: async () => undefined,
    });
    const error = await resolve('crm')
      ?.source.fetchPage({ cursor: undefined, limit: 5, signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentJobError);
    expect(error).toMatchObject({
      code: 'AUTH_PARAMETER_MISSING',
      message: 'Auth parameter "/nope" of source "crm" is missing or empty',
    });
  });
});

describe('Function: readSecret', () => {
  afterEach(() => ssmMock.reset());

  it('reads an SSM SecureString once and serves it from the cache after', async () => {
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'Bearer abc' } });

    const first = await readSecret('/hangar/test/cached-token');
    const second = await readSecret('/hangar/test/cached-token');

    expect([first, second]).toEqual(['Bearer abc', 'Bearer abc']);
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/hangar/test/cached-token',
      WithDecryption: true,
    });
  });
});

describe('Schema: syncSourcesSchema', () => {
  it.each([
    [[{ id: 'a', url: 'ftp://x/items' }], '0.url'],
    [[{ id: 'bad id', url: 'http://x/items' }], '0.id'],
    [[{ id: 'a', url: 'http://x/items', pageSize: 0 }], '0.pageSize'],
    [[{ id: 'a', url: 'http://x/items', schedule: 'daily' }], '0.schedule'],
    [
      [
        { id: 'a', url: 'http://x/a' },
        { id: 'a', url: 'http://x/b' },
      ],
      '(root)',
    ],
  ])('rejects %j at %s', (sources, path) => {
    const result = check(syncSourcesSchema, sources);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
  });
});

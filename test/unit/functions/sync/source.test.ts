import { describe, expect, it, vi } from 'vitest';
import {
  HttpSource,
  parsePage,
  parseRetryAfter,
  SOURCE_ERROR_CODES,
} from '../../../../functions/sync/source.js';
import { PermanentJobError, RetryableJobError } from '../../../../lib/index.js';

const page = (items: unknown[], nextCursor: string | null) =>
  new Response(JSON.stringify({ items, nextCursor }), { status: 200 });

function source(
  respond: (url: URL, init: RequestInit | undefined) => Promise<Response> | Response,
  auth?: string,
) {
  const calls: { url: URL; headers: Record<string, string> }[] = [];
  const fetchFake = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    calls.push({ url, headers: (init?.headers ?? {}) as Record<string, string> });
    return respond(url, init);
  });
  const http = new HttpSource({
    url: 'http://127.0.0.1:9/items?tenant=a',
    pageTimeoutMs: 1_000,
    fetch: fetchFake as unknown as typeof fetch,
    ...(auth === undefined ? {} : { auth: { header: 'authorization', value: async () => auth } }),
  });
  return { http, calls };
}

const signal = () => new AbortController().signal;

describe('Class: HttpSource', () => {
  it('asks for a page with limit and cursor, sending the auth header', async () => {
    const { http, calls } = source(() => page([{ id: 'a', n: 1 }], 'c2'), 'Bearer t0ken');

    const result = await http.fetchPage({ cursor: 'c1', limit: 50, signal: signal() });

    expect(result).toEqual({ items: [{ id: 'a', data: { id: 'a', n: 1 } }], nextCursor: 'c2' });
    expect(calls[0]?.url.toString()).toBe('http://127.0.0.1:9/items?tenant=a&limit=50&cursor=c1');
    expect(calls[0]?.headers).toEqual({ accept: 'application/json', authorization: 'Bearer t0ken' });
  });

  it.each([
    [429, { 'retry-after': '7' }, RetryableJobError, SOURCE_ERROR_CODES.throttled, 7],
    [503, {}, RetryableJobError, SOURCE_ERROR_CODES.unavailable, undefined],
    [500, { 'retry-after': '2' }, RetryableJobError, SOURCE_ERROR_CODES.unavailable, 2],
    [404, {}, PermanentJobError, SOURCE_ERROR_CODES.rejected, undefined],
    [401, {}, PermanentJobError, SOURCE_ERROR_CODES.rejected, undefined],
  ])('classifies HTTP %i', async (status, headers, errorClass, code, retryAfter) => {
    const { http } = source(() => new Response('nope', { status, headers }));

    const error = await http
      .fetchPage({ cursor: undefined, limit: 10, signal: signal() })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ code });
    if (error instanceof RetryableJobError) expect(error.retryAfterSeconds).toBe(retryAfter);
  });

  it('retries a network failure', async () => {
    const { http } = source(() => Promise.reject(new TypeError('fetch failed')));
    const error = await http
      .fetchPage({ cursor: undefined, limit: 10, signal: signal() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableJobError);
    expect(error).toMatchObject({
      code: SOURCE_ERROR_CODES.unreachable,
      message: 'Source is unreachable: fetch failed',
    });
  });

  it("rejects with the job signal's reason when the deadline cuts a page off", async () => {
    const controller = new AbortController();
    const reason = new Error('deadline');
    const { http } = source(
      (_url, init) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    );
    const pending = http.fetchPage({ cursor: undefined, limit: 10, signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('treats a body that is not JSON as a malformed page', async () => {
    const { http } = source(() => new Response('<html>', { status: 200 }));
    const error = await http
      .fetchPage({ cursor: undefined, limit: 10, signal: signal() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentJobError);
    expect(error).toMatchObject({ code: SOURCE_ERROR_CODES.malformedPage, message: 'Page is not JSON' });
  });
});

describe('Function: parsePage', () => {
  it.each([
    [[], 'Malformed page: the body is not a JSON object'],
    [{ nextCursor: null }, 'Malformed page: "items" is not an array'],
    [{ items: [], nextCursor: 5 }, 'Malformed page: "nextCursor" is neither a string nor null'],
    [{ items: [] }, 'Malformed page: "nextCursor" is neither a string nor null'],
    [{ items: [], nextCursor: '' }, 'Malformed page: "nextCursor" is empty'],
    [{ items: [], nextCursor: 'same' }, 'Malformed page: "nextCursor" repeats the current cursor "same"'],
    [{ items: ['x'], nextCursor: null }, 'Malformed page: items[0] is not an object'],
    [
      { items: [{ id: 'a' }, { name: 'b' }], nextCursor: null },
      'Malformed page: items[1].id is not a string of 1–512 characters',
    ],
    [
      { items: [{ id: 7 }], nextCursor: null },
      'Malformed page: items[0].id is not a string of 1–512 characters',
    ],
  ])('rejects %j naming what is wrong', (body, message) => {
    const act = () => parsePage(body, 'same');
    expect(act).toThrow(PermanentJobError);
    expect(act).toThrow(message);
  });

  it('accepts the last page', () => {
    expect(parsePage({ items: [{ id: 'z' }], nextCursor: null }, 'c9')).toEqual({
      items: [{ id: 'z', data: { id: 'z' } }],
      nextCursor: null,
    });
  });
});

describe('Function: parseRetryAfter', () => {
  it.each([
    ['120', 120],
    [' 3 ', 3],
    ['Mon, 23 Nov 2026 10:00:30 GMT', 30],
    ['soon', undefined],
    [null, undefined],
  ])('reads %j as %j seconds', (value, seconds) => {
    expect(parseRetryAfter(value, Date.parse('2026-11-23T10:00:00Z'))).toBe(seconds);
  });
});

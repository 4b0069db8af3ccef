import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSourceOptions {
  readonly pages: number;
  readonly perPage: number;
  /** Answer this page's first request with 429 and `Retry-After: <seconds>`. */
  readonly throttleOnce?: { readonly page: number; readonly retryAfterSeconds: number };
  /** Every page takes this long. */
  readonly pageDelayMs?: number;
  /** This page's first request takes this much longer. */
  readonly slowPage?: { readonly page: number; readonly delayMs: number };
  /** This page answers a body that breaks the paging contract. */
  readonly malformedPage?: number;
}

/**
 * A loopback HTTP source following the paging contract (`?limit=&cursor=` →
 * `{ items, nextCursor }`, cursors `p2`…`pN`), with faults on request. It records every request,
 * and how many were ever in flight at once.
 */
export async function startFakeSource(options: FakeSourceOptions) {
  const requests: { cursor: string | null; status: number; startedAt: number; endedAt: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let throttled = false;
  let slowed = false;
  const server = createServer((req, res) => {
    const startedAt = Date.now();
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const cursor = url.searchParams.get('cursor');
    const page = cursor === null ? 1 : Number(cursor.slice(1));
    const respond = (status: number, body: string, headers: Record<string, string> = {}) => {
      inFlight -= 1;
      requests.push({ cursor, status, startedAt, endedAt: Date.now() });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    const slow = options.slowPage?.page === page && !slowed;
    if (slow) slowed = true;
    const delay = (options.pageDelayMs ?? 0) + (slow && options.slowPage ? options.slowPage.delayMs : 0);
    setTimeout(() => {
      if (options.throttleOnce?.page === page && !throttled) {
        throttled = true;
        respond(429, '{"message":"slow down"}', {
          'retry-after': String(options.throttleOnce.retryAfterSeconds),
        });
        return;
      }
      if (options.malformedPage === page) {
        respond(200, JSON.stringify({ items: [{ name: 'no id here' }], nextCursor: null }));
        return;
      }
      const items = Array.from({ length: options.perPage }, (_, i) => ({
        id: `item-${page}-${i}`,
        page,
        title: `Item ${page}.${i}`,
      }));
      respond(200, JSON.stringify({ items, nextCursor: page < options.pages ? `p${page + 1}` : null }));
    }, delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/items`,
    requests,
    maxInFlight: () => maxInFlight,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

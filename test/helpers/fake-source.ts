import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VirtualClock } from './virtual-clock.js';

export interface FakeSourceOptions {
  readonly pages: number;
  readonly perPage: number;
  /** Answer this page's first request with 429 and `Retry-After: <seconds>`. */
  readonly throttleOnce?: { readonly page: number; readonly retryAfterSeconds: number };
  /** Every page takes this long: on `clock` when given (moved at once), in real time otherwise. */
  readonly pageDelayMs?: number;
  /**
   * This page's first request takes longer than any invocation has: it is never answered, and the
   * time on `clock` jumps to the clock's next timer (the invocation's deadline) — the client gives up.
   */
  readonly slowPage?: number;
  /** This page answers a body that breaks the paging contract. */
  readonly malformedPage?: number;
  /** The clock page delays take their time on. @default real time */
  readonly clock?: VirtualClock;
}

export interface FakeSourceRequest {
  readonly cursor: string | null;
  /** The status answered; `abandoned` when the client gave up first; undefined while pending. */
  status: number | 'abandoned' | undefined;
  /** Epoch milliseconds (real time). */
  readonly startedAt: number;
  endedAt: number | undefined;
}

/**
 * A loopback HTTP source following the paging contract (`?limit=&cursor=` →
 * `{ items, nextCursor }`, cursors `p2`…`pN`), with faults on request. It records every request in
 * the order they arrived, and how many were ever in flight at once.
 */
export async function startFakeSource(options: FakeSourceOptions) {
  const requests: FakeSourceRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let throttled = false;
  let slowed = false;
  const server = createServer((req, res) => {
    const cursor = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('cursor');
    const page = cursor === null ? 1 : Number(cursor.slice(1));
    const request: FakeSourceRequest = {
      cursor,
      status: undefined,
      startedAt: Date.now(),
      endedAt: undefined,
    };
    requests.push(request);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const end = (status: NonNullable<FakeSourceRequest['status']>) => {
      if (request.status !== undefined) return;
      inFlight -= 1;
      request.status = status;
      request.endedAt = Date.now();
    };
    res.on('close', () => end('abandoned'));
    const respond = (status: number, body: string, headers: Record<string, string> = {}) => {
      end(status);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    const answer = () => {
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
    };
    if (options.slowPage === page && !slowed) {
      slowed = true;
      options.clock?.next();
      return;
    }
    const delay = options.pageDelayMs ?? 0;
    if (options.clock) {
      options.clock.tick(delay);
      answer();
    } else setTimeout(answer, delay);
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

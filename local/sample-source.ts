/**
 * A small external source for `sync.run` to pull from locally: a fixed catalogue of items served
 * page by page, `GET /items?cursor=&limit=` → `{ items: [{ id, name, price, updatedAt }], nextCursor }`
 * (`nextCursor: null` on the last page), the paging contract `HttpSource` reads. Deterministic, so a
 * sync's result can be checked exactly.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from './emulators.js';

export const SAMPLE_SOURCE_DEFAULTS = {
  /** Items in the catalogue. */
  items: 250,
  /** Items per page when the request gives no `limit`, and the largest `limit` served. */
  pageSize: 50,
  maxPageSize: 1_000,
} as const;

export interface SampleItem {
  readonly id: string;
  readonly name: string;
  readonly price: number;
  readonly updatedAt: string;
}

export interface SampleSource {
  /** The base URL; the items are at `<url>/items`. */
  readonly url: string;
  /** Requests served so far, for tests. */
  readonly requests: () => number;
  stop(): Promise<void>;
}

/** The n-th item of the catalogue (from 0). */
export function sampleItem(index: number): SampleItem {
  return {
    id: `item-${String(index + 1).padStart(5, '0')}`,
    name: `Sample item ${index + 1}`,
    price: ((index * 37) % 1000) / 10 + 1,
    updatedAt: new Date(Date.UTC(2026, 0, 1) + index * 60_000).toISOString(),
  };
}

const encodeCursor = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');
const decodeCursor = (cursor: string): number | undefined => {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match?.[1] === undefined ? undefined : Number(match[1]);
};

export async function startSampleSource(
  port: number,
  items: number = SAMPLE_SOURCE_DEFAULTS.items,
): Promise<SampleSource> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    if (req.method !== 'GET' || url.pathname !== '/items') {
      send(404, { error: 'Not found: the sample source serves GET /items?cursor=&limit=' });
      return;
    }
    const cursor = url.searchParams.get('cursor');
    const offset = cursor === null || cursor === '' ? 0 : decodeCursor(cursor);
    const limitText = url.searchParams.get('limit');
    const limit = limitText === null ? SAMPLE_SOURCE_DEFAULTS.pageSize : Number(limitText);
    if (offset === undefined) return send(400, { error: 'Invalid cursor' });
    if (!Number.isInteger(limit) || limit < 1 || limit > SAMPLE_SOURCE_DEFAULTS.maxPageSize) {
      return send(400, { error: `limit must be 1–${SAMPLE_SOURCE_DEFAULTS.maxPageSize}` });
    }
    const end = Math.min(items, offset + limit);
    const page = Array.from({ length: Math.max(0, end - offset) }, (_, i) => sampleItem(offset + i));
    send(200, { items: page, nextCursor: end < items ? encodeCursor(end) : null });
  });
  await listen(server, port, 'sample source');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

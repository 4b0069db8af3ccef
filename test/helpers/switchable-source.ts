import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * External sources for `sync.run` on one loopback server, each at `/<id>/items`, following the
 * paging contract with two pages of two items. A source that is `broken` answers 403 — what a
 * revoked token looks like, a failure no retry fixes — until the test repairs it.
 */
export async function startSwitchableSource(ids: readonly string[]) {
  const broken = new Set(ids);
  const requests: { source: string; status: number }[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const source = url.pathname.split('/')[1] ?? '';
    const respond = (status: number, body: unknown) => {
      requests.push({ source, status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!ids.includes(source)) return respond(404, { message: 'no such source' });
    if (broken.has(source)) return respond(403, { message: 'token revoked' });
    const page = url.searchParams.get('cursor') === 'p2' ? 2 : 1;
    const items = [0, 1].map((i) => ({ id: `${source}-${page}-${i}`, title: `Item ${page}.${i}` }));
    respond(200, { items, nextCursor: page === 1 ? 'p2' : null });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: (id: string) => `${base}/${id}/items`,
    repair: (id: string) => broken.delete(id),
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

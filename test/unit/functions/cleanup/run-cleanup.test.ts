import { describe, expect, it } from 'vitest';
import type { ExpiryStore, RecordKey } from '../../../../functions/cleanup/expiry-store.js';
import {
  createCleanupHandler,
  decodeCursor,
  encodeCursor,
  PAGE_TIME_HEADROOM,
} from '../../../../functions/cleanup/run-cleanup.js';
import { PermanentJobError } from '../../../../lib/index.js';
import { cleanupRun } from '../../../../lib/jobs/builtin/index.js';
import { controllableJobContext } from '../../../helpers/controllable-job-context.js';

interface Row {
  readonly pk: string;
  readonly sk: string;
  readonly kind: string;
  readonly expiresAt: number;
}

/** An expiry store over rows sorted by expiry, paging like a DynamoDB query with a start key. */
function memoryStore(rows: Row[]) {
  const live = new Map(rows.map((r) => [`${r.pk}|${r.sk}`, r]));
  const queries: { kind: string; start: unknown }[] = [];
  const store: ExpiryStore = {
    async expired(kind, cutoff, limit, start) {
      queries.push({ kind, start });
      const matching = [...live.values()]
        .filter((r) => r.kind === kind && r.expiresAt <= cutoff)
        .sort((a, b) => a.expiresAt - b.expiresAt || a.pk.localeCompare(b.pk));
      const from = start === undefined ? 0 : matching.findIndex((r) => r.pk === start.pk) + 1;
      const page = matching.slice(from, from + limit);
      const last = page.at(-1);
      const more = from + limit < matching.length;
      return {
        keys: page.map((r) => ({ pk: r.pk, sk: r.sk })),
        next: more && last ? { pk: last.pk } : undefined,
      };
    },
    async delete(keys: readonly RecordKey[]) {
      for (const key of keys) live.delete(`${key.pk}|${key.sk}`);
    },
  };
  return { store, live, queries };
}

const CUTOFF = '2026-11-23T03:00:00.000Z';
const CUTOFF_SECONDS = Date.parse(CUTOFF) / 1000;

function rows(kind: string, count: number, expiresAt: (i: number) => number): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    pk: `${kind}#${String(i).padStart(3, '0')}`,
    sk: kind,
    kind,
    expiresAt: expiresAt(i),
  }));
}

describe('Function: createCleanupHandler', () => {
  it('deletes exactly the records expiring at or before the cut-off, of every kind', async () => {
    // Prepare
    const { store, live } = memoryStore([
      ...rows('job', 7, (i) => CUTOFF_SECONDS - i),
      { pk: 'job#at-cutoff', sk: 'job', kind: 'job', expiresAt: CUTOFF_SECONDS },
      { pk: 'job#one-second-after', sk: 'job', kind: 'job', expiresAt: CUTOFF_SECONDS + 1 },
      ...rows('item', 4, (i) => CUTOFF_SECONDS - 100 - i),
      ...rows('item-kept', 2, () => CUTOFF_SECONDS - 1),
    ]);
    const handler = createCleanupHandler({
      store,
      kinds: ['job', 'item'],
      pageSize: 3,
      now: () => new Date(CUTOFF),
    });
    const { context, continueWith } = controllableJobContext(cleanupRun);

    // Act
    const result = await handler({}, context);

    // Assess
    expect(result).toEqual({ deleted: 12, cutoff: CUTOFF });
    expect([...live.keys()].sort()).toEqual([
      'item-kept#000|item-kept',
      'item-kept#001|item-kept',
      'job#one-second-after|job',
    ]);
    expect(continueWith).not.toHaveBeenCalled();
  });

  it('stops after a page when its signal fires and continues with the same cut-off and its place', async () => {
    // Prepare: 3 pages of 3; the deadline arrives during the first page.
    const { store, live, queries } = memoryStore(rows('job', 9, (i) => CUTOFF_SECONDS - 50 + i));
    const fake = controllableJobContext(cleanupRun);
    const aborting: ExpiryStore = {
      expired: async (...args) => {
        const page = await store.expired(...args);
        fake.abort();
        return page;
      },
      delete: (keys) => store.delete(keys),
    };
    const handler = createCleanupHandler({
      store: aborting,
      kinds: ['job'],
      pageSize: 3,
      now: () => new Date(CUTOFF),
    });

    // Act
    const first = await handler({}, fake.context);

    // Assess
    expect(first).toBeUndefined();
    expect(live.size).toBe(6);
    expect(fake.progress).toHaveBeenCalledWith({ deleted: 3 });
    const next = fake.continueWith.mock.calls[0]?.[0];
    expect(next).toMatchObject({ cutoff: CUTOFF, deleted: 3 });
    expect(decodeCursor(next?.cursor)).toEqual({ kind: 0, start: { pk: 'job#002' } });

    // Act again: the continuation, with a later clock, finishes with the original cut-off.
    const rest = createCleanupHandler({
      store,
      kinds: ['job'],
      pageSize: 3,
      now: () => new Date('2030-01-01T00:00:00Z'),
    });
    const second = await rest(next ?? {}, controllableJobContext(cleanupRun, { continuation: 1 }).context);
    expect(second).toEqual({ deleted: 9, cutoff: CUTOFF });
    expect(live.size).toBe(0);
    expect(queries.map((q) => q.start)).toEqual([undefined, { pk: 'job#002' }, { pk: 'job#005' }]);
  });

  // Each page takes PAGE_MS of the invocation's time; another starts only if PAGE_TIME_HEADROOM × that is left.
  const PAGE_MS = 20;
  const fits = PAGE_MS * PAGE_TIME_HEADROOM;
  it.each([
    {
      what: 'continues rather than start a page it has no time for',
      leftAfterFirstPage: fits - 1,
      pages: 1,
      result: undefined,
      continuedAfter: [3],
    },
    {
      what: 'starts another page when just enough time is left for it',
      leftAfterFirstPage: fits,
      pages: 2,
      result: { deleted: 6, cutoff: CUTOFF },
      continuedAfter: [],
    },
  ])('$what', async ({ leftAfterFirstPage, pages, result, continuedAfter }) => {
    // Prepare: 2 pages of 3; the remaining time counts down only as pages take it.
    const { store, queries } = memoryStore(rows('job', 6, (i) => CUTOFF_SECONDS - 50 + i));
    let remaining = PAGE_MS + leftAfterFirstPage;
    const timed: ExpiryStore = {
      expired: async (...args) => {
        remaining -= PAGE_MS;
        return store.expired(...args);
      },
      delete: (keys) => store.delete(keys),
    };
    const fake = controllableJobContext(cleanupRun, { remainingMs: () => remaining });
    const handler = createCleanupHandler({
      store: timed,
      kinds: ['job'],
      pageSize: 3,
      now: () => new Date(CUTOFF),
    });

    // Act
    const returned = await handler({}, fake.context);

    // Assess
    expect(queries).toHaveLength(pages);
    expect(returned).toEqual(result);
    expect(fake.continueWith.mock.calls.map(([payload]) => payload.deleted)).toEqual(continuedAfter);
  });

  it('round-trips its cursor and rejects one it did not write', () => {
    expect(decodeCursor(encodeCursor({ kind: 2, start: { pk: 'x', expiresAt: 5 } }))).toEqual({
      kind: 2,
      start: { pk: 'x', expiresAt: 5 },
    });
    expect(decodeCursor(undefined)).toEqual({ kind: 0 });
    expect(() => decodeCursor('not-a-cursor')).toThrow(PermanentJobError);
    expect(() => decodeCursor(encodeCursor({ kind: -1 }))).toThrow(
      'The cleanup cursor is not one this job wrote',
    );
  });
});

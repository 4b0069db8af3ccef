import { describe, expect, it } from 'vitest';
import type { SyncState, SyncStore } from '../../../../functions/sync/item-store.js';
import {
  createSyncHandler,
  PAGE_TIME_HEADROOM,
  SYNC_NO_PROGRESS,
} from '../../../../functions/sync/run-sync.js';
import type { SyncItem, SyncSource } from '../../../../functions/sync/source.js';
import { PermanentJobError, RetryableJobError } from '../../../../lib/index.js';
import { syncRun } from '../../../../lib/jobs/builtin/index.js';
import { controllableJobContext } from '../../../helpers/controllable-job-context.js';

/** A source of `pages` pages of `perPage` items; cursors are "p<n>". */
function pagedSource(
  pages: number,
  perPage: number,
  onFetch?: (cursor: string | undefined) => void,
): SyncSource & { fetched: (string | undefined)[] } {
  const fetched: (string | undefined)[] = [];
  return {
    fetched,
    async fetchPage({ cursor }) {
      fetched.push(cursor);
      onFetch?.(cursor);
      const n = cursor === undefined ? 1 : Number(cursor.slice(1));
      const items = Array.from({ length: perPage }, (_, i) => ({ id: `item-${n}-${i}`, data: { n, i } }));
      return { items, nextCursor: n < pages ? `p${n + 1}` : null };
    },
  };
}

function memoryStore() {
  const items = new Map<string, SyncItem>();
  const states: SyncState[] = [];
  let state: SyncState | undefined;
  const store: SyncStore = {
    async upsertItems(_sourceId, page) {
      for (const item of page) items.set(item.id, item);
    },
    async loadState() {
      return state;
    },
    async saveState(_sourceId, next) {
      state = next;
      states.push(next);
    },
  };
  return { store, items, states, setState: (s: SyncState) => (state = s) };
}

const resolveWith = (source: SyncSource) => (id: string) =>
  id === 'crm' ? { source, pageSize: 3, staleAfterDays: 30 } : undefined;

describe('Function: createSyncHandler', () => {
  it('pages to the end, saving the cursor after every page', async () => {
    // Prepare
    const source = pagedSource(3, 3);
    const { store, items, states } = memoryStore();
    const handler = createSyncHandler({ resolve: resolveWith(source), store });
    const { context, continueWith } = controllableJobContext(syncRun, { jobId: 'J1' });

    // Act
    const result = await handler({ sourceId: 'crm' }, context);

    // Assess
    expect(result).toEqual({ pages: 3, items: 9 });
    expect(source.fetched).toEqual([undefined, 'p2', 'p3']);
    expect(states.map((s) => [s.cursor, s.pages, s.items, s.completed])).toEqual([
      ['p2', 1, 3, false],
      ['p3', 2, 6, false],
      [null, 3, 9, true],
    ]);
    expect(items.size).toBe(9);
    expect(continueWith).not.toHaveBeenCalled();
  });

  it('saves its place and continues when the signal fires', async () => {
    // Prepare: the deadline arrives while page 3 is being fetched.
    let fake: ReturnType<typeof controllableJobContext<typeof syncRun>> | undefined;
    const source = pagedSource(5, 2, (cursor) => {
      if (cursor !== 'p3' || !fake) return;
      // As fetch does: the deadline aborts the request, which rejects with the signal's reason.
      fake.abort();
      throw fake.context.signal.reason;
    });
    const { store, states } = memoryStore();
    const handler = createSyncHandler({ resolve: resolveWith(source), store });
    fake = controllableJobContext(syncRun, { jobId: 'J2' });

    // Act
    const result = await handler({ sourceId: 'crm' }, fake.context);

    // Assess: pages 1 and 2 are stored; page 3 was cut off, so its cursor still stands.
    expect(result).toBeUndefined();
    expect(states.at(-1)).toMatchObject({ cursor: 'p3', pages: 2, items: 4, completed: false });
    expect(fake.progress).toHaveBeenCalledWith({ pages: 2, items: 4 });
    expect(fake.continueWith).toHaveBeenCalledWith({ sourceId: 'crm', cursor: 'p3', pages: 2, items: 4 });
  });

  it('fails the attempt instead of continuing when not even one page fits an invocation', async () => {
    // Prepare: the deadline cuts off the very first page.
    let fake: ReturnType<typeof controllableJobContext<typeof syncRun>> | undefined;
    const source = pagedSource(3, 1, () => {
      fake?.abort();
      throw fake?.context.signal.reason;
    });
    const { store } = memoryStore();
    fake = controllableJobContext(syncRun);

    // Act
    const error = await Promise.resolve()
      .then(() =>
        createSyncHandler({ resolve: resolveWith(source), store })(
          { sourceId: 'crm', cursor: 'p2' },
          fake.context,
        ),
      )
      .catch((e: unknown) => e);

    // Assess: a retry (counted, backed off, eventually dead-lettered), not an endless continuation.
    expect(error).toBeInstanceOf(RetryableJobError);
    expect(error).toMatchObject({
      code: SYNC_NO_PROGRESS,
      message:
        'No page of source "crm" finished within the invocation (cursor p2); the source is slower than the time the function allows',
    });
    expect(fake.continueWith).not.toHaveBeenCalled();
  });

  // Each page takes PAGE_MS of the invocation's time; another starts only if PAGE_TIME_HEADROOM × that is left.
  const PAGE_MS = 20;
  const fits = PAGE_MS * PAGE_TIME_HEADROOM;
  it.each([
    {
      what: 'continues rather than start a page it has no time for',
      leftAfterFirstPage: fits - 1,
      fetched: ['first'],
      result: undefined,
      continued: [[{ sourceId: 'crm', cursor: 'p2', pages: 1, items: 1 }]],
    },
    {
      what: 'starts another page when just enough time is left for it',
      leftAfterFirstPage: fits,
      fetched: ['first', 'p2'],
      result: { pages: 2, items: 2 },
      continued: [],
    },
  ])('$what', async ({ leftAfterFirstPage, fetched, result, continued }) => {
    // Prepare: the remaining time counts down only as pages take it.
    let remaining = PAGE_MS + leftAfterFirstPage;
    const seen: string[] = [];
    const source: SyncSource = {
      async fetchPage({ cursor }) {
        remaining -= PAGE_MS;
        seen.push(cursor ?? 'first');
        return {
          items: [{ id: cursor ?? 'first', data: {} }],
          nextCursor: cursor === undefined ? 'p2' : null,
        };
      },
    };
    const { store } = memoryStore();
    const fake = controllableJobContext(syncRun, { remainingMs: () => remaining });

    // Act
    const returned = await createSyncHandler({ resolve: resolveWith(source), store })(
      { sourceId: 'crm' },
      fake.context,
    );

    // Assess
    expect(seen).toEqual(fetched);
    expect(returned).toEqual(result);
    expect(fake.continueWith.mock.calls).toEqual(continued);
  });

  it('resumes a continuation from its own saved cursor', async () => {
    const source = pagedSource(4, 1);
    const { store, setState } = memoryStore();
    setState({ jobId: 'J3', cursor: 'p3', pages: 2, items: 2, completed: false, updatedAt: '' });
    const fake = controllableJobContext(syncRun, { jobId: 'J3', continuation: 1 });

    const result = await createSyncHandler({ resolve: resolveWith(source), store })(
      { sourceId: 'crm', cursor: 'p3', pages: 2, items: 2 },
      fake.context,
    );

    expect(source.fetched).toEqual(['p3', 'p4']);
    expect(result).toEqual({ pages: 4, items: 4 });
  });

  it('starts from the beginning when the saved state belongs to an earlier sync', async () => {
    const source = pagedSource(1, 1);
    const { store, setState } = memoryStore();
    setState({ jobId: 'OLD', cursor: 'p9', pages: 8, items: 8, completed: false, updatedAt: '' });

    await createSyncHandler({ resolve: resolveWith(source), store })(
      { sourceId: 'crm' },
      controllableJobContext(syncRun, { jobId: 'NEW' }).context,
    );

    expect(source.fetched).toEqual([undefined]);
  });

  it('does nothing for a redelivery of a sync that completed', async () => {
    const source = pagedSource(1, 1);
    const { store, setState } = memoryStore();
    setState({ jobId: 'J4', cursor: null, pages: 5, items: 50, completed: true, updatedAt: '' });

    const result = await createSyncHandler({ resolve: resolveWith(source), store })(
      { sourceId: 'crm' },
      controllableJobContext(syncRun, { jobId: 'J4' }).context,
    );

    expect(result).toEqual({ pages: 5, items: 50 });
    expect(source.fetched).toEqual([]);
  });

  it('lets source failures through for the worker to classify, and rejects unknown sources', async () => {
    const throttled = new RetryableJobError('slow down', { retryAfterSeconds: 3 });
    const failing: SyncSource = { fetchPage: () => Promise.reject(throttled) };
    const { store } = memoryStore();
    const handler = createSyncHandler({ resolve: resolveWith(failing), store });

    await expect(handler({ sourceId: 'crm' }, controllableJobContext(syncRun).context)).rejects.toBe(
      throttled,
    );
    const error = await Promise.resolve()
      .then(() => handler({ sourceId: 'nope' }, controllableJobContext(syncRun).context))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentJobError);
    expect(error).toMatchObject({ code: 'UNKNOWN_SOURCE', message: 'Unknown sync source "nope"' });
  });
});

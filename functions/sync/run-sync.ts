/**
 * The `sync.run` handler: pages through one source, upserting items and saving the cursor after
 * every page. When its signal fires, or too little time remains for another page, it hands the
 * rest to a continuation (same job id) that resumes from the saved cursor.
 */

import { PermanentJobError, RetryableJobError } from '../../lib/index.js';
import type { syncRun } from '../../lib/jobs/builtin/index.js';
import type { JobHandler } from '../../lib/worker/index.js';
import type { SyncStore } from './item-store.js';
import type { SyncSource } from './source.js';

export interface ResolvedSource {
  readonly source: SyncSource;
  readonly pageSize: number;
  readonly staleAfterDays: number;
}

export interface SyncHandlerOptions {
  /** The configured source of an id, or undefined for an unknown id. */
  readonly resolve: (sourceId: string) => ResolvedSource | undefined;
  readonly store: SyncStore;
  readonly now?: () => Date;
}

/**
 * Another page starts only if the time left exceeds the slowest page so far by this factor;
 * otherwise the sync continues in a fresh invocation instead of being cut off mid-page.
 */
export const PAGE_TIME_HEADROOM = 1.5;

/** Error code of an invocation that ended before it could finish a single page. */
export const SYNC_NO_PROGRESS = 'SYNC_NO_PROGRESS';

export function createSyncHandler(options: SyncHandlerOptions): JobHandler<typeof syncRun> {
  const now = options.now ?? (() => new Date());
  return async (payload, context) => {
    const resolved = options.resolve(payload.sourceId);
    if (!resolved)
      throw new PermanentJobError(`Unknown sync source "${payload.sourceId}"`, { code: 'UNKNOWN_SOURCE' });
    const { store } = options;

    // Resume from this job's own checkpoint when there is one (a retry after a crash, or a
    // continuation); a state written by another job means this is a new sync from the start.
    const saved = await store.loadState(payload.sourceId);
    const mine = saved?.jobId === context.jobId ? saved : undefined;
    if (mine?.completed) {
      context.logger.info('Sync already completed', { pages: mine.pages, items: mine.items });
      return { pages: mine.pages, items: mine.items };
    }
    let cursor = mine ? (mine.cursor ?? undefined) : payload.cursor;
    let pages = mine?.pages ?? payload.pages ?? 0;
    let items = mine?.items ?? payload.items ?? 0;
    let slowestPageMs = 0;
    let pagesThisInvocation = 0;

    for (;;) {
      const outOfTime = slowestPageMs > 0 && context.remainingTimeMs() < slowestPageMs * PAGE_TIME_HEADROOM;
      if (context.signal.aborted || outOfTime) break;
      // Pages are timed on the clock the decision above reads: the invocation's remaining time.
      const remainingBefore = context.remainingTimeMs();
      let page: Awaited<ReturnType<SyncSource['fetchPage']>>;
      try {
        page = await resolved.source.fetchPage({ cursor, limit: resolved.pageSize, signal: context.signal });
      } catch (error) {
        // Cut off by the deadline mid-page: the cursor of the last stored page still stands.
        if (context.signal.aborted) break;
        throw error;
      }
      await store.upsertItems(payload.sourceId, page.items, now(), resolved.staleAfterDays);
      pages += 1;
      items += page.items.length;
      cursor = page.nextCursor ?? undefined;
      const completed = page.nextCursor === null;
      await store.saveState(payload.sourceId, {
        jobId: context.jobId,
        cursor: page.nextCursor,
        pages,
        items,
        completed,
        updatedAt: now().toISOString(),
      });
      slowestPageMs = Math.max(slowestPageMs, remainingBefore - context.remainingTimeMs());
      pagesThisInvocation += 1;
      if (completed) {
        context.logger.info('Sync completed', { pages, items });
        return { pages, items };
      }
    }

    if (pagesThisInvocation === 0) {
      // Continuing would start the same page again, in the same time, forever. As a failed attempt
      // it backs off, is counted, and ends in the DLQ with this reason if it never fits.
      throw new RetryableJobError(
        `No page of source "${payload.sourceId}" finished within the invocation (cursor ${cursor ?? '(first page)'}); the source is slower than the time the function allows`,
        { code: SYNC_NO_PROGRESS },
      );
    }
    await context.progress({ pages, items });
    await context.continueWith({
      sourceId: payload.sourceId,
      ...(cursor === undefined ? {} : { cursor }),
      pages,
      items,
    });
    context.logger.info('Sync continues in a fresh invocation', { pages, items });
    return undefined;
  };
}

/**
 * The `cleanup.run` handler: deletes every record whose `expiresAt` is at or before the cut-off,
 * kind by kind, page by page through the expiry index. The cut-off is fixed by the first
 * invocation and carried by continuations, so a run that spans invocations deletes one consistent
 * set. Correct without any TTL: DynamoDB's TTL lags by up to days, and dynalite has none.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMES } from '../../lib/deploy/index.js';
import { PermanentJobError } from '../../lib/index.js';
import type { cleanupRun } from '../../lib/jobs/builtin/index.js';
import type { JobHandler } from '../../lib/worker/index.js';
import type { ExpiryStore } from './expiry-store.js';

export interface CleanupHandlerOptions {
  readonly store: ExpiryStore;
  /** Record kinds to clean, in order (job records, idempotency keys, synced items…). */
  readonly kinds: readonly string[];
  readonly pageSize: number;
  readonly metrics?: Metrics;
  readonly now?: () => Date;
}

/** Where a run stopped: the index of the kind in `kinds` and the query's start key. */
interface CleanupCursor {
  readonly kind: number;
  readonly start?: Record<string, unknown>;
}

export function encodeCursor(cursor: CleanupCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(text: string | undefined): CleanupCursor {
  if (text === undefined) return { kind: 0 };
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<CleanupCursor>;
    if (typeof value.kind === 'number' && Number.isInteger(value.kind) && value.kind >= 0)
      return value as CleanupCursor;
  } catch {
    // fall through to the error below
  }
  throw new PermanentJobError('The cleanup cursor is not one this job wrote', { code: 'INVALID_CURSOR' });
}

/** Another page starts only if the time left exceeds the slowest page so far by this factor. */
export const PAGE_TIME_HEADROOM = 1.5;

export function createCleanupHandler(options: CleanupHandlerOptions): JobHandler<typeof cleanupRun> {
  const now = options.now ?? (() => new Date());
  return async (payload, context) => {
    const cutoff = payload.cutoff ?? now().toISOString();
    const cutoffSeconds = Math.floor(Date.parse(cutoff) / 1000);
    const position = decodeCursor(payload.cursor);
    let kindIndex = position.kind;
    let start = position.start;
    let deleted = payload.deleted ?? 0;
    const counts = new Map<string, number>();
    let slowestPageMs = 0;

    const report = () => {
      for (const [kind, count] of counts) {
        if (count === 0) continue;
        const single = options.metrics?.singleMetric();
        single?.addDimension('kind', kind);
        single?.addMetric(METRIC_NAMES.cleanupDeleted, MetricUnit.Count, count);
      }
      context.logger.info('Cleanup deleted records', { cutoff, deleted, byKind: Object.fromEntries(counts) });
    };

    while (kindIndex < options.kinds.length) {
      const kind = options.kinds[kindIndex] as string;
      const outOfTime = slowestPageMs > 0 && context.remainingTimeMs() < slowestPageMs * PAGE_TIME_HEADROOM;
      if (context.signal.aborted || outOfTime) {
        report();
        await context.progress({ deleted });
        await context.continueWith({
          cutoff,
          deleted,
          cursor: encodeCursor({ kind: kindIndex, ...(start ? { start } : {}) }),
        });
        return undefined;
      }
      // Pages are timed on the clock the decision above reads: the invocation's remaining time.
      const remainingBefore = context.remainingTimeMs();
      const page = await options.store.expired(kind, cutoffSeconds, options.pageSize, start);
      await options.store.delete(page.keys);
      deleted += page.keys.length;
      counts.set(kind, (counts.get(kind) ?? 0) + page.keys.length);
      slowestPageMs = Math.max(slowestPageMs, remainingBefore - context.remainingTimeMs());
      if (page.next === undefined) {
        kindIndex += 1;
        start = undefined;
      } else {
        start = page.next;
      }
    }
    report();
    return { deleted, cutoff };
  };
}

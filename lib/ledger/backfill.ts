/**
 * The one-time backfill a stage runs while it steps to the current indexes (`LEDGER_INDEX_STEPS`):
 * job records written before the redesign have no `shelf`, so the current status index does not
 * hold them. Walking the legacy status index (still there at that step, every attribute
 * projected) finds them without a scan; each gets its shelf in one conditional update, which
 * leaves alone a record that changed meanwhile (the change wrote its shelf).
 */
import { JOB_STATUSES } from '../constants.js';
import { Expression } from './expressions.js';
import type { RecordTable } from './record-table.js';
import { JOB_ATTRIBUTES as A, type RecordKey, statusOf } from './records.js';
import { indexLayout, STATUS_SHELVES } from './table.js';

export interface BackfillResult {
  /** Records that got their shelf now. */
  readonly updated: number;
  /** Records that changed between the read and the update (they have their shelf already). */
  readonly skipped: number;
}

/** @param onPage called after each page, with the totals so far (a progress line). */
export async function backfillShelves(
  table: RecordTable,
  onPage: (progress: BackfillResult) => void = () => {},
): Promise<BackfillResult> {
  const legacy = indexLayout('legacy');
  let updated = 0;
  let skipped = 0;
  for (const status of JOB_STATUSES) {
    let start: Record<string, unknown> | undefined;
    do {
      const e = new Expression();
      const out = await table.query({
        IndexName: legacy.byStatus.name,
        KeyConditionExpression: e.eq(legacy.byStatus.partitionKey.name, legacy.shelves[status]),
        FilterExpression: e.notExists(A.shelf),
        ProjectionExpression: [A.partitionKey, A.sortKey, A.status].map((name) => e.name(name)).join(', '),
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        ...e.attributes(),
      });
      for (const item of out.Items ?? []) {
        const current = statusOf(item);
        if (current === undefined) continue;
        const key: RecordKey = {
          [A.partitionKey]: String(item[A.partitionKey]),
          [A.sortKey]: String(item[A.sortKey]),
        };
        const u = new Expression().set(A.shelf, STATUS_SHELVES[current]);
        const condition = `attribute_exists(${u.name(A.partitionKey)}) AND ${u.notExists(A.shelf)} AND ${u.eq(A.status, current)}`;
        if (await table.update(key, u, condition)) updated++;
        else skipped++;
      }
      start = out.LastEvaluatedKey;
      onPage({ updated, skipped });
    } while (start !== undefined);
  }
  return { updated, skipped };
}

/**
 * How a deployed stage moves from the ledger's legacy indexes (`LEGACY_LEDGER_INDEXES`: every
 * attribute projected, the status as partition key) to the current ones (`LEDGER_TABLE`). DynamoDB
 * creates or deletes at most one global secondary index per table update, and CloudFormation fails
 * an update that asks for more, so the change is a sequence of stack updates, one index each:
 *
 * 1. each current index is added while the legacy ones stay and the functions read the legacy
 *    ones. DynamoDB fills a new index from the items that carry its keys: the name and expiry
 *    indexes (same keys as before) hold every old record at once; the status index holds the
 *    records written since step 1, which carry `shelf`.
 * 2. `hangar ledger migrate --stage <name>` gives every older job record its `shelf` (one
 *    conditional update each), so the status index holds every record.
 * 3. each legacy index is deleted; from the first of these updates on, the functions read the
 *    current indexes.
 *
 * No record is lost or unlisted on the way: until the backfill every listing reads indexes that
 * hold every record; after it, both sets do. A stage created after this change deploys the last
 * step (the default) and never sees the others.
 */
import {
  LEDGER_TABLE,
  LEGACY_LEDGER_INDEXES,
  type LedgerIndexSet,
  type TableIndexSpec,
} from '../ledger/table.js';

export interface LedgerIndexStep {
  /** `-c ledgerIndexStep=<step>`; step 0 is the legacy layout as a stage had it deployed. */
  readonly step: number;
  /** The table's global secondary indexes after this update. */
  readonly indexes: readonly TableIndexSpec[];
  /** The index set the functions (API listings, cleanup) and the CLI read during this step. */
  readonly reads: LedgerIndexSet;
  /** What the update changes, for the operator running it. */
  readonly change: string;
}

/** The command that backfills `shelf` between the last addition and the first deletion. */
export const LEDGER_MIGRATE_COMMAND = 'hangar ledger migrate --stage <name>';

/** The updates from `from` to `to`, one index added or deleted in each (additions first). */
export function ledgerIndexSteps(
  from: readonly TableIndexSpec[],
  to: readonly TableIndexSpec[],
): LedgerIndexStep[] {
  const names = (indexes: readonly TableIndexSpec[]) => new Set(indexes.map((index) => index.name));
  const added = to.filter((index) => !names(from).has(index.name));
  const removed = from.filter((index) => !names(to).has(index.name));
  const steps: LedgerIndexStep[] = [
    { step: 0, indexes: from, reads: 'legacy', change: 'the legacy indexes' },
  ];
  let indexes = [...from];
  for (const index of added) {
    indexes = [...indexes, index];
    const last = index === added.at(-1);
    steps.push({
      step: steps.length,
      indexes,
      reads: 'legacy',
      change: `adds ${index.name}${last ? `; then run \`${LEDGER_MIGRATE_COMMAND}\`` : ''}`,
    });
  }
  for (const index of removed) {
    indexes = indexes.filter((kept) => kept.name !== index.name);
    steps.push({ step: steps.length, indexes, reads: 'current', change: `deletes ${index.name}` });
  }
  return steps;
}

/** The steps of this release: from `LEGACY_LEDGER_INDEXES` to `LEDGER_TABLE.indexes`. */
export const LEDGER_INDEX_STEPS: readonly LedgerIndexStep[] = ledgerIndexSteps(
  LEGACY_LEDGER_INDEXES,
  LEDGER_TABLE.indexes,
);

/** The last step: the current indexes only, what a stage deploys unless told otherwise. */
export const FINAL_LEDGER_INDEX_STEP = LEDGER_INDEX_STEPS.length - 1;

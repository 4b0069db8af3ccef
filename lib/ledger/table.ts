/**
 * The ledger's table layout: attribute names, keys and the indexes its listings and the cleanup
 * read. How a stage deploys the table (billing, recovery, the steps from an older index set) is
 * deployment knowledge, in `lib/deploy/` (`TABLE_SPEC`, `LEDGER_INDEX_STEPS`).
 *
 * Every index projects keys only and is sparse: an item is in an index only while it carries both
 * of that index's key attributes. A write then costs index writes only where an index key appears,
 * moves or goes (`writeUnits`), never for the attributes an attempt changes (lease, result,
 * progress). Items that carry none of the index attributes (sync state, limit state) are in no index.
 */
import { JOB_STATUSES, type JobStatus } from '../constants.js';

/** Attribute names of the ledger table and its indexes. */
export const TABLE_ATTRIBUTES = {
  partitionKey: 'pk',
  sortKey: 'sk',
  status: 'status',
  /** A job record's partition of the status index (`STATUS_SHELVES`); only job records carry it. */
  shelf: 'shelf',
  jobName: 'jobName',
  createdAt: 'createdAt',
  /** Record kind (`job`, `idempotency`, `item`, …): the expiry index's partition. */
  kind: 'kind',
  /** Epoch seconds; the TTL attribute in AWS and the cleanup job's cut-off everywhere. */
  expiresAt: 'expiresAt',
} as const;

/**
 * The status index's partition for each status. The statuses every job passes through on its way
 * to success share one partition (`flow`), so a successful job never moves in the status index;
 * the rest (waiting, failing, stopped) each have their own, so those listings read only what they
 * return. A listing of a `flow` status reads the partition newest first and keeps its status.
 */
export const STATUS_SHELVES = {
  queued: 'flow',
  running: 'flow',
  succeeded: 'flow',
  scheduled: 'scheduled',
  retrying: 'retrying',
  dead: 'dead',
  cancelled: 'cancelled',
} as const satisfies Record<JobStatus, string>;
export type StatusShelf = (typeof STATUS_SHELVES)[JobStatus];

export type KeyType = 'S' | 'N';
export interface TableIndexSpec {
  readonly name: string;
  readonly partitionKey: { readonly name: string; readonly type: KeyType };
  readonly sortKey: { readonly name: string; readonly type: KeyType };
  /**
   * `KEYS_ONLY` (the table's and the index's keys): listings read keys from the index and the
   * records from the table. `ALL` only for the indexes of an older layout a stage still carries
   * while it migrates (`LEGACY_LEDGER_INDEXES`).
   */
  readonly projection: 'KEYS_ONLY' | 'ALL';
}

/** The ledger's keys, indexes and expiry attribute: what its reads and writes rely on. */
export interface LedgerTable {
  readonly partitionKey: { readonly name: string; readonly type: KeyType };
  readonly sortKey: { readonly name: string; readonly type: KeyType };
  /** DynamoDB's TTL attribute in AWS; the cleanup job reads it everywhere. */
  readonly timeToLiveAttribute: string;
  readonly indexes: readonly TableIndexSpec[];
}

/** The names of the ledger's indexes, for the modules that query them. */
export const LEDGER_INDEX_NAMES = {
  byStatus: 'jobs-by-status',
  byName: 'jobs-by-name',
  byExpiry: 'records-by-expiry',
} as const;

/** One table for job records, idempotency keys and sync state; every listing goes through an index. */
export const LEDGER_TABLE: LedgerTable = {
  partitionKey: { name: TABLE_ATTRIBUTES.partitionKey, type: 'S' },
  sortKey: { name: TABLE_ATTRIBUTES.sortKey, type: 'S' },
  timeToLiveAttribute: TABLE_ATTRIBUTES.expiresAt,
  indexes: [
    {
      name: LEDGER_INDEX_NAMES.byStatus,
      partitionKey: { name: TABLE_ATTRIBUTES.shelf, type: 'S' },
      sortKey: { name: TABLE_ATTRIBUTES.createdAt, type: 'S' },
      projection: 'KEYS_ONLY',
    },
    {
      name: LEDGER_INDEX_NAMES.byName,
      partitionKey: { name: TABLE_ATTRIBUTES.jobName, type: 'S' },
      sortKey: { name: TABLE_ATTRIBUTES.createdAt, type: 'S' },
      projection: 'KEYS_ONLY',
    },
    {
      name: LEDGER_INDEX_NAMES.byExpiry,
      partitionKey: { name: TABLE_ATTRIBUTES.kind, type: 'S' },
      sortKey: { name: TABLE_ATTRIBUTES.expiresAt, type: 'N' },
      projection: 'KEYS_ONLY',
    },
  ],
};

/**
 * The indexes of the ledger before its write-cost redesign (every attribute projected, status as
 * its own partition key). A deployed stage steps from these to `LEDGER_TABLE.indexes`
 * (`LEDGER_INDEX_STEPS`); nothing else reads them.
 */
export const LEGACY_LEDGER_INDEXES: readonly TableIndexSpec[] = [
  {
    name: 'by-status',
    partitionKey: { name: TABLE_ATTRIBUTES.status, type: 'S' },
    sortKey: { name: TABLE_ATTRIBUTES.createdAt, type: 'S' },
    projection: 'ALL',
  },
  {
    name: 'by-name',
    partitionKey: { name: TABLE_ATTRIBUTES.jobName, type: 'S' },
    sortKey: { name: TABLE_ATTRIBUTES.createdAt, type: 'S' },
    projection: 'ALL',
  },
  {
    name: 'by-expiry',
    partitionKey: { name: TABLE_ATTRIBUTES.kind, type: 'S' },
    sortKey: { name: TABLE_ATTRIBUTES.expiresAt, type: 'N' },
    projection: 'ALL',
  },
];

/**
 * Which indexes the ledger reads: `current` (`LEDGER_TABLE`), or `legacy` while a deployed stage
 * steps from the older layout and its old records have no `shelf` yet (`LEDGER_INDEX_STEPS`).
 */
export type LedgerIndexSet = 'current' | 'legacy';
export const LEDGER_INDEX_SETS = ['current', 'legacy'] as const satisfies readonly LedgerIndexSet[];

/** The indexes of one set, by use, and the status index's partition for each status. */
export interface IndexLayout {
  readonly byStatus: TableIndexSpec;
  readonly byName: TableIndexSpec;
  readonly byExpiry: TableIndexSpec;
  readonly shelves: Readonly<Record<JobStatus, string>>;
}

/** Both sets list their indexes in the same order: status, name, expiry. */
function layoutOf(
  indexes: readonly TableIndexSpec[],
  shelves: Readonly<Record<JobStatus, string>>,
): IndexLayout {
  const [byStatus, byName, byExpiry] = indexes;
  if (!byStatus || !byName || !byExpiry)
    throw new Error('A ledger index set has a status, a name and an expiry index');
  return { byStatus, byName, byExpiry, shelves };
}

const LAYOUTS: Readonly<Record<LedgerIndexSet, IndexLayout>> = {
  current: layoutOf(LEDGER_TABLE.indexes, STATUS_SHELVES),
  // The legacy status index is keyed by the status itself: every status is its own partition.
  legacy: layoutOf(
    LEGACY_LEDGER_INDEXES,
    Object.fromEntries(JOB_STATUSES.map((status) => [status, status])) as Record<JobStatus, string>,
  ),
};

export function indexLayout(set: LedgerIndexSet): IndexLayout {
  return LAYOUTS[set];
}

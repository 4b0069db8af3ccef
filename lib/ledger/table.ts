/**
 * The ledger's table layout: attribute names, keys and the indexes its listings and the cleanup
 * read. How a stage deploys the table (billing, recovery) is deployment knowledge, in
 * `lib/deploy/settings.ts` (`TABLE_SPEC`).
 */

/** Attribute names of the ledger table and its indexes. */
export const TABLE_ATTRIBUTES = {
  partitionKey: 'pk',
  sortKey: 'sk',
  status: 'status',
  jobName: 'jobName',
  createdAt: 'createdAt',
  /** Record kind (`job`, `idempotency`, `item`, …): the expiry index's partition. */
  kind: 'kind',
  /** Epoch seconds; the TTL attribute in AWS and the cleanup job's cut-off everywhere. */
  expiresAt: 'expiresAt',
} as const;

export type KeyType = 'S' | 'N';
export interface TableIndexSpec {
  readonly name: string;
  readonly partitionKey: { readonly name: string; readonly type: KeyType };
  readonly sortKey: { readonly name: string; readonly type: KeyType };
  /**
   * `ALL`: the ledger serves listings straight from the index (whole records, one query per
   * page), so no index may project fewer attributes.
   */
  readonly projection: 'ALL';
}

/** The ledger's keys, indexes and expiry attribute: what its reads and writes rely on. */
export interface LedgerTable {
  readonly partitionKey: { readonly name: string; readonly type: KeyType };
  readonly sortKey: { readonly name: string; readonly type: KeyType };
  /** DynamoDB's TTL attribute in AWS; the cleanup job reads it everywhere. */
  readonly timeToLiveAttribute: string;
  readonly indexes: readonly TableIndexSpec[];
}

/** One table for job records, idempotency keys and sync state; every listing goes through an index. */
export const LEDGER_TABLE: LedgerTable = {
  partitionKey: { name: TABLE_ATTRIBUTES.partitionKey, type: 'S' },
  sortKey: { name: TABLE_ATTRIBUTES.sortKey, type: 'S' },
  timeToLiveAttribute: TABLE_ATTRIBUTES.expiresAt,
  indexes: [
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
  ],
};

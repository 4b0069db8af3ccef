/**
 * Listing job records, newest first, through the status and name indexes — never a scan. The
 * indexes project keys only: a listing reads a page of keys from an index and then the records
 * (`BatchGetItem`), and keeps the records the listing asks for. A listing without filters reads
 * every partition of the status index and merges them; a listing of a status reads that status's
 * partition (shared by `queued`, `running` and `succeeded`, see `STATUS_SHELVES`), a listing by
 * name the name's partition, keeping the records in the status asked for.
 */
import type { QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { JOB_STATUSES, type JobStatus } from '../constants.js';
import { JobValidationError } from '../errors.js';
import { decodeCursor, encodeCursor, keyAttributes, type Stream, type StreamPosition } from './cursor.js';
import { Expression } from './expressions.js';
import {
  JOB_ATTRIBUTES as A,
  type JobRecord,
  LEDGER_DEFAULTS,
  type RecordKey,
  type StoredItem,
  statusOf,
  toJobRecord,
  withoutUndefined,
} from './records.js';
import type { IndexLayout } from './table.js';

export interface JobListQuery {
  readonly status?: JobStatus;
  readonly name?: string;
  /** @default LEDGER_DEFAULTS.listLimit (at most LEDGER_DEFAULTS.maxListLimit) */
  readonly limit?: number;
  /** The `cursor` of the previous page. */
  readonly cursor?: string;
}

export interface JobPage {
  /** Newest first. */
  readonly jobs: readonly JobRecord[];
  /** Present when more records may follow. */
  readonly cursor?: string;
}

/** Runs one Query against the ledger table (the caller adds the table name). */
export type QueryRunner = (input: Omit<QueryCommandInput, 'TableName'>) => Promise<QueryCommandOutput>;
/** Reads records by key (the caller adds the table name); a key without a record is left out. */
export type RecordReader = (keys: readonly RecordKey[]) => Promise<readonly StoredItem[]>;

/** What a listing reads: index pages and the records they point to, through which indexes. */
export interface ListingReads {
  readonly query: QueryRunner;
  readonly read: RecordReader;
  readonly layout: IndexLayout;
}

/** Each partition of the status index once: together they hold every job. */
const shelvesOf = (layout: IndexLayout) => [...new Set(Object.values(layout.shelves))];

const BAD_CURSOR = 'is not a cursor this listing returned';

/** @throws {JobValidationError} for a bad limit or cursor. */
export async function listJobs(reads: ListingReads, request: JobListQuery): Promise<JobPage> {
  const limit = request.limit ?? LEDGER_DEFAULTS.listLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > LEDGER_DEFAULTS.maxListLimit) {
    const message = `must be an integer from 1 to ${LEDGER_DEFAULTS.maxListLimit}`;
    throw new JobValidationError(`Invalid listing: limit: ${message}`, [{ path: 'limit', message }]);
  }
  const filter = `${request.status ?? ''}|${request.name ?? ''}`;
  const { byName, byStatus, shelves } = reads.layout;
  const streams: Stream[] =
    request.name !== undefined
      ? [{ index: byName, partition: request.name }]
      : request.status !== undefined
        ? [{ index: byStatus, partition: shelves[request.status] }]
        : // No filter: every job is on exactly one shelf, so the shelves hold every job.
          shelvesOf(reads.layout).map((shelf) => ({ index: byStatus, partition: shelf }));
  const positions: StreamPosition[] =
    request.cursor === undefined
      ? streams.map(() => ({ state: 'start' }))
      : decodeCursor(request.cursor, filter, streams);

  try {
    const pages = await Promise.all(
      streams.map((stream, i) => {
        const position = positions[i] ?? { state: 'done' };
        return position.state === 'done'
          ? { found: [], next: position }
          : readStream(reads, stream, position, limit, request.status);
      }),
    );
    const { taken, next } = merge(streams, positions, pages, limit);
    return withoutUndefined({
      jobs: taken.map((f) => toJobRecord(f.record)),
      cursor: encodeCursor(filter, next),
    }) as JobPage;
  } catch (error) {
    // A start key that passed our checks but not DynamoDB's is still the caller's bad cursor.
    if (error instanceof Error && error.name === 'ValidationException' && request.cursor !== undefined) {
      throw new JobValidationError(`Invalid cursor: ${BAD_CURSOR}`, [
        { path: 'cursor', message: BAD_CURSOR },
      ]);
    }
    throw error;
  }
}

/** A record a listing keeps, with the index entry that led to it (its position in the stream). */
interface Found {
  readonly entry: StoredItem;
  readonly record: StoredItem;
}

interface StreamPage {
  readonly found: readonly Found[];
  /** Where the partition resumes once all of `found` are used. */
  readonly next: StreamPosition;
}

/**
 * Up to `limit` records of one index partition, newest first, from `position`: a page of keys,
 * then their records, keeping those still in the partition (the index lags the table) and in
 * `status`. Reads page after page until the page is full, the partition ends, or
 * LEDGER_DEFAULTS.filteredQueryBudget queries are spent, and says where it stopped: after the
 * last entry it used, or where DynamoDB stopped reading.
 */
async function readStream(
  reads: ListingReads,
  stream: Stream,
  position: Exclude<StreamPosition, { state: 'done' }>,
  limit: number,
  status: JobStatus | undefined,
): Promise<StreamPage> {
  const found: Found[] = [];
  let start = position.state === 'after' ? position.key : undefined;
  for (let queries = 0; queries < LEDGER_DEFAULTS.filteredQueryBudget; queries++) {
    const e = new Expression();
    const out = await reads.query({
      IndexName: stream.index.name,
      KeyConditionExpression: e.eq(stream.index.partitionKey.name, stream.partition),
      ScanIndexForward: false,
      Limit: limit,
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      ...e.attributes(),
    });
    const entries = out.Items ?? [];
    const records = await reads.read(entries.map(tableKey));
    const byKey = new Map(records.map((record) => [keyString(record), record]));
    start = out.LastEvaluatedKey as Record<string, string> | undefined;
    for (const [i, entry] of entries.entries()) {
      const record = byKey.get(keyString(entry));
      if (!record || !belongs(record, stream, status)) continue;
      found.push({ entry, record });
      // Full: resume after this entry, or where DynamoDB stopped if it was the query's last.
      if (found.length === limit && i < entries.length - 1) return { found, next: after(stream, entry) };
      if (found.length === limit) break;
    }
    if (start === undefined) return { found, next: { state: 'done' } };
    if (found.length === limit) break;
  }
  return { found, next: start === undefined ? { state: 'done' } : { state: 'after', key: start } };
}

/** Whether a record read through `stream` is still in its partition and in `status`. */
function belongs(record: StoredItem, stream: Stream, status: JobStatus | undefined): boolean {
  const current = statusOf(record);
  if (current === undefined) return false;
  if (status !== undefined && current !== status) return false;
  return record[stream.index.partitionKey.name] === stream.partition;
}

function tableKey(item: StoredItem): RecordKey {
  return { [A.partitionKey]: String(item[A.partitionKey]), [A.sortKey]: String(item[A.sortKey]) };
}

function keyString(item: StoredItem): string {
  return `${String(item[A.partitionKey])}\u0000${String(item[A.sortKey])}`;
}

/**
 * Merges one page of each partition, newest first, into one page of at most `limit`. Each
 * partition's share is a prefix of its own order, so it resumes after the last record it gave;
 * a partition that gave nothing keeps its position.
 */
function merge(
  streams: readonly Stream[],
  positions: readonly StreamPosition[],
  pages: readonly StreamPage[],
  limit: number,
): { taken: Found[]; next: StreamPosition[] } {
  const taken: Found[] = [];
  const heads = pages.map(() => 0);
  while (taken.length < limit) {
    let best = -1;
    let bestFound: Found | undefined;
    pages.forEach((page, i) => {
      const candidate = page.found[heads[i] ?? 0];
      if (candidate && (!bestFound || createdAtOf(candidate.entry) > createdAtOf(bestFound.entry))) {
        best = i;
        bestFound = candidate;
      }
    });
    if (!bestFound) break;
    taken.push(bestFound);
    heads[best] = (heads[best] ?? 0) + 1;
  }
  const next = pages.map((page, i): StreamPosition => {
    const used = heads[i] ?? 0;
    const stream = streams[i];
    const last = page.found[used - 1];
    if (page.found.length === 0 || used === page.found.length || !stream) return page.next;
    if (!last) return positions[i] ?? page.next;
    return after(stream, last.entry);
  });
  return { taken, next };
}

function createdAtOf(item: StoredItem): string {
  const value = item[A.createdAt];
  return typeof value === 'string' ? value : '';
}

/** The position right after `entry` in `stream`'s index. */
function after(stream: Stream, entry: StoredItem): StreamPosition {
  const key = Object.fromEntries(
    keyAttributes(stream.index).map((name) => [name, String(entry[name] ?? '')]),
  );
  return { state: 'after', key };
}

/** How many jobs are in a status, up to a cap. */
export interface JobCount {
  readonly count: number;
  /** The count stopped at its cap: more may exist. */
  readonly capped: boolean;
}

/**
 * Counts the jobs in each status through the status index, each partition read once and stopped
 * past `cap`, so that a large partition costs no more than `cap` items' reads. A partition of one
 * status is counted by the index alone (`Select: COUNT`); the shared one (`flow`) by its newest
 * `cap` records, read from the table and counted by status (`capped`: older ones were not read).
 */
export async function countJobs(reads: ListingReads, cap: number): Promise<Record<JobStatus, JobCount>> {
  const { shelves } = reads.layout;
  const counts = await Promise.all(
    shelvesOf(reads.layout).map(async (shelf) => {
      const statuses = JOB_STATUSES.filter((status) => shelves[status] === shelf);
      return statuses.length === 1
        ? { [shelf]: await countPartition(reads, shelf, cap) }
        : await countByRecord(reads, shelf, statuses, cap);
    }),
  );
  const byShelfOrStatus: Record<string, JobCount> = Object.assign({}, ...counts);
  return Object.fromEntries(
    JOB_STATUSES.map((status) => [
      status,
      byShelfOrStatus[status] ?? byShelfOrStatus[shelves[status]] ?? { count: 0, capped: false },
    ]),
  ) as Record<JobStatus, JobCount>;
}

/** One page of a status index partition from `start`: newest first, or only counted. */
function queryShelf(
  reads: ListingReads,
  shelf: string,
  page: { readonly limit: number; readonly count?: true },
  start: Record<string, unknown> | undefined,
): Promise<QueryCommandOutput> {
  const { byStatus } = reads.layout;
  const e = new Expression();
  return reads.query({
    IndexName: byStatus.name,
    KeyConditionExpression: e.eq(byStatus.partitionKey.name, shelf),
    ...(page.count ? { Select: 'COUNT' } : { ScanIndexForward: false }),
    Limit: page.limit,
    ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    ...e.attributes(),
  });
}

async function countPartition(reads: ListingReads, shelf: string, cap: number): Promise<JobCount> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await queryShelf(reads, shelf, { limit: cap + 1 - count, count: true }, start);
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start !== undefined && count <= cap);
  return count > cap ? { count: cap, capped: true } : { count, capped: false };
}

async function countByRecord(
  reads: ListingReads,
  shelf: string,
  statuses: readonly JobStatus[],
  cap: number,
): Promise<Record<string, JobCount>> {
  const { byStatus } = reads.layout;
  const stream = { index: byStatus, partition: shelf };
  const counts = new Map<JobStatus, number>(statuses.map((status) => [status, 0]));
  let seen = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await queryShelf(
      reads,
      shelf,
      { limit: Math.min(cap - seen, LEDGER_DEFAULTS.maxListLimit) },
      start,
    );
    const entries = out.Items ?? [];
    seen += entries.length;
    for (const record of await reads.read(entries.map(tableKey))) {
      const status = statusOf(record);
      if (status !== undefined && belongs(record, stream, status))
        counts.set(status, (counts.get(status) ?? 0) + 1);
    }
    start = out.LastEvaluatedKey;
  } while (start !== undefined && seen < cap);
  const capped = start !== undefined;
  return Object.fromEntries(statuses.map((status) => [status, { count: counts.get(status) ?? 0, capped }]));
}

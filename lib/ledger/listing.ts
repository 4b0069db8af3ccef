/**
 * Listing job records, newest first, through the `by-status` and `by-name` indexes — never a
 * scan. A listing without filters reads every status partition and merges them; a listing by
 * name and status reads the name partition with a status filter.
 */
import type { QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { JOB_STATUSES, type JobStatus } from '../constants.js';
import { ConfigError, JobValidationError } from '../errors.js';
import { decodeCursor, encodeCursor, keyAttributes, type Stream, type StreamPosition } from './cursor.js';
import { Expression } from './expressions.js';
import {
  JOB_ATTRIBUTES as A,
  type JobRecord,
  LEDGER_DEFAULTS,
  type StoredItem,
  toJobRecord,
  withoutUndefined,
} from './records.js';
import { LEDGER_TABLE, type TableIndexSpec } from './table.js';

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

function indexNamed(name: string): TableIndexSpec {
  const index = LEDGER_TABLE.indexes.find((i) => i.name === name);
  if (!index) throw new ConfigError(`TABLE_SPEC has no index "${name}"`);
  return index;
}
const BY_STATUS = indexNamed('by-status');
const BY_NAME = indexNamed('by-name');

const BAD_CURSOR = 'is not a cursor this listing returned';

/** @throws {JobValidationError} for a bad limit or cursor. */
export async function listJobs(query: QueryRunner, request: JobListQuery): Promise<JobPage> {
  const limit = request.limit ?? LEDGER_DEFAULTS.listLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > LEDGER_DEFAULTS.maxListLimit) {
    const message = `must be an integer from 1 to ${LEDGER_DEFAULTS.maxListLimit}`;
    throw new JobValidationError(`Invalid listing: limit: ${message}`, [{ path: 'limit', message }]);
  }
  const filter = `${request.status ?? ''}|${request.name ?? ''}`;
  const streams: Stream[] =
    request.name !== undefined
      ? [{ index: BY_NAME, partition: request.name }]
      : request.status !== undefined
        ? [{ index: BY_STATUS, partition: request.status }]
        : // No filter: every job has exactly one status, so the status partitions hold every job.
          JOB_STATUSES.map((status) => ({ index: BY_STATUS, partition: status }));
  const positions: StreamPosition[] =
    request.cursor === undefined
      ? streams.map(() => ({ state: 'start' }))
      : decodeCursor(request.cursor, filter, streams);
  const statusFilter = request.name !== undefined ? request.status : undefined;

  try {
    const pages = await Promise.all(
      streams.map((stream, i) => {
        const position = positions[i] ?? { state: 'done' };
        return position.state === 'done'
          ? { items: [], next: position }
          : queryStream(query, stream, position, limit, statusFilter);
      }),
    );
    const { taken, next } = merge(streams, positions, pages, limit);
    return withoutUndefined({ jobs: taken.map(toJobRecord), cursor: encodeCursor(filter, next) }) as JobPage;
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

interface StreamPage {
  readonly items: readonly StoredItem[];
  /** Where the partition resumes once all of `items` are used. */
  readonly next: StreamPosition;
}

/**
 * Up to `limit` records of one index partition, newest first, from `position`. With a status
 * filter it queries page after page until the page is full, the partition ends, or
 * LEDGER_DEFAULTS.filteredQueryBudget queries are spent, and says where it stopped: after the
 * last record it returns, or where DynamoDB stopped reading.
 */
async function queryStream(
  query: QueryRunner,
  stream: Stream,
  position: Exclude<StreamPosition, { state: 'done' }>,
  limit: number,
  statusFilter: JobStatus | undefined,
): Promise<StreamPage> {
  const items: StoredItem[] = [];
  let start = position.state === 'after' ? position.key : undefined;
  for (let queries = 0; queries < LEDGER_DEFAULTS.filteredQueryBudget; queries++) {
    const e = new Expression();
    const keyCondition = e.eq(stream.index.partitionKey.name, stream.partition);
    const filter = statusFilter === undefined ? undefined : e.eq(A.status, statusFilter);
    const out = await query({
      IndexName: stream.index.name,
      KeyConditionExpression: keyCondition,
      ...(filter === undefined ? {} : { FilterExpression: filter }),
      ScanIndexForward: false,
      Limit: limit,
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      ...e.attributes(),
    });
    const found = out.Items ?? [];
    const room = limit - items.length;
    if (found.length > room) {
      items.push(...found.slice(0, room));
      return { items, next: after(stream, items) };
    }
    items.push(...found);
    start = out.LastEvaluatedKey as Record<string, string> | undefined;
    if (start === undefined) return { items, next: { state: 'done' } };
    if (items.length === limit || statusFilter === undefined) break;
  }
  return { items, next: start === undefined ? { state: 'done' } : { state: 'after', key: start } };
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
): { taken: StoredItem[]; next: StreamPosition[] } {
  const taken: StoredItem[] = [];
  const heads = pages.map(() => 0);
  while (taken.length < limit) {
    let best = -1;
    let bestItem: StoredItem | undefined;
    pages.forEach((page, i) => {
      const candidate = page.items[heads[i] ?? 0];
      if (candidate && (!bestItem || createdAtOf(candidate) > createdAtOf(bestItem))) {
        best = i;
        bestItem = candidate;
      }
    });
    if (!bestItem) break;
    taken.push(bestItem);
    heads[best] = (heads[best] ?? 0) + 1;
  }
  const next = pages.map((page, i): StreamPosition => {
    const used = heads[i] ?? 0;
    const stream = streams[i];
    if (page.items.length === 0 || used === page.items.length || !stream) return page.next;
    if (used === 0) return positions[i] ?? page.next;
    return after(stream, page.items.slice(0, used));
  });
  return { taken, next };
}

function createdAtOf(item: StoredItem): string {
  const value = item[A.createdAt];
  return typeof value === 'string' ? value : '';
}

/** The position right after the last of `items` in `stream`'s index. */
function after(stream: Stream, items: readonly StoredItem[]): StreamPosition {
  const last = items.at(-1);
  if (!last) return { state: 'start' };
  const key = Object.fromEntries(keyAttributes(stream.index).map((name) => [name, String(last[name] ?? '')]));
  return { state: 'after', key };
}

/** How many jobs a partition holds, up to a cap. */
export interface JobCount {
  readonly count: number;
  /** More than `count` exist: the count stopped at its cap. */
  readonly capped: boolean;
}

/**
 * Counts the jobs in one status through the `by-status` index (`Select: COUNT`), stopping past
 * `cap` so that a large partition costs no more than `cap` items' reads.
 */
export async function countJobs(query: QueryRunner, status: JobStatus, cap: number): Promise<JobCount> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const e = new Expression();
    const out = await query({
      IndexName: BY_STATUS.name,
      KeyConditionExpression: e.eq(BY_STATUS.partitionKey.name, status),
      Select: 'COUNT',
      Limit: cap + 1 - count,
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      ...e.attributes(),
    });
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start !== undefined && count <= cap);
  return count > cap ? { count: cap, capped: true } : { count, capped: false };
}

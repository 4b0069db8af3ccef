/**
 * How limit state sits in the ledger table: one partition per job and key, `limit#<job>#<key>`,
 * with a sort key per kind (`slot#<n>`, `rate`, `unique`, `debounce`). Limit items carry none of
 * the attributes the table's indexes are keyed on (`status`, `jobName`, `kind`), so writing one
 * costs its own write units and nothing in any index. `expiresAt` (the table's TTL attribute)
 * lets AWS delete an item nobody uses any more.
 */
import { createHash } from 'node:crypto';
import { TABLE_ATTRIBUTES } from '../ledger/table.js';
import { LIMIT_RULES } from './options.js';

export const LIMIT_ATTRIBUTES = {
  partitionKey: TABLE_ATTRIBUTES.partitionKey,
  sortKey: TABLE_ATTRIBUTES.sortKey,
  expiresAt: TABLE_ATTRIBUTES.expiresAt,
  /** The job holding a slot, a unique key or a debounce window. */
  jobId: 'jobId',
  /** A slot's holder: one per attempt, so two deliveries of one job never share a slot. */
  holder: 'holder',
  /** Epoch ms until which a slot is held, unless released before. */
  leaseUntil: 'leaseUntil',
  /** Rate limit: epoch ms of the next start allowed. */
  nextStart: 'nextStart',
  /** Rate limit: epoch ms up to which deferred jobs have been told to come back. */
  horizon: 'horizon',
  /** Unique: epoch ms until which the key answers with its job even after the job ended. */
  until: 'until',
  /** Debounce: epoch ms of the window's first enqueue, of its start, and the last payload (JSON). */
  firstAt: 'firstAt',
  runAt: 'runAt',
  payload: 'payload',
  /** Debounce: epoch ms at which the worker took the window; later enqueues form a new job. */
  startedAt: 'startedAt',
  /** Debounce: bumped by every write, the condition of the next. */
  version: 'version',
} as const;

export const LIMIT_KINDS = {
  rate: 'rate',
  unique: 'unique',
  debounce: 'debounce',
} as const;

/** `slot#<n>`: the sort key of a concurrency slot. */
export const slotSortKey = (slot: number): string => `slot#${slot}`;
export const SLOT_PREFIX = 'slot#';

/** The partition of a job's limit state for one key; a long key is stored by its SHA-256. */
export function limitPartition(jobName: string, key: string): string {
  const stored =
    key.length <= LIMIT_RULES.maxStoredKeyLength
      ? key
      : `sha256:${createHash('sha256').update(Buffer.from(key, 'utf16le')).digest('hex')}`;
  return `limit#${jobName}#${stored}`;
}

export function limitKey(jobName: string, key: string, sortKey: string): Record<string, string> {
  return {
    [LIMIT_ATTRIBUTES.partitionKey]: limitPartition(jobName, key),
    [LIMIT_ATTRIBUTES.sortKey]: sortKey,
  };
}

/** A number attribute of a stored item, or undefined. */
export function numberOf(
  item: Readonly<Record<string, unknown>> | undefined,
  attribute: string,
): number | undefined {
  const value = item?.[attribute];
  return typeof value === 'number' ? value : undefined;
}

export function textOf(
  item: Readonly<Record<string, unknown>> | undefined,
  attribute: string,
): string | undefined {
  const value = item?.[attribute];
  return typeof value === 'string' ? value : undefined;
}

/** The TTL (epoch seconds) of an item that matters until `untilMs`: a day after that. */
export function expiryAfter(untilMs: number): number {
  return Math.floor(untilMs / 1000) + LIMIT_RULES.maxWindowSeconds;
}

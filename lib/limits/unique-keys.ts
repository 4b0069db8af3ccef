/**
 * Unique keys: one item per key naming the job that holds it. A key is held while its job waits
 * or runs — as the job's ledger record says — and at least until `until` (its enqueue plus the
 * declared `seconds`). Holding a key costs one conditional put at the producer; the worker then
 * only reads it (a job sent straight to SQS with a free key puts it there). A key held by a job
 * that ended, past its `until`, is taken over by the next job.
 */
import type { JobStatus } from '../constants.js';
import { Expression } from '../ledger/expressions.js';
import type { RecordTable } from '../ledger/record-table.js';
import { jobKey, statusOf } from '../ledger/records.js';
import {
  LIMIT_ATTRIBUTES as A,
  expiryAfter,
  LIMIT_KINDS,
  limitKey,
  numberOf,
  textOf,
} from './limit-items.js';
import { LIMIT_RULES } from './options.js';

/** Statuses of a job that no longer waits or runs. */
const ENDED: ReadonlySet<JobStatus> = new Set(['succeeded', 'dead', 'cancelled']);

export type UniqueResult = { readonly held: true } | { readonly held: false; readonly jobId: string };

export interface UniqueRequest {
  readonly jobName: string;
  readonly key: string;
  readonly jobId: string;
  readonly seconds: number;
}

/** Holds the key for `jobId`, or names the job that holds it. */
export async function holdUniqueKey(table: RecordTable, request: UniqueRequest): Promise<UniqueResult> {
  const key = limitKey(request.jobName, request.key, LIMIT_KINDS.unique);
  for (let round = 1; round <= LIMIT_RULES.contentionRounds; round++) {
    const existing = await table.get(key);
    const holder = textOf(existing, A.jobId);
    if (holder === request.jobId) return { held: true };
    const now = table.now().getTime();
    if (holder !== undefined && existing !== undefined && (await stillHeld(table, existing, holder, now))) {
      return { held: false, jobId: holder };
    }
    const until = now + request.seconds * 1000;
    const e = new Expression();
    const condition = holder === undefined ? e.notExists(A.partitionKey) : e.eq(A.jobId, holder);
    const item = { ...key, [A.jobId]: request.jobId, [A.until]: until, [A.expiresAt]: expiryAfter(until) };
    if (await table.put(item, condition, e)) return { held: true };
  }
  // Every round lost to another producer of the same key: whoever holds it now answers.
  const holder = textOf(await table.get(key), A.jobId);
  return holder === undefined || holder === request.jobId ? { held: true } : { held: false, jobId: holder };
}

/**
 * Whether a key's holder still holds it: within its `until`, or its job has not ended. A job with
 * no ledger record yet is on its way (sent, not yet received): held, until the item's expiry.
 */
async function stillHeld(
  table: RecordTable,
  existing: Readonly<Record<string, unknown>>,
  holder: string,
  now: number,
): Promise<boolean> {
  if ((numberOf(existing, A.until) ?? 0) > now) return true;
  const record = await table.get(jobKey(holder));
  if (record === undefined) return (numberOf(existing, A.expiresAt) ?? 0) * 1000 > now;
  const status = statusOf(record);
  return status === undefined || !ENDED.has(status);
}

/**
 * Counts a dropped duplicate against the job that holds the key: `duplicates` on its ledger
 * record, or — before the job has one (sent by a client without the job service, not yet
 * received) — on the key's item, which names the job.
 */
export async function recordDuplicate(
  table: RecordTable,
  jobName: string,
  key: string,
  jobId: string,
): Promise<void> {
  const e = new Expression();
  e.add(DUPLICATES_ATTRIBUTE, 1);
  if (await table.update(jobKey(jobId), e, `attribute_exists(${e.name(A.partitionKey)})`)) return;
  const onKey = new Expression();
  onKey.add(DUPLICATES_ATTRIBUTE, 1);
  await table.update(limitKey(jobName, key, LIMIT_KINDS.unique), onKey, onKey.eq(A.jobId, jobId));
}

/** The ledger attribute counting raw sends dropped as duplicates of a unique job. */
export const DUPLICATES_ATTRIBUTE = 'duplicates';

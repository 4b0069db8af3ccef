/**
 * Rate limit per key: one item holding the next start allowed (`nextStart`). Starts are spaced
 * evenly, `perSeconds / limit` apart (a generic cell rate algorithm with no burst), so no window
 * of `perSeconds` holds more than `limit` starts, whatever the window's phase. A start is granted
 * by one conditional write that moves `nextStart` on from the value read, possibly a little in
 * the future (the worker then waits for it). A job that would wait longer is deferred to a place
 * on the `horizon`, which each deferral moves on by one interval, so deferred jobs come back
 * spread out at the rate instead of all at once.
 */
import { SQS_LIMITS } from '../constants.js';
import { Expression } from '../ledger/expressions.js';
import type { RecordTable } from '../ledger/record-table.js';
import { LIMIT_ATTRIBUTES as A, expiryAfter, LIMIT_KINDS, limitKey, numberOf } from './limit-items.js';

export type StartResult =
  /** Start at `startAt` (epoch ms, now or within the wait allowed). */
  | { readonly granted: true; readonly startAt: number }
  /** Come back after `deferMs` (at most one SQS delay). */
  | { readonly granted: false; readonly deferMs: number };

export interface StartRequest {
  readonly jobName: string;
  readonly key: string;
  readonly intervalMs: number;
  /** How far in the future a granted start may lie. */
  readonly maxWaitMs: number;
}

const MAX_DEFER_MS = SQS_LIMITS.maxDelaySeconds * 1000;

export async function takeStart(table: RecordTable, request: StartRequest): Promise<StartResult | undefined> {
  const key = limitKey(request.jobName, request.key, LIMIT_KINDS.rate);
  const item = await table.get(key);
  const now = table.now().getTime();
  const seen = numberOf(item, A.nextStart);
  const startAt = Math.max(seen ?? 0, now);
  if (startAt - now <= request.maxWaitMs) {
    const e = new Expression();
    e.set(A.nextStart, startAt + request.intervalMs).set(A.expiresAt, expiryAfter(startAt));
    const condition = seen === undefined ? e.notExists(A.nextStart) : e.eq(A.nextStart, seen);
    // Lost to another worker: undefined, and the caller reads again.
    return (await table.update(key, e, condition)) ? { granted: true, startAt } : undefined;
  }
  const seenHorizon = numberOf(item, A.horizon);
  const place = Math.max(seenHorizon ?? 0, startAt);
  // Beyond one SQS delay the job only comes back to ask again, holding no place: a place booked
  // now would be gone by then, and booking again at the end of the line would starve it.
  if (place - now > MAX_DEFER_MS) return { granted: false, deferMs: MAX_DEFER_MS };
  const e = new Expression();
  e.set(A.horizon, place + request.intervalMs).set(A.expiresAt, expiryAfter(place));
  const condition = seenHorizon === undefined ? e.notExists(A.horizon) : e.eq(A.horizon, seenHorizon);
  // A lost booking write only means another job took that place: this one comes back with it.
  await table.update(key, e, condition);
  return { granted: false, deferMs: place - now };
}

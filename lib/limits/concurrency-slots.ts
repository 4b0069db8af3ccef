/**
 * Concurrency per key: `limit` slot items per key, each held by one attempt under a lease. Taking
 * a slot reads the key's slots (one query) and puts a free or expired one (one conditional
 * write); giving it back deletes it (one conditional write, on the holder). A holder that dies
 * never gives its slot back: the slot frees itself when its lease ends — the job's timeout and
 * then some, as for the ledger's claim.
 */
import { Expression } from '../ledger/expressions.js';
import type { RecordTable } from '../ledger/record-table.js';
import {
  LIMIT_ATTRIBUTES as A,
  expiryAfter,
  limitKey,
  limitPartition,
  numberOf,
  slotSortKey,
} from './limit-items.js';

export type SlotResult =
  | { readonly taken: true; readonly slot: number }
  /** Every slot is held; the earliest lease ends at `freeBy` (epoch ms) at the latest. */
  | { readonly taken: false; readonly freeBy: number };

export interface SlotRequest {
  readonly jobName: string;
  readonly key: string;
  readonly limit: number;
  readonly holder: string;
  readonly jobId: string;
  readonly leaseMs: number;
}

export async function takeSlot(
  table: RecordTable,
  request: SlotRequest,
  random: () => number,
): Promise<SlotResult> {
  const now = table.now().getTime();
  const out = await table.query({
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :slot)',
    ExpressionAttributeNames: { '#pk': A.partitionKey, '#sk': A.sortKey },
    ExpressionAttributeValues: { ':pk': limitPartition(request.jobName, request.key), ':slot': 'slot#' },
    ConsistentRead: true,
  });
  const held = new Map<string, number>();
  for (const item of out.Items ?? []) {
    const leaseUntil = numberOf(item, A.leaseUntil) ?? 0;
    if (leaseUntil >= now) held.set(String(item[A.sortKey]), leaseUntil);
  }
  // Free slots from a random one on, so that workers racing for a key try different slots first.
  const offset = Math.floor(random() * request.limit);
  for (let i = 0; i < request.limit; i++) {
    const slot = (offset + i) % request.limit;
    if (held.has(slotSortKey(slot))) continue;
    const e = new Expression();
    const condition = `${e.notExists(A.partitionKey)} OR ${e.name(A.leaseUntil)} < ${e.value(now)}`;
    const leaseUntil = now + request.leaseMs;
    const item = {
      ...limitKey(request.jobName, request.key, slotSortKey(slot)),
      [A.holder]: request.holder,
      [A.jobId]: request.jobId,
      [A.leaseUntil]: leaseUntil,
      [A.expiresAt]: expiryAfter(leaseUntil),
    };
    if (await table.put(item, condition, e)) return { taken: true, slot };
    held.set(slotSortKey(slot), leaseUntil);
  }
  return { taken: false, freeBy: Math.min(...held.values()) };
}

/** Gives a slot back; a slot whose lease ended and was taken over is left to its new holder. */
export async function releaseSlot(
  table: RecordTable,
  request: Pick<SlotRequest, 'jobName' | 'key' | 'holder'>,
  slot: number,
): Promise<void> {
  const e = new Expression();
  await table.delete(
    limitKey(request.jobName, request.key, slotSortKey(slot)),
    e,
    e.eq(A.holder, request.holder),
  );
}

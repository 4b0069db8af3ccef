/**
 * Idempotency keys: one record per key (`idempotency#<sha-256 of the key>`) naming the job it
 * belongs to and a hash of the request, held for `LEDGER_DEFAULTS.idempotencyKeySeconds`.
 */
import { IdempotencyKeyInUseError } from './errors.js';
import { Expression } from './expressions.js';
import type { RecordTable } from './record-table.js';
import { JOB_ATTRIBUTES as A, epochSeconds, idempotencyRecordKey, RECORD_KINDS } from './records.js';

export interface KeyReservation {
  readonly key: string;
  /** A hash of the request the key guards; a repeat with another hash is a conflict. */
  readonly requestHash: string;
  /** The job id the key will answer with. */
  readonly jobId: string;
}

export type KeyReservationResult =
  | { readonly reserved: true }
  | {
      readonly reserved: false;
      readonly jobId: string;
      readonly requestHash: string;
      readonly createdAt: string;
    };

export async function reserveIdempotencyKey(
  table: RecordTable,
  keySeconds: number,
  reservation: KeyReservation,
): Promise<KeyReservationResult> {
  const key = idempotencyRecordKey(reservation.key);
  for (let round = 1; ; round++) {
    const now = table.now();
    const e = new Expression();
    // An expired key that TTL has not deleted yet (AWS takes up to days) is free again.
    const condition = `${e.notExists(A.partitionKey)} OR ${e.name(A.expiresAt)} < ${e.value(epochSeconds(now))}`;
    const item = {
      ...key,
      [A.kind]: RECORD_KINDS.idempotencyKey,
      [A.jobId]: reservation.jobId,
      [A.requestHash]: reservation.requestHash,
      [A.createdAt]: now.toISOString(),
      [A.expiresAt]: epochSeconds(now) + keySeconds,
    };
    if (await table.put(item, condition, e)) return { reserved: true };
    const existing = await table.get(key);
    if (existing) {
      return {
        reserved: false,
        jobId: String(existing[A.jobId] ?? ''),
        requestHash: String(existing[A.requestHash] ?? ''),
        createdAt: String(existing[A.createdAt] ?? ''),
      };
    }
    // Deleted between our write and our read (released by its holder): try once more.
    if (round >= 2) throw new IdempotencyKeyInUseError();
  }
}

export async function releaseIdempotencyKey(table: RecordTable, key: string, jobId: string): Promise<void> {
  const e = new Expression();
  const condition = e.eq(A.jobId, jobId);
  await table.delete(idempotencyRecordKey(key), e, condition);
}

/** The job id a key answers with, while its record is kept (operators' lookup by key). */
export async function jobIdOfKey(table: RecordTable, key: string): Promise<string | undefined> {
  const jobId = (await table.get(idempotencyRecordKey(key)))?.[A.jobId];
  return typeof jobId === 'string' ? jobId : undefined;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamo } from '../../../helpers/dynamodb.js';
import { type LedgerWriteRecording, recordLedgerWrites } from '../../../helpers/ledger-writes.js';

let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let recording: LedgerWriteRecording;

beforeAll(async () => {
  dynamo = await startDynamo();
  recording = await recordLedgerWrites(dynamo.endpoint);
});
afterAll(async () => {
  await dynamo.stop();
});

/** A write's label and its units: the table's, then each index's in LEDGER_TABLE order. */
const priced = (writes: LedgerWriteRecording['transitions']) =>
  writes.map((w) => [w.transition, w.units.table, ...Object.values(w.units.indexes), w.units.total]);

// These figures are the ledger's cost per job, computed from the items it really wrote on dynalite
// and the index definitions. Raising one is a decision for the README's ledger table, not a quiet change.
describe('Ledger write units (items recorded on dynalite)', () => {
  it('costs a job sent straight to SQS 5 write units: the claim creates the record, the success moves no index key', () => {
    expect(priced(recording.direct.writes)).toEqual([
      // transition, table, jobs-by-status, jobs-by-name, records-by-expiry, total
      ['direct: claim (creates the record)', 1, 1, 1, 1, 4],
      ['direct: succeed', 1, 0, 0, 0, 1],
    ]);
    expect(recording.direct.writeUnits).toBe(5);
  });

  it('costs a job through the API 6 write units, and 8 with an idempotency key', () => {
    expect(priced(recording.api.writes)).toEqual([
      ['api: enqueue', 1, 1, 1, 1, 4],
      ['api: claim', 1, 0, 0, 0, 1],
      ['api: succeed', 1, 0, 0, 0, 1],
    ]);
    expect(recording.api.writeUnits).toBe(6);
    expect(priced(recording.apiWithKey.writes)[0]).toEqual(['api with key: enqueue', 1, 0, 0, 1, 2]);
    expect(recording.apiWithKey.writeUnits).toBe(8);
  });

  it('prices every other transition as the README table says', () => {
    expect(priced(recording.transitions)).toEqual([
      ['create (queued)', 1, 1, 1, 1, 4],
      ['claim (queued → running)', 1, 0, 0, 0, 1],
      ['progress', 1, 0, 0, 0, 1],
      ['continued (running → queued)', 1, 0, 0, 2, 3],
      ['claim (continuation)', 1, 0, 0, 0, 1],
      ['fail (running → retrying)', 1, 2, 0, 2, 5],
      ['claim (retrying → running)', 1, 2, 0, 0, 3],
      ['fail (running → dead)', 1, 2, 0, 2, 5],
      ['redrive (dead → queued)', 1, 2, 0, 2, 5],
      ['claim (redriven)', 1, 0, 0, 0, 1],
      ['succeed (after a redrive)', 1, 0, 0, 0, 1],
      ['create (scheduled)', 1, 1, 1, 1, 4],
      ['cancel (scheduled → cancelled)', 1, 2, 0, 2, 5],
      ['dead on arrival', 1, 1, 1, 1, 4],
    ]);
  });

  it('keeps every item it wrote within one write unit (1 KB)', () => {
    const all = [
      ...recording.direct.writes,
      ...recording.api.writes,
      ...recording.apiWithKey.writes,
      ...recording.transitions,
    ];
    expect(all.every((w) => w.succeeded)).toBe(true);
    expect(Math.max(...all.map((w) => w.itemBytes))).toBeLessThanOrEqual(1024);
  });
});

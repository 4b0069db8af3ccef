import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGER_INDEX_STEPS } from '../../../../lib/deploy/index.js';
import { DynamoJobLedger } from '../../../../lib/ledger/index.js';
import { createLedgerTable, documentClient, dynamoClient, startDynamo } from '../../../helpers/dynamodb.js';

let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let client: DynamoDBClient;

beforeAll(async () => {
  dynamo = await startDynamo();
  client = dynamoClient(dynamo.endpoint);
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

/** A job record as the ledger wrote it before the index redesign: no `shelf`. */
const legacyRecord = (n: number, status: string) => ({
  pk: `job#01KOLD${String(n).padStart(20, '0')}`,
  sk: 'job',
  kind: 'job',
  jobId: `01KOLD${String(n).padStart(20, '0')}`,
  jobName: 'email.send',
  status,
  attempts: 1,
  claims: 1,
  continuation: 0,
  createdAt: `2026-11-2${n}T10:00:00.000Z`,
  updatedAt: `2026-11-2${n}T10:00:00.000Z`,
  expiresAt: 1_800_000_000 + n,
});

describe('Deploy sequence on dynalite: the backfill between the last added and the first deleted index', () => {
  it('keeps every old record listable: through the legacy indexes before the backfill, through the current ones after', async () => {
    // Prepare: the table as the last step that still reads the legacy indexes leaves it.
    const step = LEDGER_INDEX_STEPS.filter((s) => s.reads === 'legacy').at(-1);
    if (!step) throw new Error('no legacy step');
    const table = await createLedgerTable(client, step.indexes);
    const doc = documentClient(client);
    const old = [legacyRecord(1, 'succeeded'), legacyRecord(2, 'dead'), legacyRecord(3, 'queued')];
    for (const Item of old) await doc.send(new PutCommand({ TableName: table.tableName, Item }));
    const legacy = new DynamoJobLedger({ tableName: table.tableName, client, indexes: 'legacy' });
    const current = new DynamoJobLedger({ tableName: table.tableName, client });
    const ids = async (ledger: DynamoJobLedger, query: Parameters<DynamoJobLedger['listJobs']>[0]) =>
      (await ledger.listJobs(query)).jobs.map((j) => j.jobId);
    const newestFirst = [...old].reverse().map((r) => r.jobId);

    // Act / Assess: before the backfill, the legacy indexes list them and the current status index does not.
    expect(await ids(legacy, {})).toEqual(newestFirst);
    expect(await ids(legacy, { status: 'dead' })).toEqual([old[1]?.jobId]);
    expect(await ids(current, {})).toEqual([]);
    expect(await ids(current, { name: 'email.send' })).toEqual(newestFirst);

    const progress: number[] = [];
    const result = await current.backfillShelves((p) => progress.push(p.updated));

    expect(result).toEqual({ updated: 3, skipped: 0 });
    expect(progress.at(-1)).toBe(3);
    expect(await ids(current, {})).toEqual(newestFirst);
    expect(await ids(current, { status: 'dead' })).toEqual([old[1]?.jobId]);
    expect(await ids(current, { status: 'succeeded' })).toEqual([old[0]?.jobId]);
    await expect(current.backfillShelves()).resolves.toEqual({ updated: 0, skipped: 0 });

    await table.drop();
  });
});

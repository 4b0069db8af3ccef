import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SQS_LIMITS } from '../../../../lib/constants.js';
import { DynamoJobLedger, DynamoLimitStore } from '../../../../lib/ledger/index.js';
import { LEDGER_TABLE } from '../../../../lib/ledger/table.js';
import { limitPartition } from '../../../../lib/limits/limit-items.js';
import { createLedgerTable, documentClient, dynamoClient, startDynamo } from '../../../helpers/dynamodb.js';

let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let client: DynamoDBClient;
let table: Awaited<ReturnType<typeof createLedgerTable>>;
let clock: number;

beforeAll(async () => {
  dynamo = await startDynamo();
  client = dynamoClient(dynamo.endpoint);
});
beforeEach(async () => {
  table = await createLedgerTable(client);
  clock = Date.parse('2026-11-29T10:00:00.000Z');
});
afterEach(async () => {
  await table.drop();
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

/** A store on a virtual clock; `random` pinned so that slot 0 is tried first. */
function store() {
  return new DynamoLimitStore({
    tableName: table.tableName,
    client,
    now: () => new Date(clock),
    random: () => 0,
  });
}

const slot = (holder: string, leaseMs = 10_000) => ({
  jobName: 'limit.keyed',
  key: 'tenant-1',
  limit: 2,
  holder,
  jobId: `job-${holder}`,
  leaseMs,
});

describe('Class: DynamoLimitStore (dynalite)', () => {
  describe('Method: takeSlot', () => {
    it('gives out `limit` slots per key, then refuses until one is given back', async () => {
      // Act
      const first = await store().takeSlot(slot('a'));
      const second = await store().takeSlot(slot('b'));
      const third = await store().takeSlot(slot('c'));
      const otherKey = await store().takeSlot({ ...slot('d'), key: 'tenant-2' });
      await store().releaseSlot(slot('a'), 0);
      const afterRelease = await store().takeSlot(slot('c'));

      // Assess
      expect([first, second, third, otherKey, afterRelease]).toEqual([
        { taken: true, slot: 0 },
        { taken: true, slot: 1 },
        { taken: false, freeBy: clock + 10_000 },
        { taken: true, slot: 0 },
        { taken: true, slot: 0 },
      ]);
    });

    it('frees the slot of a holder that died once its lease ends, and ignores that holder’s late release', async () => {
      // Prepare: one slot, held by a worker that never gives it back.
      await store().takeSlot({ ...slot('dead'), limit: 1 });

      // Act
      clock += 10_000;
      const atLeaseEnd = await store().takeSlot({ ...slot('b'), limit: 1 });
      clock += 1;
      const afterLease = await store().takeSlot({ ...slot('b'), limit: 1 });
      await store().releaseSlot(slot('dead'), 0);
      const afterLateRelease = await store().takeSlot({ ...slot('c'), limit: 1 });

      // Assess
      expect(atLeaseEnd).toEqual({ taken: false, freeBy: clock - 1 });
      expect(afterLease).toEqual({ taken: true, slot: 0 });
      expect(afterLateRelease).toEqual({ taken: false, freeBy: clock + 10_000 });
    });
  });

  describe('Method: takeStart', () => {
    const start = { jobName: 'limit.rate', key: '*', intervalMs: 200, maxWaitMs: 500 };

    it('spaces starts one interval apart, grants up to the wait allowed ahead, then defers to distinct places', async () => {
      // Act: six asks at the same instant.
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await store().takeStart(start));

      // Assess: now, +200, +400 granted (the wait allowed is 500 ms); then places +600, +800, +1000.
      expect(answers).toEqual([
        { granted: true, startAt: clock },
        { granted: true, startAt: clock + 200 },
        { granted: true, startAt: clock + 400 },
        { granted: false, deferMs: 600 },
        { granted: false, deferMs: 800 },
        { granted: false, deferMs: 1_000 },
      ]);
    });

    it('defers by at most one SQS delay, booking no place, when the next start is further away', async () => {
      // Prepare: a budget of one start per hour, just used.
      const hourly = { ...start, intervalMs: 3_600_000 };
      await store().takeStart(hourly);

      // Act
      const answer = await store().takeStart(hourly);
      const again = await store().takeStart(hourly);

      // Assess: the job comes back after 900 s to ask again, as often as needed.
      expect(answer).toEqual({ granted: false, deferMs: SQS_LIMITS.maxDelaySeconds * 1000 });
      expect(again).toEqual(answer);
    });
  });

  describe('Method: holdUniqueKey', () => {
    const unique = { jobName: 'limit.unique', key: 'acme', seconds: 60 };

    it('answers with the holder while its window lasts or its job has not ended, then lets the next job take the key', async () => {
      // Prepare
      const ledger = new DynamoJobLedger({ tableName: table.tableName, client, now: () => new Date(clock) });
      const first = await store().holdUniqueKey({ ...unique, jobId: 'job-1' });

      // Act
      const duringWindow = await store().holdUniqueKey({ ...unique, jobId: 'job-2' });
      clock += 61_000;
      const jobNotEnded = await store().holdUniqueKey({ ...unique, jobId: 'job-3' });
      const claim = await ledger.claim({
        jobId: 'job-1',
        jobName: unique.jobName,
        attempt: 1,
        continuation: 0,
        enqueuedAt: new Date(clock).toISOString(),
        messageId: 'm-1',
        leaseMs: 10_000,
      });
      if (claim.outcome !== 'claimed') throw new Error('not claimed');
      await ledger.succeed(
        {
          jobId: 'job-1',
          jobName: unique.jobName,
          attempt: 1,
          continuation: 0,
          enqueuedAt: new Date(clock).toISOString(),
          messageId: 'm-1',
          leaseMs: 10_000,
        },
        claim.token,
      );
      const afterEnd = await store().holdUniqueKey({ ...unique, jobId: 'job-4' });

      // Assess
      expect([first, duringWindow, jobNotEnded, afterEnd]).toEqual([
        { held: true },
        { held: false, jobId: 'job-1' },
        { held: false, jobId: 'job-1' },
        { held: true },
      ]);
    });
  });

  describe('Method: joinWindow', () => {
    const debounce = { jobName: 'limit.debounce', key: 'acme', seconds: 2, maxWaitSeconds: 5 };

    it('pushes the start back by `seconds` per enqueue, never beyond `maxWaitSeconds` after the first, and opens a new window once taken', async () => {
      // Act: enqueues at +0, +1.5, +3, +4.5 s; the worker takes the window at +5 s; one more enqueue.
      const first = clock;
      const answers = [];
      for (let i = 0; i < 4; i++) {
        answers.push(await store().joinWindow({ ...debounce, jobId: `job-${i}`, payload: { n: i } }));
        clock += 1_500;
      }
      clock = first + 5_000;
      const taken = await store().takeWindow(debounce.jobName, debounce.key, 'job-0');
      const after = await store().joinWindow({ ...debounce, jobId: 'job-9', payload: { n: 9 } });

      // Assess
      expect(answers).toEqual([
        { jobId: 'job-0', opened: true, runAt: first + 2_000 },
        { jobId: 'job-0', opened: false, runAt: first + 3_500 },
        { jobId: 'job-0', opened: false, runAt: first + 5_000 },
        { jobId: 'job-0', opened: false, runAt: first + 5_000 },
      ]);
      expect(taken).toEqual({ state: 'started', payload: { n: 3 } });
      expect(after).toEqual({ jobId: 'job-9', opened: true, runAt: clock + 2_000 });
    });

    it('makes the worker wait for the start', async () => {
      // Prepare
      await store().joinWindow({ ...debounce, jobId: 'job-1', payload: { n: 1 } });

      // Act
      clock += 500;
      const early = await store().takeWindow(debounce.jobName, debounce.key, 'job-1');
      const otherJob = await store().takeWindow(debounce.jobName, debounce.key, 'job-2');

      // Assess
      expect(early).toEqual({ state: 'waiting', waitMs: 1_500 });
      expect(otherJob).toEqual({ state: 'none' });
    });
  });

  it('keeps limit state out of every index: no limit item carries an index key attribute', async () => {
    // Prepare
    await store().takeSlot(slot('a'));
    await store().takeStart({ jobName: 'limit.keyed', key: 'tenant-1', intervalMs: 200, maxWaitMs: 0 });
    await store().holdUniqueKey({ jobName: 'limit.keyed', key: 'tenant-1', jobId: 'job-1', seconds: 0 });
    await store().joinWindow({
      jobName: 'limit.keyed',
      key: 'tenant-1',
      jobId: 'job-1',
      payload: {},
      seconds: 1,
      maxWaitSeconds: 1,
    });

    // Act
    const out = await documentClient(client).send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': limitPartition('limit.keyed', 'tenant-1') },
      }),
    );

    // Assess: four kinds of item; an item is in an index only with both its keys, and none has both.
    expect(out.Items?.map((item) => item.sk).sort()).toEqual(['debounce', 'rate', 'slot#0', 'unique']);
    const indexed = (out.Items ?? []).flatMap((item) =>
      LEDGER_TABLE.indexes
        .filter((index) => index.partitionKey.name in item && index.sortKey.name in item)
        .map((index) => `${String(item.sk)} in ${index.name}`),
    );
    expect(indexed).toEqual([]);
  });
});

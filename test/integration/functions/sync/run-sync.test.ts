import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSyncStore, syncStateKey } from '../../../../functions/sync/item-store.js';
import { createSyncHandler } from '../../../../functions/sync/run-sync.js';
import { resolveSources } from '../../../../functions/sync/sources.js';
import { DEAD_LETTER_ATTRIBUTES } from '../../../../lib/deploy/index.js';
import { createRegistry, defineJob, JobClient } from '../../../../lib/index.js';
import { syncPayloadSchema, syncRun } from '../../../../lib/jobs/builtin/index.js';
import { DynamoJobLedger } from '../../../../lib/ledger/index.js';
import { TABLE_ATTRIBUTES as A } from '../../../../lib/ledger/table.js';
import { createWorker, handle } from '../../../../lib/worker/index.js';
import { type EventSource, type InvocationReport, startEventSource } from '../../../../local/event-source.js';
import { createLedgerTable, documentClient, dynamoClient, startDynamo } from '../../../helpers/dynamodb.js';
import { type FakeSourceOptions, startFakeSource } from '../../../helpers/fake-source.js';
import { createTestQueues, type TestQueues } from '../../../helpers/queues.js';
import { sqsClient, startSqs } from '../../../helpers/sqs.js';
import { type VirtualClock, virtualClock } from '../../../helpers/virtual-clock.js';
import { waitFor } from '../../../helpers/wait.js';

// sync.run with test-sized numbers: backoff from 1 s, and a 3 s function whose signal fires at 2.2 s
// — on a virtual clock, moved only by the fake source: each page takes PAGE_MS of it. After one page
// 1.5 s are left, enough for 1.5 × a page; after two, 0.8 s: the sync continues instead of a third.
const sync = defineJob({
  name: syncRun.name,
  schema: syncPayloadSchema,
  fifo: { groupKey: (payload) => payload.sourceId },
  retry: { maxAttempts: 5, baseDelaySeconds: 1, maxDelaySeconds: 2 },
  timeoutSeconds: 3,
  deadlineMarginMs: 800,
  resources: ['ledger'],
});
const PAGE_MS = 700;

let sqsEmulator: Awaited<ReturnType<typeof startSqs>>;
let dynamoEmulator: Awaited<ReturnType<typeof startDynamo>>;
let sqs: SQSClient;
let dynamo: DynamoDBClient;
let doc: DynamoDBDocumentClient;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  [sqsEmulator, dynamoEmulator] = await Promise.all([startSqs(), startDynamo()]);
  sqs = sqsClient(sqsEmulator.endpoint);
  dynamo = dynamoClient(dynamoEmulator.endpoint);
  doc = documentClient(dynamo);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  sqs.destroy();
  dynamo.destroy();
  await Promise.all([sqsEmulator.stop(), dynamoEmulator.stop()]);
});

/**
 * The sync worker behind the local event source, on `clock` (a fresh one nobody moves unless given:
 * then no deadline ever fires, however slow the machine).
 */
async function setup(source: FakeSourceOptions, options: { pollers?: number; clock?: VirtualClock } = {}) {
  const clock = options.clock ?? virtualClock();
  const fake = await startFakeSource(source);
  const queues: TestQueues = await createTestQueues(sqs, sync);
  const table = await createLedgerTable(dynamo);
  cleanups.push(fake.stop, queues.remove, table.drop);
  const ledger = new DynamoJobLedger({ tableName: table.tableName, client: doc });
  const worker = createWorker({
    jobs: [
      handle(
        sync,
        createSyncHandler({
          resolve: resolveSources([{ id: 'crm', url: fake.url, pageSize: source.perPage }]),
          store: new DynamoSyncStore({ doc, tableName: table.tableName }),
        }),
      ),
    ],
    queue: { url: queues.url, dlqUrl: queues.dlqUrl },
    sqs,
    ledger,
    random: () => 0.5,
  });
  const reports: InvocationReport[] = [];
  /** How many requests the source had seen when each invocation ended. */
  const requestsAtEnd: number[] = [];
  const source_: EventSource = await startEventSource({
    sqs,
    queueUrl: queues.url,
    handler: worker,
    batchSize: 1,
    maxBatchingWindowSeconds: 0,
    functionTimeoutSeconds: sync.timeoutSeconds,
    maxConcurrency: options.pollers ?? 1,
    pollWaitSeconds: 1,
    clock,
    onInvocation: (report) => {
      reports.push(report);
      requestsAtEnd.push(fake.requests.length);
    },
  });
  cleanups.push(() => source_.stop());
  const client = new JobClient({
    registry: createRegistry([sync]),
    queues: { [sync.name]: { url: queues.url } },
    sqs,
  });
  const items = async () => {
    const out = await doc.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': A.partitionKey },
        ExpressionAttributeValues: { ':pk': 'item#crm' },
      }),
    );
    return (out.Items ?? []).map((item) => String(item[A.sortKey]));
  };
  const settled = (jobId: string) =>
    waitFor(
      `job ${jobId} to settle`,
      async () => {
        const record = await ledger.getJob(jobId);
        return record && (record.status === 'succeeded' || record.status === 'dead') ? record : undefined;
      },
      40_000,
    );
  /** Each invocation's requests, as `<cursor> <status>`, once no request is pending. */
  const requestsByInvocation = async () => {
    await waitFor('every request to the source to end', () =>
      fake.requests.every((r) => r.status !== undefined) ? true : undefined,
    );
    const described = fake.requests.map((r) => `${r.cursor ?? 'first'} ${r.status}`);
    return requestsAtEnd.map((end, i) => described.slice(requestsAtEnd[i - 1] ?? 0, end));
  };
  return { fake, queues, table, ledger, client, reports, items, settled, requestsByInvocation };
}

describe('sync.run through the worker on fauxqs and dynalite', () => {
  it('syncs 5 pages two per invocation through a 429 and a slow page, every item exactly once', async () => {
    // Prepare
    const clock = virtualClock();
    const { fake, client, reports, items, settled, table, requestsByInvocation } = await setup(
      {
        pages: 5,
        perPage: 3,
        pageDelayMs: PAGE_MS,
        throttleOnce: { page: 3, retryAfterSeconds: 1 },
        slowPage: 4,
        clock,
      },
      { clock },
    );

    // Act
    const { jobId } = await client.enqueue(sync, { sourceId: 'crm' });
    const record = await settled(jobId);

    // Assess: the job succeeded under one id, across two continuations and one retry.
    expect(record).toMatchObject({ status: 'succeeded', continuation: 2, result: { pages: 5, items: 15 } });
    const ids = await items();
    expect(ids).toHaveLength(15);
    expect(new Set(ids).size).toBe(15);
    const state = await doc.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': A.partitionKey },
        ExpressionAttributeValues: { ':pk': syncStateKey('crm')[A.partitionKey] },
      }),
    );
    expect(state.Items?.[0]).toMatchObject({ jobId, cursor: null, pages: 5, items: 15, completed: true });
    // Four invocations, none past its timeout: two pages (a third would not fit); the 429 (a retry);
    // a page and the slow one, cut off by the signal (a continuation); the last two pages.
    expect(reports.map((r) => r.outcome)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(await requestsByInvocation()).toEqual([
      ['first 200', 'p2 200'],
      ['p3 429'],
      ['p3 200', 'p4 abandoned'],
      ['p4 200', 'p5 200'],
    ]);
    // The retry waited for Retry-After (real time: SQS holds the message back).
    const [throttled, retried] = fake.requests.slice(2, 4);
    expect((retried?.startedAt ?? 0) - (throttled?.endedAt ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it('dead-letters a malformed page with its reason', async () => {
    const { client, settled, queues } = await setup({ pages: 3, perPage: 2, malformedPage: 2 });

    const { jobId } = await client.enqueue(sync, { sourceId: 'crm' });
    const record = await settled(jobId);

    expect(record).toMatchObject({ status: 'dead', lastError: { code: 'MALFORMED_PAGE' } });
    const [dead] = await waitFor('the dead message', async () => {
      const messages = await queues.peekDead();
      return messages.length > 0 ? messages : undefined;
    });
    expect(dead?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.errorCode]?.StringValue).toBe('MALFORMED_PAGE');
    expect(dead?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.errorMessage]?.StringValue).toBe(
      'Malformed page: items[0].id is not a string of 1–512 characters',
    );
  });

  it('never runs two syncs of the same source at once', async () => {
    // Prepare: two pollers could run two invocations in parallel; the FIFO group must not let them.
    // Pages take 300 ms of real time, so that a second sync, if it ran, would overlap the first.
    const { fake, client, settled, items } = await setup(
      { pages: 3, perPage: 2, pageDelayMs: 300 },
      { pollers: 2 },
    );

    // Act
    const [first, second] = await Promise.all([
      client.enqueue(sync, { sourceId: 'crm' }),
      client.enqueue(sync, { sourceId: 'crm' }),
    ]);
    const records = await Promise.all([settled(first.jobId), settled(second.jobId)]);

    // Assess
    expect(records.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(fake.maxInFlight()).toBe(1);
    expect(fake.requests).toHaveLength(6);
    expect(await items()).toHaveLength(6);
  });
});

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoExpiryStore, type ExpiryStore } from '../../../../functions/cleanup/expiry-store.js';
import { CLEANUP_KINDS } from '../../../../functions/cleanup/kinds.js';
import { createCleanupHandler } from '../../../../functions/cleanup/run-cleanup.js';
import { createRegistry, defineJob, JobClient } from '../../../../lib/index.js';
import { cleanupPayloadSchema, cleanupRun, SYNC_ITEM_KIND } from '../../../../lib/jobs/builtin/index.js';
import { DynamoJobLedger, RECORD_KINDS } from '../../../../lib/ledger/index.js';
import { TABLE_ATTRIBUTES as A } from '../../../../lib/ledger/table.js';
import { createWorker, handle } from '../../../../lib/worker/index.js';
import { type InvocationReport, startEventSource } from '../../../../local/event-source.js';
import { createLedgerTable, documentClient, dynamoClient, startDynamo } from '../../../helpers/dynamodb.js';
import { createTestQueues } from '../../../helpers/queues.js';
import { sqsClient, startSqs } from '../../../helpers/sqs.js';
import { virtualClock } from '../../../helpers/virtual-clock.js';
import { waitFor } from '../../../helpers/wait.js';

// cleanup.run with a 3 s function whose signal fires at 2.2 s, on a virtual clock that each page
// moves by PAGE_MS: after one page 1.5 s are left (enough for 1.5 × a page), after two 0.8 s, so
// every invocation deletes two pages and continues.
const cleanup = defineJob({
  name: cleanupRun.name,
  schema: cleanupPayloadSchema,
  retry: { maxAttempts: 3, baseDelaySeconds: 1, maxDelaySeconds: 2 },
  timeoutSeconds: 3,
  deadlineMarginMs: 800,
  batch: { size: 1 },
  resources: ['ledger'],
});
const PAGE_MS = 700;
const CUTOFF = '2026-11-20T03:00:00.000Z';
const CUTOFF_SECONDS = Date.parse(CUTOFF) / 1000;

let sqsEmulator: Awaited<ReturnType<typeof startSqs>>;
let dynamoEmulator: Awaited<ReturnType<typeof startDynamo>>;
let sqs: SQSClient;
let dynamo: DynamoDBClient;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  [sqsEmulator, dynamoEmulator] = await Promise.all([startSqs(), startDynamo()]);
  sqs = sqsClient(sqsEmulator.endpoint);
  dynamo = dynamoClient(dynamoEmulator.endpoint);
  doc = documentClient(dynamo);
});
afterAll(async () => {
  sqs.destroy();
  dynamo.destroy();
  await Promise.all([sqsEmulator.stop(), dynamoEmulator.stop()]);
});

function record(pk: string, kind: string, expiresAt: number) {
  return { [A.partitionKey]: pk, [A.sortKey]: kind, [A.kind]: kind, [A.expiresAt]: expiresAt };
}

describe('cleanup.run through the worker on fauxqs and dynalite', () => {
  it('deletes exactly the records expiring at or before the cut-off, two pages per invocation', async () => {
    // Prepare: 8 expired job records (the last exactly at the cut-off) and one a second after it;
    // 4 stale items and 2 fresh ones; an idempotency key expired long ago.
    const queues = await createTestQueues(sqs, cleanup);
    const table = await createLedgerTable(dynamo);
    try {
      const expiredJobs = Array.from({ length: 8 }, (_, i) =>
        record(`job#old-${i}`, RECORD_KINDS.job, CUTOFF_SECONDS - 7 + i),
      );
      const rows = [
        ...expiredJobs,
        record('job#one-second-after', RECORD_KINDS.job, CUTOFF_SECONDS + 1),
        ...Array.from({ length: 4 }, (_, i) =>
          record(`item#crm-stale-${i}`, SYNC_ITEM_KIND, CUTOFF_SECONDS - 86_400 - i),
        ),
        ...Array.from({ length: 2 }, (_, i) =>
          record(`item#crm-fresh-${i}`, SYNC_ITEM_KIND, CUTOFF_SECONDS + 86_400),
        ),
        record('idempotency#abc', RECORD_KINDS.idempotencyKey, CUTOFF_SECONDS - 3_600),
      ];
      await doc.send(
        new BatchWriteCommand({
          RequestItems: { [table.tableName]: rows.map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
      const clock = virtualClock();
      const pages: string[] = [];
      const timed = (store: ExpiryStore): ExpiryStore => ({
        expired: async (kind, ...rest) => {
          clock.tick(PAGE_MS);
          const page = await store.expired(kind, ...rest);
          pages.push(`${kind} ${page.keys.length}`);
          return page;
        },
        delete: (keys) => store.delete(keys),
      });
      const ledger = new DynamoJobLedger({ tableName: table.tableName, client: doc });
      const worker = createWorker({
        jobs: [
          handle(
            cleanup,
            createCleanupHandler({
              store: timed(new DynamoExpiryStore({ doc, tableName: table.tableName })),
              kinds: CLEANUP_KINDS,
              pageSize: 3,
            }),
          ),
        ],
        queue: { url: queues.url, dlqUrl: queues.dlqUrl },
        sqs,
        ledger,
      });
      const reports: InvocationReport[] = [];
      const pagesAtEnd: number[] = [];
      const source = await startEventSource({
        sqs,
        queueUrl: queues.url,
        handler: worker,
        batchSize: 1,
        maxBatchingWindowSeconds: 0,
        functionTimeoutSeconds: cleanup.timeoutSeconds,
        pollWaitSeconds: 1,
        clock,
        onInvocation: (report) => {
          reports.push(report);
          pagesAtEnd.push(pages.length);
        },
      });
      const client = new JobClient({
        registry: createRegistry([cleanup]),
        queues: { [cleanup.name]: { url: queues.url } },
        sqs,
      });

      // Act
      const { jobId } = await client.enqueue(cleanup, { cutoff: CUTOFF });
      const done = await waitFor(
        'the cleanup to finish',
        async () => {
          const job = await ledger.getJob(jobId);
          return job?.status === 'succeeded' || job?.status === 'dead' ? job : undefined;
        },
        40_000,
      );
      await source.stop();

      // Assess
      expect(done).toMatchObject({
        status: 'succeeded',
        continuation: 2,
        result: { deleted: 13, cutoff: CUTOFF },
      });
      expect(reports.map((r) => r.outcome)).toEqual(['ok', 'ok', 'ok']);
      // Pages of 3, kind by kind (8 job records, 1 idempotency key, 4 stale items), two per invocation.
      const [job, key, item] = [RECORD_KINDS.job, RECORD_KINDS.idempotencyKey, SYNC_ITEM_KIND];
      expect(pagesAtEnd.map((end, i) => pages.slice(pagesAtEnd[i - 1] ?? 0, end))).toEqual([
        [`${job} 3`, `${job} 3`],
        [`${job} 2`, `${key} 1`],
        [`${item} 3`, `${item} 1`],
      ]);
      const left = await doc.send(
        new ScanCommand({
          TableName: table.tableName,
          ProjectionExpression: '#pk',
          ExpressionAttributeNames: { '#pk': A.partitionKey },
        }),
      );
      const remaining = (left.Items ?? [])
        .map((item) => String(item[A.partitionKey]))
        .filter((pk) => !pk.startsWith(`job#${jobId}`));
      expect(remaining.sort()).toEqual(['item#crm-fresh-0', 'item#crm-fresh-1', 'job#one-second-after']);
    } finally {
      await queues.remove();
      await table.drop();
    }
  });
});

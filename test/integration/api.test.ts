import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../functions/api/create-api-handler.js';
import { createEmailSender } from '../../functions/email/send-email.js';
import { DEAD_LETTER_ATTRIBUTES, encodeEnvelope } from '../../lib/deploy/index.js';
import { JobClient } from '../../lib/index.js';
import { emailSend, registry } from '../../lib/jobs/builtin/index.js';
import { DynamoJobLedger, type JobRecord, JobService } from '../../lib/ledger/index.js';
import { createWorker, handle } from '../../lib/worker/index.js';
import { type EventSource, startEventSource } from '../../local/event-source.js';
import { type HttpApi, startHttpApi } from '../../local/http-api.js';
import { createLedgerTable, dynamoClient, startDynamo } from '../helpers/dynamodb.js';
import { createTestQueues, type TestQueues } from '../helpers/queues.js';
import { sesClient, startSes } from '../helpers/ses.js';
import { sqsClient, startSqs } from '../helpers/sqs.js';
import { waitFor } from '../helpers/wait.js';

let sqs: Awaited<ReturnType<typeof startSqs>>;
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let ses: Awaited<ReturnType<typeof startSes>>;
let sqsApi: SQSClient;
let ddb: DynamoDBClient;
let queues: TestQueues;
let table: Awaited<ReturnType<typeof createLedgerTable>>;
let api: HttpApi;
let events: EventSource | undefined;

beforeAll(async () => {
  [sqs, dynamo, ses] = await Promise.all([startSqs(), startDynamo(), startSes({ reject: /^reject@/ })]);
  sqsApi = sqsClient(sqs.endpoint);
  ddb = dynamoClient(dynamo.endpoint);
});
beforeEach(async () => {
  [queues, table] = await Promise.all([createTestQueues(sqsApi, emailSend), createLedgerTable(ddb)]);
  await ses.clear();
  const ledger = new DynamoJobLedger({ tableName: table.tableName, client: ddb });
  const client = new JobClient({ registry, queues: { 'email.send': { url: queues.url } }, sqs: sqsApi });
  api = await startHttpApi({
    handler: createApiHandler({ service: new JobService({ client, store: ledger }), registry }),
  });
});
afterEach(async () => {
  await events?.stop();
  events = undefined;
  await api.stop();
  await Promise.all([queues.remove(), table.drop()]);
});
afterAll(async () => {
  sqsApi.destroy();
  ddb.destroy();
  await Promise.all([sqs.stop(), dynamo.stop(), ses.stop()]);
});

/** The e-mail worker behind the local event source, as Lambda would run it. */
async function runWorker() {
  const worker = createWorker({
    jobs: [
      handle(emailSend, createEmailSender({ ses: sesClient(ses.endpoint), sender: 'noreply@hangar.local' })),
    ],
    ledger: new DynamoJobLedger({ tableName: table.tableName, client: ddb }),
    sqs: sqsApi,
    queue: { url: queues.url, dlqUrl: queues.dlqUrl },
  });
  events = await startEventSource({
    sqs: sqsApi,
    queueUrl: queues.url,
    handler: worker,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    functionTimeoutSeconds: 30,
    pollWaitSeconds: 1,
  });
}

async function request(method: string, path: string, body?: unknown) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

const job = (jobId: string) => request('GET', `/jobs/${jobId}`).then((r) => r.body as unknown as JobRecord);

describe('HTTP API against fauxqs, dynalite and aws-ses-v2-local', () => {
  it('answers a repeated idempotency key with the same job id, and sends one message', async () => {
    // Prepare
    const body = {
      name: 'email.send',
      payload: { to: ['ada@example.com'], subject: 'Once', text: 'Hi' },
      idempotencyKey: 'welcome-ada',
    };

    // Act
    const first = await request('POST', '/jobs', body);
    const again = await request('POST', '/jobs', body);
    const concurrent = await Promise.all([1, 2, 3].map(() => request('POST', '/jobs', body)));
    const conflict = await request('POST', '/jobs', {
      ...body,
      payload: { ...body.payload, subject: 'Twice' },
    });

    // Assess: one job id everywhere, one message on the queue, a conflict for the other body
    expect(first).toMatchObject({ status: 202, body: { status: 'queued' } });
    const jobId = first.body.jobId;
    expect(again).toMatchObject({ status: 202, body: { jobId } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(concurrent.map((r) => [r.status, r.body.jobId])).toEqual([
      [202, jobId],
      [202, jobId],
      [202, jobId],
    ]);
    expect(conflict).toMatchObject({ status: 409, body: { error: { code: 'IDEMPOTENCY_KEY_CONFLICT' } } });
    expect(await queues.depth(queues.url)).toBe(1);

    // Act: the worker runs
    await runWorker();
    const done = await waitFor('the job to succeed', async () => {
      const record = await job(String(jobId));
      return record.status === 'succeeded' ? record : undefined;
    });

    // Assess
    const emails = await ses.emails();
    expect(emails.map((e) => e.subject)).toEqual(['Once']);
    expect(done.result).toEqual({ sesMessageId: emails[0]?.messageId });
    await waitFor('the queue to drain', async () =>
      (await queues.depth(queues.url)) === 0 ? true : undefined,
    );
    expect(await ses.emails()).toHaveLength(1);
  });

  it('lets concurrent first requests with one key create one job', async () => {
    // Act
    const body = {
      name: 'email.send',
      payload: { to: ['ada@example.com'], subject: 'Race', text: 'Hi' },
      idempotencyKey: 'race',
    };
    const responses = await Promise.all(Array.from({ length: 6 }, () => request('POST', '/jobs', body)));

    // Assess: each answer is the one job, or "still in progress" while the winner was sending
    const ids = new Set(responses.filter((r) => r.status === 202).map((r) => r.body.jobId));
    expect(ids.size).toBe(1);
    for (const r of responses.filter((r) => r.status !== 202)) {
      expect(r).toMatchObject({ status: 409, body: { error: { code: 'IDEMPOTENCY_KEY_IN_USE' } } });
    }
    expect(await queues.depth(queues.url)).toBe(1);
  });

  it('lists dead jobs by status: one SES rejected, one that arrived with a bad payload', async () => {
    // Prepare: a job SES refuses, and a raw message (any language) whose payload is invalid
    const rejected = await request('POST', '/jobs', {
      name: 'email.send',
      payload: { to: ['reject@example.com'], subject: 'Nope', text: 'Hi' },
    });
    const rawJobId = '01KARAWMESSAGE000000000000';
    await sqsApi.send(
      new SendMessageCommand({
        QueueUrl: queues.url,
        MessageBody: encodeEnvelope({
          version: 1,
          jobId: rawJobId,
          name: 'email.send',
          payload: { to: ['not-an-address'], subject: 'x', text: 'x' },
          enqueuedAt: new Date().toISOString(),
          attempt: 1,
          continuation: 0,
        }),
      }),
    );

    // Act
    await runWorker();
    const page = await waitFor('two dead jobs', async () => {
      const listed = await request('GET', '/jobs?status=dead');
      return (listed.body.jobs as JobRecord[]).length === 2 ? listed : undefined;
    });

    // Assess
    expect(page.status).toBe(200);
    const dead = page.body.jobs as JobRecord[];
    expect(dead.map((j) => [j.jobId, j.status, j.lastError?.code]).sort()).toEqual(
      [
        [rejected.body.jobId, 'dead', 'MESSAGE_REJECTED'],
        [rawJobId, 'dead', 'VALIDATION_FAILED'],
      ].sort(),
    );
    const byName = await request('GET', '/jobs?name=email.send&status=dead&limit=1');
    expect((byName.body.jobs as JobRecord[]).length).toBe(1);
    const next = await request(
      'GET',
      `/jobs?name=email.send&status=dead&cursor=${String(byName.body.cursor)}`,
    );
    expect(
      [...(byName.body.jobs as JobRecord[]), ...(next.body.jobs as JobRecord[])].map((j) => j.jobId).sort(),
    ).toEqual(dead.map((j) => j.jobId).sort());
    const deadLetters = await queues.peekDead();
    expect(
      deadLetters.map((m) => m.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.errorCode]?.StringValue).sort(),
    ).toEqual(['MESSAGE_REJECTED', 'VALIDATION_FAILED']);
    expect(await ses.emails()).toHaveLength(0);
  });

  it('cancels a job before it runs, and the worker drops it', async () => {
    // Prepare
    const accepted = await request('POST', '/jobs', {
      name: 'email.send',
      payload: { to: ['ada@example.com'], subject: 'Cancelled', text: 'Hi' },
      delaySeconds: 1,
    });
    const jobId = String(accepted.body.jobId);

    // Act
    const cancelled = await request('DELETE', `/jobs/${jobId}`);
    const again = await request('DELETE', `/jobs/${jobId}`);
    await runWorker();
    await waitFor('the queue to drain', async () =>
      (await queues.depth(queues.url)) === 0 ? true : undefined,
    );

    // Assess
    expect(cancelled).toMatchObject({ status: 200, body: { jobId, status: 'cancelled' } });
    expect(again).toMatchObject({ status: 200, body: { jobId, status: 'cancelled' } });
    expect(await job(jobId)).toMatchObject({ status: 'cancelled' });
    expect(await ses.emails()).toHaveLength(0);
    const late = await request('DELETE', '/jobs/01KANOSUCHJOB0000000000000');
    expect(late).toMatchObject({ status: 404, body: { error: { code: 'JOB_NOT_FOUND' } } });
  });
});

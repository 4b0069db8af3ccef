import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmailSender } from '../../functions/email/send-email.js';
import { JobClient } from '../../lib/index.js';
import { emailSend, registry } from '../../lib/jobs/builtin/index.js';
import { DynamoJobLedger } from '../../lib/ledger/index.js';
import { createWorker, handle, type SqsWorker } from '../../lib/worker/index.js';
import { toRecord } from '../../local/event-source.js';
import { createLedgerTable, dynamoClient, startDynamo } from '../helpers/dynamodb.js';
import { fakeContext } from '../helpers/lambda-context.js';
import { createTestQueues, type TestQueues } from '../helpers/queues.js';
import { sesClient, startSes } from '../helpers/ses.js';
import { sqsClient, startSqs } from '../helpers/sqs.js';

let sqs: Awaited<ReturnType<typeof startSqs>>;
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let ses: Awaited<ReturnType<typeof startSes>>;
let sqsApi: SQSClient;
let ddb: DynamoDBClient;
let queues: TestQueues;
let table: Awaited<ReturnType<typeof createLedgerTable>>;
let ledger: DynamoJobLedger;
let worker: SqsWorker;

beforeAll(async () => {
  [sqs, dynamo, ses] = await Promise.all([startSqs(), startDynamo(), startSes()]);
  sqsApi = sqsClient(sqs.endpoint);
  ddb = dynamoClient(dynamo.endpoint);
});
beforeEach(async () => {
  [queues, table] = await Promise.all([createTestQueues(sqsApi, emailSend), createLedgerTable(ddb)]);
  await ses.clear();
  ledger = new DynamoJobLedger({ tableName: table.tableName, client: ddb });
  worker = createWorker({
    jobs: [
      handle(emailSend, createEmailSender({ ses: sesClient(ses.endpoint), sender: 'noreply@hangar.local' })),
    ],
    ledger,
    sqs: sqsApi,
    queue: { url: queues.url, dlqUrl: queues.dlqUrl },
  });
});
afterEach(async () => {
  await Promise.all([queues.remove(), table.drop()]);
});
afterAll(async () => {
  sqsApi.destroy();
  ddb.destroy();
  await Promise.all([sqs.stop(), dynamo.stop(), ses.stop()]);
});

async function receiveOne(): Promise<SQSRecord> {
  const out = await sqsApi.send(
    new ReceiveMessageCommand({
      QueueUrl: queues.url,
      MaxNumberOfMessages: 1,
      WaitTimeSeconds: 2,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  const message = out.Messages?.[0];
  if (!message) throw new Error('no message arrived');
  return toRecord(message, 'arn:aws:sqs:us-east-1:000000000000:email-send', 'us-east-1');
}

/** Enqueues one e-mail with the client and receives its message as Lambda's event source would. */
async function enqueueAndReceive(subject: string): Promise<{ jobId: string; record: SQSRecord }> {
  const client = new JobClient({ registry, queues: { 'email.send': { url: queues.url } }, sqs: sqsApi });
  const { jobId } = await client.enqueue(emailSend, { to: ['ada@example.com'], subject, text: 'Hello!' });
  return { jobId, record: await receiveOne() };
}

describe('email.send against fauxqs, aws-ses-v2-local and dynalite', () => {
  it('sends one message when a record is delivered twice in a row, and when its message is duplicated', async () => {
    // Prepare
    const { jobId, record } = await enqueueAndReceive('Sequential');

    // Act: a delivery, its redelivery, then a second message of the same job (another message id)
    const first = await worker({ Records: [record] }, fakeContext(30_000));
    const second = await worker({ Records: [record] }, fakeContext(30_000));
    await sqsApi.send(new SendMessageCommand({ QueueUrl: queues.url, MessageBody: record.body }));
    const duplicate = await receiveOne();
    const third = await worker({ Records: [duplicate] }, fakeContext(30_000));

    // Assess
    expect([first, second, third]).toEqual([
      { batchItemFailures: [] },
      { batchItemFailures: [] },
      { batchItemFailures: [] },
    ]);
    const emails = await ses.emails();
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({
      from: 'noreply@hangar.local',
      subject: 'Sequential',
      destination: { to: ['ada@example.com'] },
    });
    expect(await ledger.getJob(jobId)).toMatchObject({
      status: 'succeeded',
      claims: 1,
      result: { sesMessageId: emails[0]?.messageId },
    });
  });

  it('sends one message when two invocations run the same record at the same time', async () => {
    // Prepare
    const { jobId, record } = await enqueueAndReceive('Concurrent');

    // Act
    const results = await Promise.all([
      worker({ Records: [record] }, fakeContext(30_000)),
      worker({ Records: [record] }, fakeContext(30_000)),
    ]);

    // Assess: one ran it; the other found the claim held and handed the record back for later.
    expect(results).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    const emails = await ses.emails();
    expect(emails.map((e) => e.subject)).toEqual(['Concurrent']);
    expect(await ledger.getJob(jobId)).toMatchObject({
      status: 'succeeded',
      claims: 1,
      result: { sesMessageId: emails[0]?.messageId },
    });
    // Only the handed-back copy waits, delayed: the worker that handed the record back deleted the
    // original at once. When the copy arrives, the job is done and nothing is sent.
    expect(await queues.depth(queues.url)).toBe(1);
    await worker({ Records: [{ ...record, messageId: 'handed-back-copy' }] }, fakeContext(30_000));
    expect(await ses.emails()).toHaveLength(1);
  });
});

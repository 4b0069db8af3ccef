/**
 * A dead job moved back to its queue by SQS's native move task (`hangar redrive` on a stage with no
 * selector) runs again: the move keeps the body and the dead-letter attributes and leaves the
 * ledger record `dead`, so the worker must tell it from a dead job's own message that was never
 * dead-lettered (issue 13, defect 3). fauxqs has no move-task API: the move is simulated as SQS
 * makes it — received from the DLQ, sent unchanged to the queue, deleted from the DLQ.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES } from '../../../../lib/deploy/index.js';
import { JobClient } from '../../../../lib/index.js';
import { DynamoJobLedger } from '../../../../lib/ledger/index.js';
import { type LocalRuntime, startLocal } from '../../../../local/start-local.js';
import { faultTestRegistry, RUN_EVENT, SINK_VARIABLE, settleRun } from '../../../fixtures/local/jobs.js';
import { readSink } from '../../../fixtures/local/sink.js';
import { FIXTURE_FUNCTIONS } from '../../../helpers/local.js';
import { LOCAL_AWS } from '../../../helpers/sqs.js';
import { waitFor } from '../../../helpers/wait.js';

let local: LocalRuntime;
let sink: string;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  sink = await mkdtemp(join(tmpdir(), 'hangar-moved-'));
  local = await startLocal({
    ports: 'free',
    registry: faultTestRegistry,
    functionsDir: FIXTURE_FUNCTIONS,
    workers: [settleRun.name],
    environment: { [SINK_VARIABLE]: sink },
    pollWaitSeconds: 1,
    shutdownGraceMs: 0,
  });
  dynamodb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: local.endpoints.dynamodb });
}, 60_000);
afterAll(async () => {
  dynamodb.destroy();
  await local.stop();
  await rm(sink, { recursive: true, force: true });
});

describe('A dead job moved back by a native move task', () => {
  it('runs again and succeeds', async () => {
    // Prepare: a job that fails for good on its first run, dead-lettered with its reason.
    const queues = local.queues[settleRun.name];
    if (!queues) throw new Error('No queues for settle.run');
    const ledger = new DynamoJobLedger({ tableName: local.tableName, client: dynamodb });
    const client = new JobClient({
      registry: faultTestRegistry,
      sqs: local.sqs,
      queues: { [settleRun.name]: { url: queues.queue.url } },
    });
    const { jobId } = await client.enqueue(settleRun, { label: 'moved back', outcome: 'permanent-once' });
    const dead = await waitFor('the job in the DLQ', async () => {
      const out = await local.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queues.dlq.url,
          MessageAttributeNames: ['All'],
          VisibilityTimeout: 30,
          WaitTimeSeconds: 1,
        }),
      );
      return out.Messages?.[0];
    });
    expect(dead.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.errorCode]).toBeDefined();
    expect((await ledger.getJob(jobId))?.status).toBe('dead');

    // Act: the move, as SQS makes it.
    await local.sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.queue.url,
        MessageBody: dead.Body,
        MessageAttributes: dead.MessageAttributes,
      }),
    );
    await local.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queues.dlq.url, ReceiptHandle: dead.ReceiptHandle }),
    );

    // Assess
    await waitFor('the moved job to succeed', async () =>
      (await ledger.getJob(jobId))?.status === 'succeeded' ? true : undefined,
    );
    const events = readSink(sink).filter((e) => e.jobId === jobId);
    expect(events.map((e) => e.job)).toEqual([RUN_EVENT, RUN_EVENT, settleRun.name]);
  });
});

import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeEnvelope, deriveJobSettings, sqsQueueAttributes } from '../../lib/deploy/index.js';
import { createRegistry, JobClient, type JobEnvelope } from '../../lib/index.js';
import { startCountingProxy } from '../helpers/counting-proxy.js';
import { noteJob, orderJob } from '../helpers/jobs.js';
import { sqsClient, startSqs } from '../helpers/sqs.js';

let sqs: Awaited<ReturnType<typeof startSqs>>;
let proxy: Awaited<ReturnType<typeof startCountingProxy>>;
let client: SQSClient;
const created: string[] = [];

beforeAll(async () => {
  sqs = await startSqs();
  proxy = await startCountingProxy(sqs.endpoint);
  client = sqsClient(proxy.endpoint);
});
afterEach(async () => {
  for (const url of created.splice(0)) await client.send(new DeleteQueueCommand({ QueueUrl: url }));
});
afterAll(async () => {
  client.destroy();
  await proxy.stop();
  await sqs.stop();
});

/** A fresh queue per test, named and configured from the settings module. */
async function freshQueue(job: ReturnType<typeof noteJob> | ReturnType<typeof orderJob>) {
  const settings = deriveJobSettings(job);
  const out = await client.send(
    new CreateQueueCommand({
      QueueName: settings.queue.name,
      Attributes: sqsQueueAttributes(settings.queue),
    }),
  );
  const url = out.QueueUrl ?? '';
  created.push(url);
  return url;
}

async function receiveAll(url: string, expected: number): Promise<JobEnvelope[]> {
  const envelopes: JobEnvelope[] = [];
  for (let polls = 0; envelopes.length < expected && polls < 20; polls++) {
    const out = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const message of out.Messages ?? []) {
      envelopes.push(decodeEnvelope(message.Body ?? ''));
      // Delete as a consumer would: a FIFO group stays locked while one of its messages is in flight.
      await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return envelopes;
}

describe('JobClient against fauxqs', () => {
  it('enqueues 25 jobs in 3 requests and every envelope arrives intact', async () => {
    // Prepare
    const job = noteJob({ name: `it.note${randomUUID().slice(0, 8)}` });
    const url = await freshQueue(job);
    const jobs = new JobClient({ registry: createRegistry([job]), sqs: client });
    const payloads = Array.from({ length: 25 }, (_, i) => ({ text: `note ${i} ✓` }));
    proxy.reset();

    // Act
    const results = await jobs.enqueueMany(job, payloads);

    // Assess: one GetQueueUrl (found by its derived name) and three batches reached the emulator.
    expect(proxy.count('AmazonSQS.SendMessageBatch')).toBe(3);
    expect(proxy.count('AmazonSQS.GetQueueUrl')).toBe(1);
    expect(proxy.total()).toBe(4);
    proxy.reset();
    expect(results.every((r) => r.ok)).toBe(true);
    const received = await receiveAll(url, 25);
    expect(received).toHaveLength(25);
    const byId = new Map(received.map((e) => [e.jobId, e]));
    for (const [index, result] of results.entries()) {
      if (!result.ok) throw result.error;
      expect(byId.get(result.jobId)).toMatchObject({
        name: job.name,
        payload: payloads[index],
        attempt: 1,
        continuation: 0,
      });
    }
  });

  it('delivers FIFO jobs of one group in order', async () => {
    const job = orderJob({ name: `it.order${randomUUID().slice(0, 8)}` });
    const url = await freshQueue(job);
    const jobs = new JobClient({ registry: createRegistry([job]), sqs: client });
    const payloads = Array.from({ length: 12 }, (_, i) => ({ orderId: `o${i}`, customerId: 'c1' }));

    await jobs.enqueueMany(job, payloads);

    const received = await receiveAll(url, 12);
    expect(received.map((e) => (e.payload as { orderId: string }).orderId)).toEqual(
      payloads.map((p) => p.orderId),
    );
  });
});

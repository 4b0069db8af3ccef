import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EventSource, type InvocationReport, startEventSource } from '../../../local/event-source.js';
import { noteJob } from '../../helpers/jobs.js';
import { createTestQueues, type TestQueues } from '../../helpers/queues.js';
import { sqsClient, startSqs } from '../../helpers/sqs.js';
import { waitFor } from '../../helpers/wait.js';

let emulator: Awaited<ReturnType<typeof startSqs>>;
let sqs: SQSClient;
let queues: TestQueues | undefined;
let source: EventSource | undefined;

beforeAll(async () => {
  emulator = await startSqs();
  sqs = sqsClient(emulator.endpoint);
});
afterEach(async () => {
  await source?.stop();
  await queues?.remove();
  source = undefined;
  queues = undefined;
});
afterAll(async () => {
  sqs.destroy();
  await emulator.stop();
});

const send = (count: number) =>
  sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queues?.url,
      Entries: Array.from({ length: count }, (_, i) => ({ Id: String(i), MessageBody: `m${i}` })),
    }),
  );

describe('Local event source', () => {
  it('waits up to the batching window to fill a batch, and never exceeds the batch size', async () => {
    // Prepare
    queues = await createTestQueues(sqs, noteJob());
    const batches: number[] = [];
    const reports: InvocationReport[] = [];
    const handler = async (event: SQSEvent) => {
      batches.push(event.Records.length);
      return undefined;
    };

    // Act: 2 messages now, 2 more 500 ms later, all inside a 2 s window; batch size 3.
    await send(2);
    source = await startEventSource({
      sqs,
      queueUrl: queues.url,
      handler,
      batchSize: 3,
      maxBatchingWindowSeconds: 2,
      functionTimeoutSeconds: 5,
      pollWaitSeconds: 1,
      onInvocation: (report) => reports.push(report),
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await send(2);
    await waitFor('four records', () => (batches.reduce((a, b) => a + b, 0) >= 4 ? true : undefined));

    // Assess: the first batch waited for the late messages and stopped at three.
    expect(batches).toEqual([3, 1]);
    expect(reports.every((r) => r.outcome === 'ok' && r.deleted === r.records)).toBe(true);
  });

  it('runs at most maxConcurrency invocations at once', async () => {
    queues = await createTestQueues(sqs, noteJob());
    let running = 0;
    let most = 0;
    let done = 0;
    const handler = async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 300));
      running -= 1;
      done += 1;
      return undefined;
    };

    await send(6);
    source = await startEventSource({
      sqs,
      queueUrl: queues.url,
      handler,
      batchSize: 1,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 2,
      functionTimeoutSeconds: 5,
      pollWaitSeconds: 1,
    });
    await waitFor('six invocations', () => (done >= 6 ? true : undefined));

    expect(most).toBe(2);
  });

  it('deletes only the records a partial batch response does not name, and none for a malformed one', async () => {
    queues = await createTestQueues(sqs, noteJob());
    const reports: InvocationReport[] = [];
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      const bodies = event.Records.map((r) => r.body);
      if (bodies.includes('malformed'))
        return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
      const failed = event.Records.filter((r) => r.body === 'fails');
      return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
    };

    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.url,
        Entries: [
          { Id: 'a', MessageBody: 'ok' },
          { Id: 'b', MessageBody: 'fails' },
          { Id: 'c', MessageBody: 'ok too' },
        ],
      }),
    );
    source = await startEventSource({
      sqs,
      queueUrl: queues.url,
      handler,
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      functionTimeoutSeconds: 5,
      pollWaitSeconds: 1,
      onInvocation: (report) => reports.push(report),
    });
    await waitFor('the first batch', () => (reports.length > 0 ? true : undefined));
    await sqs.send(new SendMessageCommand({ QueueUrl: queues.url, MessageBody: 'malformed' }));
    await waitFor('the malformed batch', () => (reports.length > 1 ? true : undefined));

    expect(reports[0]).toMatchObject({ outcome: 'ok', records: 3, deleted: 2, failed: 1 });
    expect(reports[1]).toMatchObject({ outcome: 'error', records: 1, deleted: 0, failed: 1 });
    expect(String(reports[1]?.error)).toContain('itemIdentifier "not-in-this-batch" is not in the batch');
    // Both kept records are still on the queue (in flight until their visibility timeout).
    expect(await queues.depth(queues.url)).toBe(2);
  });
});

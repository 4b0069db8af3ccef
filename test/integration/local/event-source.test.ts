import {
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EventSource, type InvocationReport, startEventSource } from '../../../local/event-source.js';
import { noteJob } from '../../helpers/jobs.js';
import { createTestQueues, type TestQueues } from '../../helpers/queues.js';
import { sqsClient, startSqs } from '../../helpers/sqs.js';
import { virtualClock } from '../../helpers/virtual-clock.js';
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
    // Prepare: batch size 3, a 2 s window on a virtual clock (it ends only when the test moves it).
    queues = await createTestQueues(sqs, noteJob());
    const clock = virtualClock();
    const batches: number[] = [];
    const reports: InvocationReport[] = [];
    const handler = async (event: SQSEvent) => {
      batches.push(event.Records.length);
      return undefined;
    };
    const inFlight = (count: number) =>
      waitFor(`${count} message(s) in flight`, async () => {
        const out = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: queues?.url,
            AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        return Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible) === count ? true : undefined;
      });

    // Act: 2 messages, and 4 more once the first two wait in the window; then 1, and the window passes.
    await send(2);
    source = await startEventSource({
      sqs,
      queueUrl: queues.url,
      handler,
      batchSize: 3,
      maxBatchingWindowSeconds: 2,
      functionTimeoutSeconds: 5,
      pollWaitSeconds: 1,
      clock,
      onInvocation: (report) => reports.push(report),
    });
    await inFlight(2);
    await send(4);
    await waitFor('six records', () => (batches.reduce((a, b) => a + b, 0) >= 6 ? true : undefined));
    await send(1);
    await inFlight(1);
    clock.tick(2_000);
    await waitFor('seven records', () => (batches.reduce((a, b) => a + b, 0) >= 7 ? true : undefined));

    // Assess: the first batch waited for the late messages and stopped at three; the last one went
    // out short, when its window ended.
    expect(batches).toEqual([3, 3, 1]);
    expect(reports.every((r) => r.outcome === 'ok' && r.deleted === r.records)).toBe(true);
  });

  it('runs at most maxConcurrency invocations at once', async () => {
    // Prepare: the first invocation holds on until a second one runs beside it.
    queues = await createTestQueues(sqs, noteJob());
    let running = 0;
    let most = 0;
    let done = 0;
    let secondStarted: () => void = () => undefined;
    const two = new Promise<void>((resolve) => {
      secondStarted = resolve;
    });
    const handler = async () => {
      running += 1;
      most = Math.max(most, running);
      if (running === 2) secondStarted();
      await two;
      running -= 1;
      done += 1;
      return undefined;
    };

    // Act
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

    // Assess
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

  it('pauses only when the invocation in flight has ended, receives nothing while paused, and drains after resume', async () => {
    // Prepare: the first invocation holds on until the test lets it go.
    queues = await createTestQueues(sqs, noteJob());
    const bodies: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = async (event: SQSEvent) => {
      bodies.push(...event.Records.map((r) => r.body));
      if (bodies.length === 1) await held;
      return undefined;
    };
    await send(1);
    source = await startEventSource({
      sqs,
      queueUrl: queues.url,
      handler,
      batchSize: 1,
      maxBatchingWindowSeconds: 0,
      functionTimeoutSeconds: 5,
      pollWaitSeconds: 1,
    });
    await waitFor('the first invocation', () => (bodies.length === 1 ? true : undefined));

    // Act: pause while it runs; it settles only once the invocation is let go.
    let settled = false;
    const pausing = source.pause().then(() => {
      settled = true;
    });
    const enabledWhilePausing = source.enabled();
    await new Promise((resolve) => setImmediate(resolve));
    const settledWhileRunning = settled;
    release();
    await pausing;
    await send(1);
    const invocationsWhilePaused = source.invocations();
    const depth = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queues.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    source.resume();
    await waitFor('the second message', () => (bodies.length === 2 ? true : undefined));

    // Assess
    expect(enabledWhilePausing).toBe(false);
    expect(settledWhileRunning).toBe(false);
    expect(invocationsWhilePaused).toBe(1);
    expect(depth.Attributes).toEqual({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
    expect(source.enabled()).toBe(true);
  });

  it('starts disabled when told to, receiving nothing until resumed', async () => {
    // Prepare
    queues = await createTestQueues(sqs, noteJob());
    const bodies: string[] = [];
    await send(1);

    // Act
    source = await startEventSource({
      sqs,
      queueUrl: queues.url,
      handler: async (event) => {
        bodies.push(...event.Records.map((r) => r.body));
        return undefined;
      },
      batchSize: 1,
      maxBatchingWindowSeconds: 0,
      functionTimeoutSeconds: 5,
      pollWaitSeconds: 1,
      enabled: false,
    });
    await source.pause();
    const whileDisabled = [...bodies];
    source.resume();
    await waitFor('the message', () => (bodies.length === 1 ? true : undefined));

    // Assess
    expect(whileDisabled).toEqual([]);
    expect(bodies).toEqual(['m0']);
  });
});

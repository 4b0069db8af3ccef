import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  type SQSClient as SqsClientType,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type RedriveRecorder, selectiveRedrive } from '../../../cli/redrive.js';
import { decodeEnvelope } from '../../../lib/deploy/index.js';
import type { JobDefinition } from '../../../lib/index.js';
import { startCountingProxy } from '../../helpers/counting-proxy.js';
import { deadLetter } from '../../helpers/dead-letters.js';
import { noteJob, orderJob } from '../../helpers/jobs.js';
import { type TestQueues, useSqsEmulator } from '../../helpers/queues.js';
import { LOCAL_AWS, sqsClient } from '../../helpers/sqs.js';

const emulator = useSqsEmulator();
let sqs: SqsClientType;
let queues: TestQueues | undefined;

beforeAll(() => {
  sqs = emulator.sqs();
});

const job = noteJob();

/** Receives everything on a queue (and deletes nothing; a 30 s hold keeps them from coming back). */
async function drain(url: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (!out.Messages?.length) return all;
    all.push(...out.Messages);
  }
}

async function fourDead(definition: JobDefinition = job) {
  queues = await emulator.queuesFor(definition);
  const envelopes = await deadLetter(sqs, definition, queues, [
    {
      payload: { text: 'a' },
      code: 'BAD_ADDRESS',
      envelope: { attempt: 5, enqueuedAt: '2026-01-01T00:00:00.000Z' },
    },
    { payload: { text: 'b' }, code: 'QUOTA' },
    { payload: { text: 'c' }, code: 'BAD_ADDRESS', envelope: { continuation: 3 } },
    { payload: { text: 'd' }, code: 'TIMEOUT' },
  ]);
  return { queues, ids: envelopes.map((e) => e.jobId), envelopes };
}

const options = (q: TestQueues) => ({ job, dlqUrl: q.dlqUrl, queueUrl: q.url, waitSeconds: 0 });

describe('Function: selectiveRedrive', () => {
  it('moves every dead job back with attempt 1, the same job id, continuation and payload', async () => {
    // Prepare
    const { queues, envelopes } = await fourDead();

    // Act
    const result = await selectiveRedrive(sqs, options(queues));

    // Assess
    expect(result.moved).toHaveLength(4);
    expect(result.skipped).toEqual([]);
    expect(result.failed).toEqual([]);
    expect(await queues.depth(queues.dlqUrl)).toBe(0);
    const back = (await drain(queues.url)).map((m) => decodeEnvelope(m.Body ?? ''));
    expect(back.map((e) => e.jobId).sort()).toEqual(envelopes.map((e) => e.jobId).sort());
    for (const original of envelopes) {
      expect(back.find((e) => e.jobId === original.jobId)).toEqual({ ...original, attempt: 1 });
    }
  });

  it('moves exactly the selected messages (error code) and leaves the rest in the DLQ, visible', async () => {
    // Prepare
    const { queues, ids } = await fourDead();

    // Act
    const result = await selectiveRedrive(sqs, {
      ...options(queues),
      filter: { errorCodes: ['BAD_ADDRESS'] },
    });

    // Assess
    expect(result.moved.map((m) => m.jobId).sort()).toEqual([ids[0], ids[2]].sort());
    expect(result.skipped.map((s) => s.reason)).toEqual(['not selected', 'not selected']);
    expect((await drain(queues.url)).map((m) => decodeEnvelope(m.Body ?? '').jobId).sort()).toEqual(
      [ids[0], ids[2]].sort(),
    );
    expect((await drain(queues.dlqUrl)).map((m) => decodeEnvelope(m.Body ?? '').jobId).sort()).toEqual(
      [ids[1], ids[3]].sort(),
    );
  });

  it.each([
    ['ids (a job id, and one that is in no message)', 'ids'],
    ['failed before a cut-off', 'failedBefore'],
  ] as const)('selects by %s', async (_label, by) => {
    // Prepare
    const { queues, ids } = await fourDead();
    const filter =
      by === 'ids' ? { ids: [ids[1] ?? '', 'missing-id'] } : { failedBefore: new Date(Date.now() + 60_000) };

    // Act
    const result = await selectiveRedrive(sqs, { ...options(queues), filter });

    // Assess
    const expected = by === 'ids' ? [ids[1]] : [...ids].sort();
    expect(result.moved.map((m) => m.jobId).sort()).toEqual(expected);
    expect(result.notFound).toEqual(by === 'ids' ? ['missing-id'] : []);
    expect(await queues.depth(queues.dlqUrl)).toBe(4 - expected.length);
  });

  it('selects by job name (the name the worker dead-lettered it under)', async () => {
    // Prepare: a message of another job name landed in this DLQ (the worker dead-letters unknown names).
    const { queues } = await fourDead();
    const [stray] = await deadLetter(sqs, job, queues, [
      { payload: { text: 'e' }, code: 'UNUSED', envelope: { name: 'test.other' } },
    ]);

    // Act
    const result = await selectiveRedrive(sqs, { ...options(queues), filter: { names: ['test.other'] } });

    // Assess
    expect(result.moved.map((m) => [m.jobId, m.jobName, m.errorCode])).toEqual([
      [stray?.jobId, 'test.other', 'UNKNOWN_JOB'],
    ]);
    expect(await queues.depth(queues.dlqUrl)).toBe(4);
  });

  it('moves nothing in a dry run, and lists what it would move', async () => {
    // Prepare
    const { queues, ids } = await fourDead();

    // Act
    const result = await selectiveRedrive(sqs, {
      ...options(queues),
      filter: { errorCodes: ['QUOTA', 'TIMEOUT'] },
      dryRun: true,
    });

    // Assess
    expect(result.dryRun).toBe(true);
    expect(result.moved.map((m) => m.jobId).sort()).toEqual([ids[1], ids[3]].sort());
    expect(await queues.depth(queues.url)).toBe(0);
    expect((await drain(queues.dlqUrl)).length).toBe(4);
  });

  it('stops at --max and leaves the others', async () => {
    // Prepare
    const { queues } = await fourDead();

    // Act
    const result = await selectiveRedrive(sqs, { ...options(queues), max: 3 });

    // Assess
    expect(result.moved).toHaveLength(3);
    expect(await queues.depth(queues.url)).toBe(3);
    expect(await queues.depth(queues.dlqUrl)).toBe(1);
  });

  it('sends before it deletes, records each job in the ledger in between, and keeps going past a ledger failure', async () => {
    // Prepare
    const { queues, ids } = await fourDead();
    const proxy = await startCountingProxy(emulator.endpoint());
    const client = new SQSClient({ ...LOCAL_AWS, endpoint: proxy.endpoint });
    const order: string[] = [];
    const recorder: RedriveRecorder = {
      recordRedrive: vi.fn(async (ref) => {
        order.push(
          `record:${proxy.count('AmazonSQS.SendMessageBatch')}:${proxy.count('AmazonSQS.DeleteMessageBatch')}`,
        );
        if (ref.jobId === ids[2]) throw new Error('ledger down');
      }),
    };

    // Act
    const result = await selectiveRedrive(client, { ...options(queues), recorder });

    // Assess: every record happened after the send and before the delete of its batch.
    expect(order).toEqual(['record:1:0', 'record:1:0', 'record:1:0', 'record:1:0']);
    expect(proxy.count('AmazonSQS.DeleteMessageBatch')).toBe(1);
    expect(recorder.recordRedrive).toHaveBeenCalledWith({
      jobId: ids[2],
      jobName: job.name,
      continuation: 3,
    });
    expect(result.moved).toHaveLength(4);
    expect(result.ledgerWarnings).toEqual([{ jobId: ids[2], reason: 'ledger down' }]);
    client.destroy();
    await proxy.stop();
  });

  it('does not move again a job that died again during the run', async () => {
    // Prepare: each job moved back fails at once and is dead-lettered anew before the scan ends,
    // as a job whose cause is not fixed does (the recorder runs between the send and the delete).
    const { queues, envelopes } = await fourDead();
    const recorder: RedriveRecorder = {
      recordRedrive: async (ref) => {
        const envelope = envelopes.find((e) => e.jobId === ref.jobId);
        await deadLetter(sqs, job, queues, [
          { payload: envelope?.payload, code: 'AGAIN', envelope: envelope ?? {} },
        ]);
      },
    };

    // Act
    const result = await selectiveRedrive(sqs, { ...options(queues), recorder });

    // Assess
    expect(result.moved).toHaveLength(4);
    expect(result.skipped.map((s) => [s.reason, s.message.errorCode])).toEqual(
      Array.from({ length: 4 }, () => ['arrived during the redrive', 'AGAIN']),
    );
    expect(await queues.depth(queues.dlqUrl)).toBe(4);
  });

  it('leaves a message in the DLQ when its re-send fails', async () => {
    // Prepare
    const { queues, ids } = await fourDead();
    const failing = sqsClient(emulator.endpoint());
    const send = failing.send.bind(failing);
    vi.spyOn(failing, 'send').mockImplementation(((command: unknown) => {
      if (command instanceof SendMessageBatchCommand) {
        const entries = command.input.Entries ?? [];
        const bad = entries.find((e) => decodeEnvelope(e.MessageBody ?? '').jobId === ids[1]);
        return send(
          new SendMessageBatchCommand({ ...command.input, Entries: entries.filter((e) => e !== bad) }),
        ).then((out) => ({
          ...out,
          Failed: bad ? [{ Id: bad.Id, Code: 'InternalError', Message: 'boom', SenderFault: false }] : [],
        }));
      }
      return send(command as never);
    }) as typeof failing.send);

    // Act
    const result = await selectiveRedrive(failing, options(queues));

    // Assess
    expect(result.failed).toEqual([
      expect.objectContaining({
        reason: 'InternalError: boom',
        sent: false,
        message: expect.objectContaining({ jobId: ids[1] }),
      }),
    ]);
    expect(result.moved).toHaveLength(3);
    expect((await drain(queues.dlqUrl)).map((m) => decodeEnvelope(m.Body ?? '').jobId)).toEqual([ids[1]]);
    failing.destroy();
  });

  it('paces sends to --rate messages per second', async () => {
    // Prepare
    const { queues } = await fourDead();
    let clock = 0;
    const sleeps: number[] = [];

    // Act
    const result = await selectiveRedrive(sqs, {
      ...options(queues),
      rate: 2,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });

    // Assess: 4 messages at 2/s go out as 2 + 2, the second pair one second after the first.
    expect(result.moved).toHaveLength(4);
    expect(sleeps).toEqual([1000]);
  });

  it('stops between batches when interrupted and gives back what it held', async () => {
    // Prepare
    const { queues } = await fourDead();
    const interrupt = new AbortController();
    let clock = 0;

    // Act: at 1 message/s, interrupt while waiting to send the second.
    const result = await selectiveRedrive(sqs, {
      ...options(queues),
      rate: 1,
      signal: interrupt.signal,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
        interrupt.abort();
      },
    });

    // Assess
    expect(result.interrupted).toBe(true);
    expect(result.moved).toHaveLength(1);
    expect(result.skipped.map((s) => s.reason)).toEqual(['interrupted', 'interrupted', 'interrupted']);
    expect(await queues.depth(queues.url)).toBe(1);
    expect((await drain(queues.dlqUrl)).length).toBe(3);
  });

  it('stops at once when interrupted between two sends, however slow its pace', async () => {
    // Prepare: one message per 1000 s on the real clock; Ctrl-C lands right after the first send,
    // before the pacer's wait for the second begins.
    const { queues } = await fourDead();
    const interrupt = new AbortController();

    // Act
    const result = await selectiveRedrive(sqs, {
      ...options(queues),
      rate: 0.001,
      signal: interrupt.signal,
      recorder: {
        recordRedrive: async () => {
          interrupt.abort();
        },
      },
    });

    // Assess: it did not wait out the pace (the test would time out); one moved, three given back.
    expect(result.interrupted).toBe(true);
    expect(result.moved).toHaveLength(1);
    expect(result.skipped.map((s) => s.reason)).toEqual(['interrupted', 'interrupted', 'interrupted']);
  });
});

describe('Function: selectiveRedrive on a FIFO job', () => {
  const fifo = orderJob();
  const fifoOptions = (q: TestQueues) => ({ job: fifo, dlqUrl: q.dlqUrl, queueUrl: q.url, waitSeconds: 0 });

  it('keeps the message group and uses a fresh deduplication id, so a second redrive within 5 minutes is not dropped', async () => {
    // Prepare
    queues = await emulator.queuesFor(fifo);
    const [envelope] = await deadLetter(sqs, fifo, queues, [
      { payload: { orderId: 'o-1', customerId: 'c-7' }, code: 'DECLINED', groupId: 'c-7' },
    ]);

    // Act: redrive, let it die again (unchanged body), redrive again.
    const first = await selectiveRedrive(sqs, fifoOptions(queues));
    const [back] = await drain(queues.url);
    // The worker takes it (and fails again): it leaves the queue, so the group moves on.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queues.url, ReceiptHandle: back?.ReceiptHandle }));
    await deadLetter(sqs, fifo, queues, [
      {
        payload: { orderId: 'o-1', customerId: 'c-7' },
        code: 'DECLINED',
        groupId: 'c-7',
        envelope: envelope ?? {},
      },
    ]);
    const second = await selectiveRedrive(sqs, fifoOptions(queues));
    const messages = await drain(queues.url);

    // Assess
    expect(first.moved).toHaveLength(1);
    expect(second.moved).toHaveLength(1);
    expect(back?.Attributes?.MessageGroupId).toBe('c-7');
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Attributes?.MessageGroupId).toBe('c-7');
    expect(messages[0]?.Attributes?.MessageDeduplicationId).not.toBe(
      back?.Attributes?.MessageDeduplicationId,
    );
    expect(decodeEnvelope(messages[0]?.Body ?? '').jobId).toBe(envelope?.jobId);
  });
});

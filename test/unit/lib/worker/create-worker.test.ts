import { Logger } from '@aws-lambda-powertools/logger';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEAD_LETTER_ATTRIBUTES,
  DELIVERY_ATTRIBUTES,
  decodeEnvelope,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  renderFiring,
} from '../../../../lib/deploy/index.js';
import { ConfigError, ERROR_CODES, PermanentJobError, RetryableJobError } from '../../../../lib/index.js';
import { encodeFiringTemplate } from '../../../../lib/jobs/envelope.js';
import { visibilityTimeoutSeconds } from '../../../../lib/jobs/visibility.js';
import {
  createWorker,
  DeadlineReachedError,
  handle,
  type JobBinding,
  type JobContext,
  type JobHandler,
  WORKER_RULES,
  type WorkerOptions,
  type WorkerQueue,
} from '../../../../lib/worker/index.js';
import { WORKER_LOG_MESSAGES } from '../../../../lib/worker/rules.js';
import { fakeLedger } from '../../../helpers/fake-ledger.js';
import { noteJob, orderJob } from '../../../helpers/jobs.js';
import { fakeContext } from '../../../helpers/lambda-context.js';
import { captureLogs } from '../../../helpers/logs.js';
import { jobRecord, sqsEvent, sqsRecord } from '../../../helpers/sqs-records.js';

const sqsMock = mockClient(SQSClient);

const QUEUE = { url: 'https://sqs.local/0/test-note', dlqUrl: 'https://sqs.local/0/test-note-dlq' };
const FIFO_QUEUE = {
  url: 'https://sqs.local/0/test-order.fifo',
  dlqUrl: 'https://sqs.local/0/test-order-dlq.fifo',
};

const note = noteJob({ retry: { maxAttempts: 3, baseDelaySeconds: 10, maxDelaySeconds: 600 } });
const order = orderJob({ retry: { maxAttempts: 3, baseDelaySeconds: 10, maxDelaySeconds: 600 } });

type NoteHandler = JobHandler<typeof note>;

function makeWorker(binding: JobBinding, queue: WorkerQueue, options: Partial<WorkerOptions>) {
  return createWorker({
    jobs: [binding],
    queue,
    sqs: new SQSClient({ region: 'us-east-1' }),
    // Jitter at its midpoint: backoff for retry n is 0.75 × min(cap, base × 2^(n-1)).
    random: () => 0.5,
    // The test jobs use the ledger, as declarations do by default; a worker without one cannot start.
    ledger: fakeLedger(),
    ...options,
  });
}
const worker = (handler: NoteHandler, options: Partial<WorkerOptions> = {}) =>
  makeWorker(handle(note, handler), QUEUE, options);
const fifoWorker = (handler: JobHandler<typeof order>, options: Partial<WorkerOptions> = {}) =>
  makeWorker(handle(order, handler), FIFO_QUEUE, options);

const sends = () => sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
const visibilityChanges = () =>
  sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input);

describe('Function: createWorker', () => {
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'sent' });
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
    sqsMock.on(DeleteMessageCommand).resolves({});
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('on success', () => {
    it('runs the handler with the parsed payload and the job context, and reports no failures', async () => {
      // Prepare
      const seen: { payload: unknown; context: Partial<JobContext> }[] = [];
      const handler = worker(async (payload, context) => {
        seen.push({
          payload,
          context: {
            jobId: context.jobId,
            jobName: context.jobName,
            attempt: context.attempt,
            continuation: context.continuation,
          },
        });
        return undefined;
      });
      const record = jobRecord(note, { text: 'hi' }, { envelope: { jobId: 'job-1', correlationId: 'c-1' } });

      // Act
      const result = await handler(sqsEvent(record), fakeContext(30_000));

      // Assess
      expect(result).toEqual({ batchItemFailures: [] });
      expect(seen).toEqual([
        {
          payload: { text: 'hi' },
          context: { jobId: 'job-1', jobName: 'test.note', attempt: 1, continuation: 0 },
        },
      ]);
      expect(sqsMock.calls()).toHaveLength(0);
    });
  });

  describe('context.scheduledAt', () => {
    it("is a recurring firing's scheduled time, on its first attempt and on the retry it re-sends", async () => {
      // Prepare
      const seen: (string | undefined)[] = [];
      const handler = worker(async (_payload, context) => {
        seen.push(context.scheduledAt);
        throw new Error('flaky downstream');
      });
      const at = new Date('2026-11-24T03:00:00.000Z');
      const firing = renderFiring(encodeFiringTemplate(note, 'test-note', { text: 'nightly' }), at, 'exec-1');

      // Act
      await handler(sqsEvent(sqsRecord(firing)), fakeContext(30_000));
      const resent = sends()[0]?.MessageBody ?? '';
      await handler(sqsEvent(sqsRecord(resent)), fakeContext(30_000));

      // Assess
      expect(seen).toEqual([at.toISOString(), at.toISOString()]);
      expect(decodeEnvelope(resent)).toMatchObject({ attempt: 2, runAt: at.toISOString() });
    });

    it('is undefined for a job sent to run at once, and the run-at time of a delayed one', async () => {
      // Prepare
      const seen: (string | undefined)[] = [];
      const handler = worker(async (_payload, context) => {
        seen.push(context.scheduledAt);
        return undefined;
      });
      const runAt = '2026-11-24T08:00:00.000Z';

      // Act
      await handler(
        sqsEvent(
          jobRecord(note, { text: 'now' }),
          jobRecord(note, { text: 'later' }, { envelope: { runAt } }),
        ),
        fakeContext(30_000),
      );

      // Assess
      expect(seen).toEqual([undefined, runAt]);
    });
  });

  describe('on a retryable failure', () => {
    it('re-sends that message alone with the next attempt and its backoff as DelaySeconds', async () => {
      // Prepare
      const handler = worker(async (payload) => {
        if (payload.text === 'bad') throw new Error('flaky downstream');
        return undefined;
      });
      const bad = jobRecord(note, { text: 'bad' }, { envelope: { jobId: 'job-bad', attempt: 2 } });
      const good = jobRecord(note, { text: 'good' });

      // Act
      const result = await handler(sqsEvent(bad, good), fakeContext(30_000));

      // Assess: attempt 2 failed → retry 2 → 0.75 × min(600, 10 × 2) = 15 s.
      expect(result).toEqual({ batchItemFailures: [] });
      expect(sqsMock).toHaveReceivedCommandTimes(SendMessageCommand, 1);
      const [resend] = sends();
      expect(resend).toMatchObject({ QueueUrl: QUEUE.url, DelaySeconds: 15 });
      expect(decodeEnvelope(resend?.MessageBody ?? '')).toMatchObject({
        jobId: 'job-bad',
        attempt: 3,
        payload: { text: 'bad' },
      });
    });

    it('waits as long as the remote side asked when that is longer', async () => {
      const handler = worker(async () => {
        throw new RetryableJobError('rate limited', { retryAfterSeconds: 120 });
      });
      await handler(sqsEvent(jobRecord(note, { text: 'x' })), fakeContext(30_000));
      expect(sends()[0]).toMatchObject({ DelaySeconds: 120 });
    });

    it('extends the visibility of the same message for a backoff beyond 15 minutes', async () => {
      // Prepare: base 2000 s.
      const slow = noteJob({ retry: { maxAttempts: 3, baseDelaySeconds: 2000, maxDelaySeconds: 4000 } });
      const handler = makeWorker(
        handle(slow, async () => {
          throw new Error('later');
        }),
        QUEUE,
        {},
      );
      const record = jobRecord(slow, { text: 'x' });

      // Act
      const result = await handler(sqsEvent(record), fakeContext(30_000));

      // Assess
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
      expect(visibilityChanges()).toEqual([
        { QueueUrl: QUEUE.url, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 1500 },
      ]);
      expect(sends()).toEqual([]);
    });

    it('counts redeliveries of the same message as attempts', async () => {
      // Prepare: attempt 1 in the envelope, received for the 3rd time (visibility retries) = attempt 3 = max.
      const attempts: number[] = [];
      const handler = worker(async (_p, context) => {
        attempts.push(context.attempt);
        throw new Error('still failing');
      });

      // Act
      await handler(sqsEvent(jobRecord(note, { text: 'x' }, { receiveCount: 3 })), fakeContext(30_000));

      // Assess: the third attempt failed at max attempts → dead-lettered, not retried.
      expect(attempts).toEqual([3]);
      expect(sends()).toHaveLength(1);
      expect(sends()[0]?.QueueUrl).toBe(QUEUE.dlqUrl);
    });
  });

  describe('once a record is re-sent or dead-lettered', () => {
    it('deletes the original at once, so an invocation cut short cannot bring it back', async () => {
      // Prepare: one retry and one permanent failure.
      const handler = worker(async (payload) => {
        if (payload.text === 'retry') throw new Error('again');
        throw new PermanentJobError('never');
      });
      const retry = jobRecord(note, { text: 'retry' });
      const dead = jobRecord(note, { text: 'dead' });

      // Act
      const result = await handler(sqsEvent(retry, dead), fakeContext(30_000));

      // Assess: each original is deleted right after its copy was sent, and still reported as done.
      expect(result).toEqual({ batchItemFailures: [] });
      expect(sqsMock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([
        { QueueUrl: QUEUE.url, ReceiptHandle: retry.receiptHandle },
        { QueueUrl: QUEUE.url, ReceiptHandle: dead.receiptHandle },
      ]);
    });

    it('still reports the record as done when that delete fails: the event source deletes it', async () => {
      sqsMock.on(DeleteMessageCommand).rejects(new Error('throttled'));
      const handler = worker(async () => {
        throw new Error('again');
      });

      const result = await handler(sqsEvent(jobRecord(note, { text: 'x' })), fakeContext(30_000));

      expect(result).toEqual({ batchItemFailures: [] });
      expect(sends()).toHaveLength(1);
    });
  });

  describe('on reaching max attempts', () => {
    it('dead-letters the message with its reason attributes', async () => {
      // Prepare
      vi.useFakeTimers({ now: new Date('2026-11-23T12:00:00.000Z'), toFake: ['Date'] });
      const handler = worker(async () => {
        throw new Error('downstream is down');
      });
      const record = jobRecord(note, { text: 'x' }, { envelope: { attempt: 3 } });

      // Act
      const result = await handler(sqsEvent(record), fakeContext(30_000));

      // Assess
      expect(result).toEqual({ batchItemFailures: [] });
      expect(sends()).toEqual([
        {
          QueueUrl: QUEUE.dlqUrl,
          MessageBody: record.body,
          MessageAttributes: {
            [DEAD_LETTER_ATTRIBUTES.errorCode]: { DataType: 'String', StringValue: 'Error' },
            [DEAD_LETTER_ATTRIBUTES.errorMessage]: { DataType: 'String', StringValue: 'downstream is down' },
            [DEAD_LETTER_ATTRIBUTES.attempt]: { DataType: 'Number', StringValue: '3' },
            [DEAD_LETTER_ATTRIBUTES.failedAt]: {
              DataType: 'String',
              StringValue: '2026-11-23T12:00:00.000Z',
            },
            [DEAD_LETTER_ATTRIBUTES.jobName]: { DataType: 'String', StringValue: 'test.note' },
          },
        },
      ]);
    });

    it('dead-letters without running a delivery whose attempts earlier crashes used up', async () => {
      const handler = vi.fn<NoteHandler>(async () => undefined);
      const record = jobRecord(note, { text: 'x' }, { receiveCount: 4 });

      await worker(handler)(sqsEvent(record), fakeContext(30_000));

      expect(handler).not.toHaveBeenCalled();
      expect(sends()[0]?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.errorCode]?.StringValue).toBe(
        ERROR_CODES.attemptsExhausted,
      );
    });
  });

  describe('on a permanent failure', () => {
    it('dead-letters at once with the error code and message, without a retry', async () => {
      const handler = worker(async () => {
        throw new PermanentJobError('address rejected', { code: 'MESSAGE_REJECTED' });
      });
      const record = jobRecord(note, { text: 'x' });

      const result = await handler(sqsEvent(record), fakeContext(30_000));

      expect(result).toEqual({ batchItemFailures: [] });
      expect(sends()).toHaveLength(1);
      expect(sends()[0]).toMatchObject({
        QueueUrl: QUEUE.dlqUrl,
        MessageAttributes: {
          [DEAD_LETTER_ATTRIBUTES.errorCode]: { StringValue: 'MESSAGE_REJECTED' },
          [DEAD_LETTER_ATTRIBUTES.errorMessage]: { StringValue: 'address rejected' },
          [DEAD_LETTER_ATTRIBUTES.attempt]: { StringValue: '1' },
        },
      });
    });

    it('keeps the record when the DLQ cannot be reached, so nothing is lost', async () => {
      sqsMock.on(SendMessageCommand).rejects(new Error('DLQ unreachable'));
      const record = jobRecord(note, { text: 'x' });
      const handler = worker(async () => {
        throw new PermanentJobError('no');
      });

      await expect(handler(sqsEvent(record), fakeContext(30_000))).resolves.toEqual({
        batchItemFailures: [{ itemIdentifier: record.messageId }],
      });
    });
  });

  describe('at the deadline', () => {
    it('fires the signal the safety margin before the deadline, with the reason', async () => {
      // Prepare
      vi.useFakeTimers();
      let signal: AbortSignal | undefined;
      let remainingAtStart = -1;
      const handler = worker(
        async (_p, context) => {
          signal = context.signal;
          remainingAtStart = context.remainingTimeMs();
          await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve()));
          return undefined;
        },
        { deadlineMarginMs: 2_000 },
      );

      // Act
      const pending = handler(sqsEvent(jobRecord(note, { text: 'x' })), fakeContext(10_000));
      await vi.advanceTimersByTimeAsync(7_999);
      const abortedEarly = signal?.aborted;
      await vi.advanceTimersByTimeAsync(1);
      const result = await pending;

      // Assess
      expect(remainingAtStart).toBe(8_000);
      expect(abortedEarly).toBe(false);
      expect(signal?.aborted).toBe(true);
      expect(signal?.reason).toBeInstanceOf(DeadlineReachedError);
      expect(result).toEqual({ batchItemFailures: [] });
    });

    it('starts no record after the margin and hands the unstarted ones back without an attempt', async () => {
      // Prepare: one lane at a time; each record takes 3 s; the signal fires at 10 − 4 = 6 s.
      vi.useFakeTimers();
      const ran: string[] = [];
      const handler = worker(
        async (payload) => {
          ran.push(payload.text);
          await new Promise((resolve) => setTimeout(resolve, 3_000));
          return undefined;
        },
        { deadlineMarginMs: 4_000, recordConcurrency: 1 },
      );
      const records = ['a', 'b', 'c', 'd'].map((text) =>
        jobRecord(note, { text }, { envelope: { attempt: 2 } }),
      );

      // Act
      const pending = handler(sqsEvent(...records), fakeContext(10_000));
      await vi.advanceTimersByTimeAsync(10_000);
      const result = await pending;

      // Assess: a ran 0–3 s, b 3–6 s; at 6 s the signal fired, so c and d never started.
      expect(ran).toEqual(['a', 'b']);
      expect(result).toEqual({ batchItemFailures: [] });
      const handedBack = sends();
      expect(handedBack.map((s) => [s.QueueUrl, s.DelaySeconds])).toEqual([
        [QUEUE.url, WORKER_RULES.handBackDelaySeconds],
        [QUEUE.url, WORKER_RULES.handBackDelaySeconds],
      ]);
      // The copies carry the same attempt: a hand-back is not an attempt.
      expect(handedBack.map((s) => decodeEnvelope(s.MessageBody ?? '').attempt)).toEqual([2, 2]);
      expect(handedBack.map((s) => s.MessageBody)).toEqual([records[2]?.body, records[3]?.body]);
    });

    it('returns before the hard deadline when a handler ignores its signal, keeping that record', async () => {
      // Prepare
      vi.useFakeTimers();
      const handler = worker(() => new Promise<undefined>(() => undefined), { deadlineMarginMs: 3_000 });
      const record = jobRecord(note, { text: 'stuck' });
      let returnedAt = -1;
      const start = Date.now();

      // Act
      const pending = handler(sqsEvent(record), fakeContext(10_000)).then((r) => {
        returnedAt = Date.now() - start;
        return r;
      });
      await vi.advanceTimersByTimeAsync(10_000);
      const result = await pending;

      // Assess
      expect(returnedAt).toBe(10_000 - WORKER_RULES.hardStopReserveMs);
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    });

    it('hands back, at the hard stop, the records waiting behind one that ignored it, and does nothing once it has answered', async () => {
      // Prepare: one record at a time; the first ignores its signal and finishes long after the hard stop.
      vi.useFakeTimers();
      const ran: string[] = [];
      const handler = worker(
        async (payload) => {
          ran.push(payload.text);
          if (payload.text === 'stuck') await new Promise((resolve) => setTimeout(resolve, 20_000));
          return undefined;
        },
        { deadlineMarginMs: 3_000, recordConcurrency: 1 },
      );
      const [stuck, waiting] = [jobRecord(note, { text: 'stuck' }), jobRecord(note, { text: 'waiting' })];

      // Act: answer at the hard stop (9 s), then let the stuck handler finish.
      const pending = handler(sqsEvent(stuck, waiting), fakeContext(10_000));
      await vi.advanceTimersByTimeAsync(10_000);
      const result = await pending;
      await vi.advanceTimersByTimeAsync(20_000);

      // Assess: the stuck one reported unfinished (its attempt did start); the waiting one handed back
      // as a fresh copy before the answer, so no attempt is spent on it, and nothing ran afterwards.
      expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([stuck.messageId]);
      expect(ran).toEqual(['stuck']);
      expect(sends()).toEqual([
        {
          QueueUrl: QUEUE.url,
          MessageBody: waiting.body,
          DelaySeconds: WORKER_RULES.handBackDelaySeconds,
          MessageAttributes: {
            [DELIVERY_ATTRIBUTES.origin]: { DataType: 'String', StringValue: waiting.messageId },
          },
        },
      ]);
    });

    it('gives every invocation a fresh signal', async () => {
      vi.useFakeTimers();
      const signals: AbortSignal[] = [];
      const handler = worker(async (_p, context) => {
        signals.push(context.signal);
        return undefined;
      });

      await handler(sqsEvent(jobRecord(note, { text: 'a' })), fakeContext(5_000));
      await vi.advanceTimersByTimeAsync(10_000);
      await handler(sqsEvent(jobRecord(note, { text: 'b' })), fakeContext(5_000));

      expect(signals).toHaveLength(2);
      expect(signals[0]).not.toBe(signals[1]);
      expect(signals[1]?.aborted).toBe(false);
    });
  });

  describe('concurrency', () => {
    it('runs at most recordConcurrency records at once', async () => {
      vi.useFakeTimers();
      let running = 0;
      let peak = 0;
      const handler = worker(
        async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 100));
          running -= 1;
          return undefined;
        },
        { recordConcurrency: 3 },
      );
      const records = Array.from({ length: 10 }, (_, i) => jobRecord(note, { text: `n${i}` }));

      const pending = handler(sqsEvent(...records), fakeContext(30_000));
      await vi.advanceTimersByTimeAsync(1_000);

      expect(await pending).toEqual({ batchItemFailures: [] });
      expect(peak).toBe(3);
    });
    it('runs a message that a batch repeats once, sharing its fate, when records run one at a time', async () => {
      const handler = vi.fn<NoteHandler>(async () => undefined);
      const record = jobRecord(note, { text: 'twice' });

      const result = await worker(handler, { recordConcurrency: 1 })(
        sqsEvent(record, jobRecord(note, { text: 'other' }), record),
        fakeContext(30_000),
      );

      expect(handler.mock.calls.map((c) => c[0])).toEqual([{ text: 'twice' }, { text: 'other' }]);
      expect(result).toEqual({ batchItemFailures: [] });
    });
  });

  describe('on FIFO queues', () => {
    it('runs each group in order and hands back the rest of a group after a failure', async () => {
      // Prepare: group A = a1 (fails), a2, a3; group B = b1, b2.
      const ran: string[] = [];
      const handler = fifoWorker(async (payload) => {
        ran.push(payload.orderId);
        if (payload.orderId === 'a1') throw new Error('a1 failed');
        return undefined;
      });
      const rec = (orderId: string, group: string) =>
        jobRecord(order, { orderId, customerId: group }, { groupId: group });
      const [a1, b1, a2, b2, a3] = [
        rec('a1', 'A'),
        rec('b1', 'B'),
        rec('a2', 'A'),
        rec('b2', 'B'),
        rec('a3', 'A'),
      ];

      // Act
      const result = await handler(sqsEvent(a1, b1, a2, b2, a3), fakeContext(30_000));

      // Assess
      expect(ran.filter((id) => id.startsWith('a'))).toEqual(['a1']);
      expect(ran.filter((id) => id.startsWith('b'))).toEqual(['b1', 'b2']);
      expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
        a1.messageId,
        a2.messageId,
        a3.messageId,
      ]);
      // The failed record backs off on its own visibility (FIFO has no per-message delay); the
      // rest of its group is handed back at once, keeping their order.
      expect(visibilityChanges()).toEqual([
        { QueueUrl: FIFO_QUEUE.url, ReceiptHandle: a1.receiptHandle, VisibilityTimeout: 8 },
        {
          QueueUrl: FIFO_QUEUE.url,
          ReceiptHandle: a2.receiptHandle,
          VisibilityTimeout: WORKER_RULES.handBackDelaySeconds,
        },
        {
          QueueUrl: FIFO_QUEUE.url,
          ReceiptHandle: a3.receiptHandle,
          VisibilityTimeout: WORKER_RULES.handBackDelaySeconds,
        },
      ]);
      expect(sends()).toEqual([]);
    });

    it('dead-letters into the FIFO DLQ with the group and a deduplication id', async () => {
      const handler = fifoWorker(async () => {
        throw new PermanentJobError('bad order');
      });
      const record = jobRecord(order, { orderId: 'o', customerId: 'C' }, { groupId: 'C' });

      await handler(sqsEvent(record), fakeContext(30_000));

      expect(sends()[0]).toMatchObject({
        QueueUrl: FIFO_QUEUE.dlqUrl,
        MessageGroupId: 'C',
        MessageDeduplicationId: record.messageId,
      });
    });
  });

  describe('Method: continueWith', () => {
    it('enqueues the rest of the work under the same job id with the next continuation', async () => {
      const handler = worker(async (payload, context) => {
        await context.continueWith({ text: `${payload.text}+` }, { delaySeconds: 5 });
        return undefined;
      });
      const record = jobRecord(
        note,
        { text: 'page1' },
        { envelope: { jobId: 'job-c', continuation: 2, attempt: 2, correlationId: 'corr' } },
      );

      const result = await handler(sqsEvent(record), fakeContext(30_000));

      expect(result).toEqual({ batchItemFailures: [] });
      expect(sends()).toHaveLength(1);
      expect(sends()[0]).toMatchObject({ QueueUrl: QUEUE.url, DelaySeconds: 5 });
      expect(decodeEnvelope(sends()[0]?.MessageBody ?? '')).toMatchObject({
        jobId: 'job-c',
        continuation: 3,
        attempt: 1,
        correlationId: 'corr',
        payload: { text: 'page1+' },
      });
    });

    it('gives FIFO continuations their group and a deduplication id of job and sequence', async () => {
      const handler = fifoWorker(async (payload, context) => {
        await context.continueWith({ ...payload, orderId: 'next' });
        return undefined;
      });
      await handler(
        sqsEvent(
          jobRecord(order, { orderId: 'o', customerId: 'C' }, { groupId: 'C', envelope: { jobId: 'J' } }),
        ),
        fakeContext(30_000),
      );
      expect(sends()[0]).toMatchObject({
        QueueUrl: FIFO_QUEUE.url,
        MessageGroupId: 'C',
        MessageDeduplicationId: 'J-1-1',
      });
    });
  });

  describe('with a ledger', () => {
    it('claims, runs and records success with the result: two ledger writes', async () => {
      const ledger = fakeLedger();
      const handler = worker(async () => ({ sesMessageId: 'ses-1' }), { ledger });
      const record = jobRecord(note, { text: 'x' }, { envelope: { jobId: 'job-l' } });

      await handler(sqsEvent(record), fakeContext(30_000));

      expect(ledger.claim).toHaveBeenCalledWith({
        jobId: 'job-l',
        jobName: 'test.note',
        attempt: 1,
        continuation: 0,
        enqueuedAt: '2026-11-23T10:00:00.000Z',
        messageId: record.messageId,
        leaseMs: note.timeoutSeconds * 1000 + WORKER_RULES.leaseSlackMs,
        takeoverAfterMs: visibilityTimeoutSeconds(note) * 1000,
        redriven: false,
      });
      expect(ledger.succeed).toHaveBeenCalledWith(expect.objectContaining({ jobId: 'job-l' }), 'tok-1', {
        sesMessageId: 'ses-1',
      });
      const writes = Object.values(ledger).reduce((n, fn) => n + fn.mock.calls.length, 0);
      expect(writes).toBe(2);
    });

    it.each([
      { claim: { outcome: 'done', status: 'succeeded' } as const },
      { claim: { outcome: 'cancelled' } as const },
    ])('drops a message whose job is $claim.outcome without running it', async ({ claim }) => {
      const ledger = fakeLedger(claim);
      const handler = vi.fn<NoteHandler>(async () => undefined);

      const result = await worker(handler, { ledger })(
        sqsEvent(jobRecord(note, { text: 'x' })),
        fakeContext(30_000),
      );

      expect(result).toEqual({ batchItemFailures: [] });
      expect(handler).not.toHaveBeenCalled();
      expect(sqsMock.calls()).toHaveLength(0);
    });

    it('hands back a duplicate whose job another delivery holds, until the lease ends', async () => {
      const ledger = fakeLedger({ outcome: 'busy', retryAfterMs: 12_400 });
      const handler = vi.fn<NoteHandler>(async () => undefined);
      const record = jobRecord(note, { text: 'x' });

      await worker(handler, { ledger })(sqsEvent(record), fakeContext(30_000));

      expect(handler).not.toHaveBeenCalled();
      expect(sends()).toEqual([
        {
          QueueUrl: QUEUE.url,
          MessageBody: record.body,
          DelaySeconds: 13,
          MessageAttributes: {
            [DELIVERY_ATTRIBUTES.origin]: { DataType: 'String', StringValue: record.messageId },
          },
        },
      ]);
    });

    it('records retrying and dead with the error', async () => {
      const ledger = fakeLedger();
      const handler = worker(
        async () => {
          throw new RetryableJobError('busy', { code: 'THROTTLED' });
        },
        { ledger },
      );

      await handler(sqsEvent(jobRecord(note, { text: 'x' })), fakeContext(30_000));
      await handler(
        sqsEvent(jobRecord(note, { text: 'x' }, { envelope: { attempt: 3 } })),
        fakeContext(30_000),
      );

      expect(ledger.fail.mock.calls.map((c) => [c[2].status, c[2].errorCode, c[2].errorMessage])).toEqual([
        ['retrying', 'THROTTLED', 'busy'],
        ['dead', 'THROTTLED', 'busy'],
      ]);
      expect(ledger.fail.mock.calls[0]?.[2].retryAt).toEqual(expect.any(String));
    });

    it('records a continuation instead of success', async () => {
      const ledger = fakeLedger();
      const handler = worker(
        async (_p, context) => {
          await context.progress({ pages: 2 });
          await context.continueWith({ text: 'more' });
          return undefined;
        },
        { ledger },
      );

      await handler(
        sqsEvent(jobRecord(note, { text: 'x' }, { envelope: { continuation: 4 } })),
        fakeContext(30_000),
      );

      expect(ledger.progress).toHaveBeenCalledWith(expect.anything(), 'tok-1', { pages: 2 });
      expect(ledger.continued).toHaveBeenCalledWith(expect.anything(), 'tok-1', 5);
      expect(ledger.succeed).not.toHaveBeenCalled();
    });

    it('records a bad payload of a known job as dead on arrival', async () => {
      const ledger = fakeLedger();
      await worker(async () => undefined, { ledger })(
        sqsEvent(jobRecord(note, { text: 42 }, { envelope: { jobId: 'job-doa' } })),
        fakeContext(30_000),
      );
      expect(ledger.claim).not.toHaveBeenCalled();
      expect(ledger.deadOnArrival).toHaveBeenCalledWith(expect.objectContaining({ jobId: 'job-doa' }), {
        errorCode: 'VALIDATION_FAILED',
        errorMessage:
          'Invalid payload for job "test.note": payload.text: Invalid input: expected string, received number',
      });
    });
  });

  describe('metrics', () => {
    it("writes one EMF line per invocation: outcome counts and each record's duration", async () => {
      // Prepare: one success, one retry, one permanent failure, and one record left after the margin.
      vi.useFakeTimers({ now: new Date('2026-11-23T12:00:00.000Z') });
      vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
      vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'hangar-dev-test');
      const lines: string[] = [];
      const handler = worker(
        async (payload) => {
          if (payload.text === 'retry') throw new Error('again');
          if (payload.text === 'dead') throw new PermanentJobError('never');
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          return undefined;
        },
        { writeMetrics: (line) => lines.push(line), recordConcurrency: 1, deadlineMarginMs: 9_500 },
      );
      vi.unstubAllEnvs();
      const records = ['retry', 'dead', 'ok', 'late'].map((text) => jobRecord(note, { text }));

      // Act: the signal fires at 10 − 9.5 = 0.5 s while "ok" runs (0–1 s), so "late" never starts.
      const pending = handler(sqsEvent(...records), fakeContext(10_000));
      await vi.advanceTimersByTimeAsync(10_000);
      await pending;

      // Assess
      expect(lines).toHaveLength(1);
      const emf = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
      expect(emf).toEqual({
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: METRICS_NAMESPACE,
              Dimensions: [['service', 'jobName']],
              Metrics: expect.arrayContaining([
                { Name: METRIC_NAMES.retried, Unit: 'Count' },
                { Name: METRIC_NAMES.deadLettered, Unit: 'Count' },
                { Name: METRIC_NAMES.succeeded, Unit: 'Count' },
                { Name: METRIC_NAMES.handedBack, Unit: 'Count' },
                { Name: METRIC_NAMES.duration, Unit: 'Milliseconds' },
              ]),
            },
          ],
        },
        service: 'hangar-dev-test',
        jobName: 'test.note',
        [METRIC_NAMES.retried]: 1,
        [METRIC_NAMES.deadLettered]: 1,
        [METRIC_NAMES.succeeded]: 1,
        [METRIC_NAMES.handedBack]: 1,
        [METRIC_NAMES.duration]: [0, 0, 1_000],
      });
    });

    it('writes nothing when metrics are disabled', async () => {
      const lines: string[] = [];
      await worker(async () => undefined, { writeMetrics: (line) => lines.push(line) })(
        sqsEvent(jobRecord(note, { text: 'x' })),
        fakeContext(30_000),
      );
      expect(lines).toEqual([]);
    });
  });

  describe('logging', () => {
    it('logs job id, name and attempt but never the payload', async () => {
      // Prepare
      const lines: string[] = [];
      const capture = (chunk: unknown) => {
        lines.push(String(chunk));
        return true;
      };
      const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
      const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
      const logger = new Logger({ serviceName: 'test', logLevel: 'DEBUG' });
      const handler = worker(
        async (_p, context) => {
          context.logger.info('working');
          throw new Error('boom');
        },
        { logger },
      );

      // Act
      try {
        await handler(
          sqsEvent(jobRecord(note, { text: 'secret@example.com' }, { envelope: { jobId: 'job-log' } })),
          fakeContext(30_000),
        );
      } finally {
        out.mockRestore();
        err.mockRestore();
      }

      // Assess
      const output = lines.join('');
      expect(output).not.toContain('secret@example.com');
      expect(output).toContain('Attempt failed; retrying');
      const working = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.message === 'working');
      expect(working).toMatchObject({ jobId: 'job-log', jobName: 'test.note', attempt: 1 });
    });
  });

  describe('log lines of its own', () => {
    it('names a failed hand-back, visibility change and metrics write by WORKER_LOG_MESSAGES', async () => {
      // Prepare: a duplicate to hand back, while SQS and the metrics sink both fail.
      sqsMock.on(SendMessageCommand).rejects(new Error('throttled'));
      sqsMock.on(ChangeMessageVisibilityCommand).rejects(new Error('throttled'));
      vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
      const handler = worker(async () => undefined, {
        ledger: fakeLedger({ outcome: 'busy', retryAfterMs: 12_400 }),
        logger: new Logger({ serviceName: 'test', logLevel: 'WARN' }),
        writeMetrics: () => {
          throw new Error('stdout closed');
        },
      });
      vi.unstubAllEnvs();
      const record = jobRecord(note, { text: 'x' });
      const logs = captureLogs();

      // Act
      let result: Awaited<ReturnType<typeof handler>>;
      try {
        result = await handler(sqsEvent(record), fakeContext(30_000));
      } finally {
        logs.restore();
      }

      // Assess: the record stays on the queue, and each failure says what failed.
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
      expect(logs.entries().map(({ message, messageId, error }) => ({ message, messageId, error }))).toEqual([
        {
          message: WORKER_LOG_MESSAGES.handBackResendFailed,
          messageId: record.messageId,
          error: 'throttled',
        },
        {
          message: WORKER_LOG_MESSAGES.visibilityChangeFailed,
          messageId: record.messageId,
          error: 'throttled',
        },
        { message: WORKER_LOG_MESSAGES.metricsFailed, messageId: undefined, error: 'stdout closed' },
      ]);
    });

    it('names a failed delete of a re-sent record by WORKER_LOG_MESSAGES', async () => {
      // Prepare
      sqsMock.on(DeleteMessageCommand).rejects(new Error('throttled'));
      const handler = worker(
        async () => {
          throw new Error('again');
        },
        { logger: new Logger({ serviceName: 'test', logLevel: 'WARN' }) },
      );
      const record = jobRecord(note, { text: 'x' });
      const logs = captureLogs();

      // Act
      try {
        await handler(sqsEvent(record), fakeContext(30_000));
      } finally {
        logs.restore();
      }

      // Assess
      expect(logs.entries().map(({ message, messageId }) => ({ message, messageId }))).toEqual([
        { message: WORKER_LOG_MESSAGES.retrying, messageId: undefined },
        { message: WORKER_LOG_MESSAGES.deleteFailed, messageId: record.messageId },
      ]);
    });
  });

  describe('configuration', () => {
    it('fails the cold start naming the missing variables', () => {
      expect(() =>
        createWorker({
          jobs: [handle(note, async () => undefined)],
          ledger: fakeLedger(),
          sqs: new SQSClient({}),
        }),
      ).toThrow('Invalid environment: HANGAR_QUEUE_URL is not set; HANGAR_DLQ_URL is not set');
    });

    it('fails the cold start naming each job that uses the ledger when the worker has none', () => {
      // Prepare
      const unrecorded = noteJob({ name: 'test.unrecorded' });
      const create = () =>
        createWorker({
          jobs: [handle(note, async () => undefined), handle(unrecorded, async () => undefined)],
          queue: QUEUE,
          sqs: new SQSClient({}),
        });

      // Act
      let error: unknown;
      try {
        create();
      } catch (caught) {
        error = caught;
      }

      // Assess
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toBe(
        'Jobs "test.note", "test.unrecorded" use the ledger (useLedger, the default) but createWorker was given no ledger: pass { ledger } (ledgerFromEnv() in functions/shared/ builds one), or declare useLedger: false',
      );
    });

    it('starts without a ledger when no job uses it', () => {
      expect(
        typeof createWorker({
          jobs: [handle(noteJob({ useLedger: false }), async () => undefined)],
          queue: QUEUE,
          sqs: new SQSClient({}),
        }),
      ).toBe('function');
    });

    it('rejects a job bound twice', () => {
      const binding = handle(note, async () => undefined);
      expect(() => createWorker({ jobs: [binding, binding], queue: QUEUE })).toThrow(
        'Job "test.note" is bound twice',
      );
    });
  });

  it('never throws, even for a record whose body is not a string', async () => {
    const record = sqsRecord('x');
    const broken = { ...record, body: undefined } as unknown as typeof record;
    const result = await worker(async () => undefined)(sqsEvent(broken), fakeContext(30_000));
    expect(result.batchItemFailures).toEqual([]);
    expect(sends()[0]?.QueueUrl).toBe(QUEUE.dlqUrl);
  });
});

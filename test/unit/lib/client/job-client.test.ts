import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import {
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientFromStackOutputs, decodeEnvelope, SQS_LIMITS } from '../../../../lib/deploy/index.js';
import {
  AwsScheduler,
  ConfigError,
  createRegistry,
  EnqueueError,
  JobClient,
  type JobClientOptions,
  JobValidationError,
  PayloadTooLargeError,
  UnknownJobError,
} from '../../../../lib/index.js';
import { registry as builtinRegistry } from '../../../../lib/jobs/builtin/index.js';
import { fifoDeduplicationId } from '../../../../lib/jobs/deduplication.js';
import { noteJob, orderJob } from '../../../helpers/jobs.js';

const sqsMock = mockClient(SQSClient);
const schedulerMock = mockClient(SchedulerClient);

const note = noteJob();
const order = orderJob();
const registry = createRegistry([note, order]);
const NOW = new Date('2026-11-23T10:00:00.000Z');
const queues = {
  'test.note': { url: 'https://sqs.local/0/test-note', arn: 'arn:aws:sqs:eu-west-1:0:test-note' },
  'test.order': {
    url: 'https://sqs.local/0/test-order.fifo',
    arn: 'arn:aws:sqs:eu-west-1:0:test-order.fifo',
  },
};

function makeClient(overrides: Partial<JobClientOptions> = {}) {
  let n = 0;
  const sleeps: number[] = [];
  const client = new JobClient({
    registry,
    queues,
    sqs: new SQSClient({ region: 'eu-west-1' }),
    scheduler: new AwsScheduler({
      groupName: 'hangar-dev',
      roleArn: 'arn:aws:iam::0:role/scheduler',
      client: new SchedulerClient({ region: 'eu-west-1' }),
    }),
    now: () => NOW,
    newJobId: () => `job${String(++n).padStart(3, '0')}`,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return { client, sleeps };
}

/** Answers every SendMessageBatch with success for all its entries. */
function acceptAllBatches() {
  sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
    Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: 'x' })),
    Failed: [],
  }));
}

const batchCalls = () => sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);

describe('Class: JobClient', () => {
  beforeEach(() => {
    sqsMock.reset();
    schedulerMock.reset();
  });
  afterEach(() => {
    sqsMock.reset();
    schedulerMock.reset();
  });

  describe('Method: enqueue', () => {
    it('sends one envelope with SendMessage and returns the job id', async () => {
      // Prepare
      sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
      const { client } = makeClient();

      // Act
      const result = await client.enqueue(
        note,
        { text: 'hello' },
        { correlationId: 'req-1', idempotencyKey: 'k-1' },
      );

      // Assess
      expect(result).toEqual({ jobId: 'job001', status: 'queued' });
      expect(sqsMock).toHaveReceivedCommandTimes(SendMessageCommand, 1);
      const input = sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input;
      expect(input).toEqual({ QueueUrl: queues['test.note'].url, MessageBody: expect.any(String) });
      expect(decodeEnvelope(input?.MessageBody ?? '')).toEqual({
        version: 1,
        jobId: 'job001',
        name: 'test.note',
        payload: { text: 'hello' },
        enqueuedAt: NOW.toISOString(),
        attempt: 1,
        continuation: 0,
        idempotencyKey: 'k-1',
        correlationId: 'req-1',
      });
    });

    it('accepts the job by name', async () => {
      sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
      const { client } = makeClient();
      await expect(client.enqueue('test.note', { text: 'x' })).resolves.toEqual({
        jobId: 'job001',
        status: 'queued',
      });
    });

    it('rejects an invalid payload naming each field, and sends nothing', async () => {
      const { client } = makeClient();
      const act = client.enqueue(note, { text: '', size: 'big' } as never);
      await expect(act).rejects.toThrow(JobValidationError);
      await expect(client.enqueue(note, { text: '', size: 'big' } as never)).rejects.toThrow(
        'Invalid job "test.note": payload.text: Too small: expected string to have >=1 characters; payload.size: Invalid input: expected number, received string',
      );
      expect(sqsMock.calls()).toHaveLength(0);
    });

    it('rejects an unknown job name and bad options', async () => {
      const { client } = makeClient();
      await expect(client.enqueue('nope.job', {})).rejects.toThrow(UnknownJobError);
      await expect(client.enqueue('nope.job', {})).rejects.toThrow(
        'Unknown job "nope.job"; registered jobs: test.note, test.order',
      );
      await expect(client.enqueue(note, { text: 'x' }, { delaySeconds: 5, runAt: NOW })).rejects.toThrow(
        'Invalid job "test.note": runAt: give either delaySeconds or runAt, not both',
      );
      await expect(client.enqueue(note, { text: 'x' }, { delay: 5 } as never)).rejects.toThrow(
        'Invalid job "test.note": delay: is not a known key; did you mean "delaySeconds"?',
      );
      expect(sqsMock.calls()).toHaveLength(0);
    });

    it('rejects a payload over the SQS size limit before sending', async () => {
      const { client } = makeClient();
      const act = client.enqueue(note, { text: 'x'.repeat(SQS_LIMITS.messageBytes) });
      await expect(act).rejects.toThrow(PayloadTooLargeError);
      expect(sqsMock.calls()).toHaveLength(0);
    });

    it('uses DelaySeconds for a short delay', async () => {
      sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
      const { client } = makeClient();

      const result = await client.enqueue(note, { text: 'x' }, { delaySeconds: 900 });

      expect(result).toEqual({ jobId: 'job001', status: 'queued', runAt: '2026-11-23T10:15:00.000Z' });
      expect(sqsMock).toHaveReceivedCommandWith(SendMessageCommand, {
        QueueUrl: queues['test.note'].url,
        DelaySeconds: 900,
      });
      expect(schedulerMock.calls()).toHaveLength(0);
    });

    it('rounds a near run-at up to whole seconds of delay', async () => {
      sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
      const { client } = makeClient();
      await client.enqueue(note, { text: 'x' }, { runAt: '2026-11-23T10:00:10.200Z' });
      expect(sqsMock).toHaveReceivedCommandWith(SendMessageCommand, { DelaySeconds: 11 });
    });

    it('sends a run-at in the past at once', async () => {
      sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
      const { client } = makeClient();
      await expect(client.enqueue(note, { text: 'x' }, { runAt: '2026-01-01T00:00:00Z' })).resolves.toEqual({
        jobId: 'job001',
        status: 'queued',
      });
      expect(sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input.DelaySeconds).toBeUndefined();
    });

    it('turns a long delay into a self-deleting one-time schedule targeting the queue', async () => {
      // Prepare
      schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
      const { client } = makeClient();

      // Act
      const result = await client.enqueue(note, { text: 'later' }, { runAt: '2026-11-24T08:30:00Z' });

      // Assess
      expect(result).toEqual({ jobId: 'job001', status: 'scheduled', runAt: '2026-11-24T08:30:00.000Z' });
      expect(sqsMock.calls()).toHaveLength(0);
      expect(schedulerMock).toHaveReceivedCommandTimes(CreateScheduleCommand, 1);
      const input = schedulerMock.commandCalls(CreateScheduleCommand)[0]?.args[0].input;
      expect(input).toEqual({
        Name: 'job-job001-0',
        GroupName: 'hangar-dev',
        ScheduleExpression: 'at(2026-11-24T08:30:00)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        ClientToken: 'job-job001-0',
        Target: {
          Arn: queues['test.note'].arn,
          RoleArn: 'arn:aws:iam::0:role/scheduler',
          Input: expect.any(String),
          RetryPolicy: { MaximumEventAgeInSeconds: 86_400 },
        },
      });
      expect(decodeEnvelope(input?.Target?.Input ?? '')).toMatchObject({
        jobId: 'job001',
        payload: { text: 'later' },
        runAt: '2026-11-24T08:30:00.000Z',
      });
    });

    it('schedules any delay of a FIFO job, with its message group', async () => {
      schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
      const { client } = makeClient();

      const result = await client.enqueue(order, { orderId: 'o-1', customerId: 'c-9' }, { delaySeconds: 30 });

      expect(result.status).toBe('scheduled');
      expect(schedulerMock).toHaveReceivedCommandWith(CreateScheduleCommand, {
        ScheduleExpression: 'at(2026-11-23T10:00:30)',
        Target: expect.objectContaining({
          Arn: queues['test.order'].arn,
          SqsParameters: { MessageGroupId: 'c-9' },
        }),
      });
      expect(sqsMock.calls()).toHaveLength(0);
    });

    it('fails clearly when a long delay has no scheduler configured', async () => {
      const { client } = makeClient({ scheduler: undefined });
      const error = await client
        .enqueue(note, { text: 'x' }, { delaySeconds: 3600 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EnqueueError);
      expect((error as EnqueueError).message).toBe(
        'JobClient needs a scheduler to run job "test.note" at 2026-11-23T11:00:00.000Z',
      );
      expect((error as EnqueueError).retryable).toBe(false);
    });

    it('sends FIFO jobs with the group key and a deduplication id unique to the send', async () => {
      sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
      const { client } = makeClient();

      await client.enqueue(order, { orderId: 'o-1', customerId: 'c-9' });
      await client.enqueue(order, { orderId: 'o-1', customerId: 'c-9' });

      const inputs = sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
      expect(inputs.map((i) => [i.QueueUrl, i.MessageGroupId, i.MessageDeduplicationId])).toEqual([
        [queues['test.order'].url, 'c-9', 'job001-0-1'],
        [queues['test.order'].url, 'c-9', 'job002-0-1'],
      ]);
    });

    it("derives the FIFO deduplication id from the caller's key, hashed to SQS's alphabet", async () => {
      sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
      const { client } = makeClient();

      await client.enqueue(order, { orderId: 'o-1', customerId: 'c-9' }, { idempotencyKey: 'über key/1' });

      const id = sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageDeduplicationId;
      expect(id).toMatch(/^[0-9a-f]{64}$/);
      // A retry re-send (attempt 2) or a continuation must never reuse it: SQS would drop the message.
      expect(
        fifoDeduplicationId({ jobId: 'job001', continuation: 0, attempt: 2, idempotencyKey: 'über key/1' }),
      ).toBe('job001-0-2');
      expect(
        fifoDeduplicationId({ jobId: 'job001', continuation: 1, attempt: 1, idempotencyKey: 'über key/1' }),
      ).toBe('job001-1-1');
    });

    it('wraps an SQS failure in an EnqueueError that keeps the cause', async () => {
      const cause = new QueueDoesNotExist({ message: 'gone', $metadata: {} });
      sqsMock.on(SendMessageCommand).rejects(cause);
      const { client } = makeClient();

      const error = await client.enqueue(note, { text: 'x' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(EnqueueError);
      expect((error as EnqueueError).message).toBe('Sending job "test.note" to SQS failed: gone');
      expect((error as EnqueueError).cause).toBe(cause);
    });
  });

  describe('Method: enqueueMany', () => {
    it('sends 25 jobs in 3 SendMessageBatch calls of 10, 10 and 5', async () => {
      // Prepare
      acceptAllBatches();
      const { client } = makeClient();
      const payloads = Array.from({ length: 25 }, (_, i) => ({ text: `n${i}` }));

      // Act
      const results = await client.enqueueMany(note, payloads);

      // Assess
      expect(sqsMock).toHaveReceivedCommandTimes(SendMessageBatchCommand, 3);
      const calls = batchCalls();
      expect(calls.map((c) => c.Entries?.length)).toEqual([10, 10, 5]);
      expect(calls.every((c) => c.QueueUrl === queues['test.note'].url)).toBe(true);
      expect(calls.flatMap((c) => c.Entries?.map((e) => e.Id))).toEqual(payloads.map((_, i) => String(i)));
      expect(results).toHaveLength(25);
      expect(results.every((r) => r.ok)).toBe(true);
      expect(results.map((r) => r.index)).toEqual(payloads.map((_, i) => i));
      const bodies = calls.flatMap((c) => c.Entries?.map((e) => decodeEnvelope(e.MessageBody ?? '').payload));
      expect(bodies).toEqual(payloads);
    });

    it('splits batches so no request exceeds 1 MiB', async () => {
      // Prepare: each body is ~300 KiB, so at most 3 fit in one request.
      acceptAllBatches();
      const { client } = makeClient();
      const payloads = Array.from({ length: 7 }, (_, i) => ({ text: `${i}${'x'.repeat(300 * 1024)}` }));

      // Act
      const results = await client.enqueueMany(note, payloads);

      // Assess
      const calls = batchCalls();
      expect(calls.map((c) => c.Entries?.length)).toEqual([3, 3, 1]);
      for (const call of calls) {
        const bytes = (call.Entries ?? []).reduce(
          (sum, e) => sum + Buffer.byteLength(e.MessageBody ?? ''),
          0,
        );
        expect(bytes).toBeLessThanOrEqual(SQS_LIMITS.messageBytes);
      }
      expect(results.filter((r) => r.ok)).toHaveLength(7);
    });

    it('retries only the entries SQS reports as failed and retryable, with backoff', async () => {
      // Prepare: first call fails entry 1 (retryable) and entry 2 (sender fault); the retry succeeds.
      sqsMock
        .on(SendMessageBatchCommand)
        .resolvesOnce({
          Successful: [{ Id: '0', MessageId: 'm0', MD5OfMessageBody: 'x' }],
          Failed: [
            { Id: '1', SenderFault: false, Code: 'InternalError', Message: 'try again' },
            { Id: '2', SenderFault: true, Code: 'InvalidParameterValue', Message: 'bad attribute' },
          ],
        })
        .resolvesOnce({ Successful: [{ Id: '1', MessageId: 'm1', MD5OfMessageBody: 'x' }], Failed: [] });
      const { client, sleeps } = makeClient();

      // Act
      const results = await client.enqueueMany(note, [{ text: 'a' }, { text: 'b' }, { text: 'c' }]);

      // Assess
      const calls = batchCalls();
      expect(calls.map((c) => c.Entries?.map((e) => e.Id))).toEqual([['0', '1', '2'], ['1']]);
      expect(calls[1]?.Entries?.[0]?.MessageBody).toBe(calls[0]?.Entries?.[1]?.MessageBody);
      expect(sleeps).toHaveLength(1);
      expect(sleeps[0]).toBeGreaterThanOrEqual(50);
      expect(sleeps[0]).toBeLessThanOrEqual(100);
      expect(results.map((r) => (r.ok ? r.jobId : r.error.message))).toEqual([
        'job001',
        'job002',
        'SQS rejected job "test.note" (InvalidParameterValue: bad attribute) after 1 attempt(s)',
      ]);
      expect(results[2]).toMatchObject({ ok: false, error: { name: 'EnqueueError', retryable: false } });
    });

    it('gives up on a retryable entry after maxSendAttempts and reports it', async () => {
      sqsMock.on(SendMessageBatchCommand).resolves({
        Successful: [],
        Failed: [{ Id: '0', SenderFault: false, Code: 'ServiceUnavailable', Message: 'busy' }],
      });
      const { client, sleeps } = makeClient({ maxSendAttempts: 3 });

      const [result] = await client.enqueueMany(note, [{ text: 'a' }]);

      expect(sqsMock).toHaveReceivedCommandTimes(SendMessageBatchCommand, 3);
      expect(sleeps).toHaveLength(2);
      expect(result).toMatchObject({
        ok: false,
        error: {
          message: 'SQS rejected job "test.note" (ServiceUnavailable: busy) after 3 attempt(s)',
          retryable: true,
        },
      });
    });

    it('reports an entry SQS answered neither way instead of dropping it', async () => {
      sqsMock
        .on(SendMessageBatchCommand)
        .resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: 'x' }], Failed: [] });
      const { client } = makeClient();
      const results = await client.enqueueMany(note, [{ text: 'a' }, { text: 'b' }]);
      expect(results.map((r) => r.ok)).toEqual([true, false]);
      expect(results[1]).toMatchObject({ error: { message: 'SQS reported no outcome for job "test.note"' } });
    });

    it('validates every payload first and sends nothing when one is bad', async () => {
      const { client } = makeClient();

      const error = await client
        .enqueueMany(note, [{ text: 'ok' }, { text: '' }, { text: 'ok' }, { nope: 1 } as never])
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(JobValidationError);
      expect((error as JobValidationError).issues).toEqual([
        { path: '[1].payload.text', message: 'Too small: expected string to have >=1 characters' },
        { path: '[3].payload.text', message: 'Invalid input: expected string, received undefined' },
        { path: '[3].payload.nope', message: 'is not a known key (known: text, size)' },
      ]);
      expect(sqsMock.calls()).toHaveLength(0);
    });

    it('gives each FIFO entry its group and a distinct deduplication id', async () => {
      acceptAllBatches();
      const { client } = makeClient();

      await client.enqueueMany(order, [
        { orderId: 'a', customerId: 'c1' },
        { orderId: 'a', customerId: 'c1' },
        { orderId: 'b', customerId: 'c2' },
      ]);

      const entries = batchCalls()[0]?.Entries ?? [];
      expect(entries.map((e) => [e.MessageGroupId, e.MessageDeduplicationId])).toEqual([
        ['c1', 'job001-0-1'],
        ['c1', 'job002-0-1'],
        ['c2', 'job003-0-1'],
      ]);
    });

    it('schedules the long delays and batches the rest', async () => {
      acceptAllBatches();
      schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
      const { client } = makeClient();

      const results = await client.enqueueMany(note, [{ text: 'a' }, { text: 'b' }], { delaySeconds: 7200 });

      expect(results.map((r) => r.ok && r.status)).toEqual(['scheduled', 'scheduled']);
      expect(schedulerMock).toHaveReceivedCommandTimes(CreateScheduleCommand, 2);
      expect(sqsMock.calls()).toHaveLength(0);
    });
  });

  describe('Method: enqueueEach', () => {
    it('reports invalid requests per item and still sends the valid ones', async () => {
      acceptAllBatches();
      const { client } = makeClient();

      const results = await client.enqueueEach([
        { job: 'test.note', payload: { text: 'a' } },
        { job: 'nope.job', payload: {} },
        { job: 'test.order', payload: { orderId: 'o', customerId: 'c' } },
        { job: 'test.note', payload: { text: 1 } },
      ]);

      expect(results.map((r) => [r.index, r.ok])).toEqual([
        [0, true],
        [1, false],
        [2, true],
        [3, false],
      ]);
      expect(results[1]).toMatchObject({
        error: { name: 'UnknownJobError', code: 'UNKNOWN_JOB', jobName: 'nope.job' },
      });
      expect(batchCalls().map((c) => c.QueueUrl)).toEqual([
        queues['test.note'].url,
        queues['test.order'].url,
      ]);
    });
  });

  describe('Method: validate', () => {
    it('returns undefined for a request enqueue would send, and sends nothing', () => {
      const { client } = makeClient();

      const problem = client.validate({ job: 'test.note', payload: { text: 'a' }, delaySeconds: 5 });

      expect(problem).toBeUndefined();
      expect(sqsMock.calls()).toHaveLength(0);
    });

    it('returns the error that would stop the request', () => {
      const { client } = makeClient();

      const unknown = client.validate({ job: 'nope.job', payload: {} });
      const invalid = client.validate({ job: 'test.note', payload: { text: '' }, jobId: 'bad id' });
      const tooLarge = client.validate({
        job: 'test.note',
        payload: { text: 'x'.repeat(SQS_LIMITS.messageBytes) },
      });

      expect(unknown).toEqual(new UnknownJobError('nope.job', ['test.note', 'test.order']));
      expect(invalid).toBeInstanceOf(JobValidationError);
      expect(invalid?.message).toBe(
        'Invalid job "test.note": jobId: must be 1–64 letters, digits, "-" or "_"; payload.text: Too small: expected string to have >=1 characters',
      );
      expect(tooLarge).toBeInstanceOf(PayloadTooLargeError);
      expect(sqsMock.calls()).toHaveLength(0);
    });
  });

  describe('Option: jobId', () => {
    it('sends the job under the id the caller reserved', async () => {
      sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
      const { client } = makeClient();

      const result = await client.enqueue(note, { text: 'x' }, { jobId: '01KAPRESERVED0000000000000' });

      expect(result).toEqual({ jobId: '01KAPRESERVED0000000000000', status: 'queued' });
      const body = sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody ?? '';
      expect(decodeEnvelope(body).jobId).toBe('01KAPRESERVED0000000000000');
    });

    it('cannot name several jobs of one enqueueMany', async () => {
      const { client } = makeClient();
      await expect(
        client.enqueueMany(note, [{ text: 'a' }, { text: 'b' }], { jobId: 'same' }),
      ).rejects.toThrow(
        new JobValidationError(
          '1 problem(s) in the batch; nothing was sent: jobId: one job id cannot name several jobs; use enqueueEach',
          [{ path: 'jobId', message: 'one job id cannot name several jobs; use enqueueEach' }],
        ),
      );
      expect(sqsMock.calls()).toHaveLength(0);
    });
  });

  describe('Method: cancel', () => {
    it('deletes the one-time schedule of the job', async () => {
      schedulerMock.on(DeleteScheduleCommand).resolves({});
      const { client } = makeClient();

      await expect(client.cancel('job001')).resolves.toBe(true);

      expect(schedulerMock).toHaveReceivedCommandWith(DeleteScheduleCommand, {
        Name: 'job-job001-0',
        GroupName: 'hangar-dev',
      });
    });

    it('returns false when the schedule no longer exists', async () => {
      schedulerMock
        .on(DeleteScheduleCommand)
        .rejects(
          new ResourceNotFoundException({ message: 'not found', Message: 'not found', $metadata: {} }),
        );
      const { client } = makeClient();
      await expect(client.cancel('job001')).resolves.toBe(false);
    });

    it('needs a scheduler', async () => {
      const { client } = makeClient({ scheduler: undefined });
      await expect(client.cancel('job001')).rejects.toThrow(
        new ConfigError('JobClient needs a scheduler to cancel'),
      );
    });
  });

  describe('Method: queueOf', () => {
    it('looks up an unconfigured queue by its derived name once', async () => {
      sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: 'http://127.0.0.1:4566/000000000000/email-send' });
      const client = new JobClient({
        registry: builtinRegistry,
        sqs: new SQSClient({ region: 'us-east-1' }),
      });

      await client.queueOf('email.send');
      await expect(client.queueOf('email.send')).resolves.toEqual({
        url: 'http://127.0.0.1:4566/000000000000/email-send',
      });

      expect(sqsMock).toHaveReceivedCommandTimes(GetQueueUrlCommand, 1);
      expect(sqsMock).toHaveReceivedCommandWith(GetQueueUrlCommand, { QueueName: 'email-send' });
    });

    it('names the queue it could not find', async () => {
      sqsMock.on(GetQueueUrlCommand).rejects(new QueueDoesNotExist({ message: 'no', $metadata: {} }));
      const client = new JobClient({
        registry: builtinRegistry,
        sqs: new SQSClient({ region: 'us-east-1' }),
      });
      await expect(client.queueOf('sync.run')).rejects.toThrow(
        new ConfigError('Queue "sync-run.fifo" of job "sync.run" was not found; configure its URL'),
      );
    });
  });

  describe('Configuration', () => {
    it('rejects unknown options and queues of unknown jobs', () => {
      expect(() => new JobClient({ registry, queue: {} } as never)).toThrow(
        new ConfigError('Invalid JobClient options: queue: is not a known key; did you mean "queues"?'),
      );
      expect(() => new JobClient({ registry, queues: { 'nope.job': { url: 'x' } } })).toThrow(
        'Unknown job "nope.job"',
      );
    });

    it('builds from stack outputs', async () => {
      // Prepare
      sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm' });
      schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
      const outputs = [
        { OutputKey: 'TestNoteQueueUrl', OutputValue: 'https://sqs/note' },
        { OutputKey: 'TestNoteQueueArn', OutputValue: 'arn:note' },
        { OutputKey: 'TestNoteDlqArn', OutputValue: 'arn:note-dlq' },
        { OutputKey: 'TestOrderQueueUrl', OutputValue: 'https://sqs/order.fifo' },
        { OutputKey: 'TestOrderQueueArn', OutputValue: 'arn:order.fifo' },
        { OutputKey: 'TestOrderDlqArn', OutputValue: 'arn:order-dlq.fifo' },
        { OutputKey: 'ScheduleGroupName', OutputValue: 'hangar-prod' },
        { OutputKey: 'SchedulerRoleArn', OutputValue: 'arn:role' },
      ];
      const client = clientFromStackOutputs(outputs, {
        registry,
        sqs: new SQSClient({ region: 'eu-west-1' }),
        schedulerClient: new SchedulerClient({ region: 'eu-west-1' }),
      });

      // Act
      await client.enqueue(note, { text: 'x' });
      await client.enqueue(note, { text: 'x' }, { delaySeconds: 3600 });

      // Assess
      expect(sqsMock).toHaveReceivedCommandWith(SendMessageCommand, { QueueUrl: 'https://sqs/note' });
      expect(schedulerMock).toHaveReceivedCommandWith(CreateScheduleCommand, {
        GroupName: 'hangar-prod',
        Target: expect.objectContaining({
          Arn: 'arn:note',
          RoleArn: 'arn:role',
          DeadLetterConfig: { Arn: 'arn:note-dlq' },
        }),
      });
    });

    it('names every missing stack output', () => {
      expect(() => clientFromStackOutputs({ TestNoteQueueUrl: 'u' }, { registry })).toThrow(
        new ConfigError(
          'Stack outputs are missing TestNoteQueueArn, TestNoteDlqArn, TestOrderQueueUrl, TestOrderQueueArn, TestOrderDlqArn, ScheduleGroupName, SchedulerRoleArn (expected per-job keys ending in QueueUrl/QueueArn/DlqUrl/DlqArn)',
        ),
      );
    });
  });
});

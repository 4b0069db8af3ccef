import { DeleteMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import { DELIVERY_ATTRIBUTES, SQS_LIMITS } from '../../../../lib/constants.js';
import { decodeEnvelope } from '../../../../lib/deploy/index.js';
import { ConfigError, ERROR_CODES, type JobDefinition } from '../../../../lib/index.js';
import type { LimitStore } from '../../../../lib/ledger/index.js';
import { LIMIT_RULES } from '../../../../lib/limits/options.js';
import { backoffDelay } from '../../../../lib/retry/backoff.js';
import { createWorker, handle, type JobHandler, type JobLedger } from '../../../../lib/worker/index.js';
import { fakeLedger } from '../../../helpers/fake-ledger.js';
import { noteJob } from '../../../helpers/jobs.js';
import { fakeContext } from '../../../helpers/lambda-context.js';
import { jobRecord, sqsEvent } from '../../../helpers/sqs-records.js';

const sqsMock = mockClient(SQSClient);
const QUEUE = { url: 'https://sqs.local/0/test-note', dlqUrl: 'https://sqs.local/0/test-note-dlq' };
const RANDOM = 0.5;

type FakeStore = { [K in keyof LimitStore]: Mock<LimitStore[K]> };

/** A store whose every method is a spy; by default every limit lets the job through. */
function fakeStore(overrides: Partial<FakeStore> = {}): FakeStore {
  return {
    takeSlot: vi.fn<LimitStore['takeSlot']>(async () => ({ taken: true, slot: 0 })),
    releaseSlot: vi.fn<LimitStore['releaseSlot']>(async () => undefined),
    takeStart: vi.fn<LimitStore['takeStart']>(async () => ({ granted: true, startAt: Date.now() })),
    holdUniqueKey: vi.fn<LimitStore['holdUniqueKey']>(async () => ({ held: true })),
    recordDuplicate: vi.fn<LimitStore['recordDuplicate']>(async () => undefined),
    joinWindow: vi.fn<LimitStore['joinWindow']>(async () => ({ jobId: 'j', opened: true, runAt: 0 })),
    takeWindow: vi.fn<LimitStore['takeWindow']>(async () => ({ state: 'none' })),
    pause: vi.fn<LimitStore['pause']>(async () => undefined),
    ...overrides,
  };
}

const keyed = noteJob({ concurrency: { key: (p) => p.text, limit: 2 } });
const rated = noteJob({ rateLimit: { limit: 1, perSeconds: 3_600 } });
const debounced = noteJob({ debounce: { key: () => 'one', seconds: 5, maxWaitSeconds: 30 } });
const unique = noteJob({ unique: { key: (p) => p.text } });

function run<J extends JobDefinition>(
  job: J,
  handler: JobHandler<J>,
  store: LimitStore,
  ledger: JobLedger,
  record = jobRecord(job, { text: 'tenant-1' }),
) {
  const worker = createWorker({
    jobs: [handle(job, handler)],
    queue: QUEUE,
    sqs: new SQSClient({ region: 'us-east-1' }),
    ledger,
    limits: store,
    random: () => RANDOM,
  });
  return { record, response: worker(sqsEvent(record), fakeContext(30_000)) };
}

const sends = () => sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
const deletes = () => sqsMock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input);

describe('Function: createWorker (declared limits)', () => {
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'sent' });
    sqsMock.on(DeleteMessageCommand).resolves({});
  });

  it('refuses a job with limits at cold start when no limit store is given', () => {
    expect(() =>
      createWorker({ jobs: [handle(keyed, () => undefined)], queue: QUEUE, sqs: new SQSClient({}) }),
    ).toThrow(
      new ConfigError(
        'Job "test.note" declares limits: createWorker needs a limit store (limits: new DynamoLimitStore({ tableName }))',
      ),
    );
  });

  it('never touches the limit store for a job without limits: its ledger writes stay the claim and the success', async () => {
    // Prepare
    const store = fakeStore();
    const ledger = fakeLedger();

    // Act
    const { response } = run(noteJob(), () => undefined, store, ledger);

    // Assess
    expect(await response).toEqual({ batchItemFailures: [] });
    for (const method of Object.values(store)) expect(method).not.toHaveBeenCalled();
    expect(ledger.claim).toHaveBeenCalledTimes(1);
    expect(ledger.succeed).toHaveBeenCalledTimes(1);
  });

  it('runs a job in a slot of its key and gives the slot back after its end is written, also when it fails', async () => {
    // Prepare
    const store = fakeStore();
    const ledger = fakeLedger();

    // Act
    const ok = run(keyed, () => undefined, store, ledger);
    await ok.response;
    const failing = run(
      keyed,
      () => {
        throw new Error('boom');
      },
      store,
      ledger,
    );
    await failing.response;

    // Assess
    expect(store.takeSlot).toHaveBeenCalledWith(
      expect.objectContaining({
        jobName: 'test.note',
        key: 'tenant-1',
        limit: 2,
        holder: ok.record.messageId,
      }),
    );
    expect(store.releaseSlot.mock.calls).toEqual([
      [{ jobName: 'test.note', key: 'tenant-1', holder: ok.record.messageId }, 0],
      [{ jobName: 'test.note', key: 'tenant-1', holder: failing.record.messageId }, 0],
    ]);
    expect(store.releaseSlot.mock.invocationCallOrder[0]).toBeGreaterThan(
      ledger.succeed.mock.invocationCallOrder[0] ?? 0,
    );
  });

  it('defers a job over its concurrency as a fresh copy — same envelope, so no attempt spent — and deletes the original', async () => {
    // Prepare
    const store = fakeStore({
      takeSlot: vi.fn<LimitStore['takeSlot']>(async () => ({ taken: false, freeBy: Date.now() + 60_000 })),
    });
    const ledger = fakeLedger();
    const handler = vi.fn(() => undefined);

    // Act
    const { record, response } = run(keyed, handler, store, ledger);

    // Assess: acknowledged (the copy is the job now), never claimed nor run; the first deferral
    // waits backoff 1 of the slot wait (jitter pinned), and the copy counts one deferral.
    expect(await response).toEqual({ batchItemFailures: [] });
    expect(handler).not.toHaveBeenCalled();
    expect(ledger.claim).not.toHaveBeenCalled();
    const wait = backoffDelay(
      1,
      LIMIT_RULES.slotWaitBaseSeconds,
      LIMIT_RULES.slotWaitMaxSeconds,
      () => RANDOM,
    );
    expect(sends()).toEqual([
      {
        QueueUrl: QUEUE.url,
        MessageBody: record.body,
        DelaySeconds: Math.ceil(wait),
        MessageAttributes: {
          [DELIVERY_ATTRIBUTES.origin]: { DataType: 'String', StringValue: record.messageId },
          [DELIVERY_ATTRIBUTES.deferrals]: { DataType: 'Number', StringValue: '1' },
        },
      },
    ]);
    expect(decodeEnvelope(String(sends()[0]?.MessageBody)).attempt).toBe(1);
    expect(deletes()).toEqual([{ QueueUrl: QUEUE.url, ReceiptHandle: record.receiptHandle }]);
  });

  it('backs off further the more often a job was deferred, up to the largest slot wait, keeping its other attributes', async () => {
    // Prepare: the fifth deferral of a redriven job.
    const store = fakeStore({
      takeSlot: vi.fn<LimitStore['takeSlot']>(async () => ({ taken: false, freeBy: Date.now() + 60_000 })),
    });
    const record = jobRecord(keyed, { text: 'tenant-1' });
    const deferredBefore = {
      ...record,
      messageAttributes: {
        [DELIVERY_ATTRIBUTES.deferrals]: {
          dataType: 'Number',
          stringValue: '4',
          stringListValues: [],
          binaryListValues: [],
        },
        [DELIVERY_ATTRIBUTES.redrivenAt]: {
          dataType: 'String',
          stringValue: '2026-11-29T10:00:00.000Z',
          stringListValues: [],
          binaryListValues: [],
        },
      },
    };

    // Act
    await run(keyed, () => undefined, store, fakeLedger(), deferredBefore).response;

    // Assess
    const wait = backoffDelay(
      5,
      LIMIT_RULES.slotWaitBaseSeconds,
      LIMIT_RULES.slotWaitMaxSeconds,
      () => RANDOM,
    );
    expect(sends()[0]).toMatchObject({
      DelaySeconds: Math.ceil(wait),
      MessageAttributes: {
        [DELIVERY_ATTRIBUTES.deferrals]: { DataType: 'Number', StringValue: '5' },
        [DELIVERY_ATTRIBUTES.redrivenAt]: { DataType: 'String', StringValue: '2026-11-29T10:00:00.000Z' },
      },
    });
  });

  it('defers a wait beyond 900 s by the longest SQS delay: the job comes back then and asks again', async () => {
    // Prepare: the next start is an hour away.
    const store = fakeStore({
      takeStart: vi.fn<LimitStore['takeStart']>(async () => ({ granted: false, deferMs: 3_600_000 })),
    });

    // Act
    const { record, response } = run(rated, () => undefined, store, fakeLedger());

    // Assess
    expect(await response).toEqual({ batchItemFailures: [] });
    expect(sends()).toMatchObject([{ MessageBody: record.body, DelaySeconds: SQS_LIMITS.maxDelaySeconds }]);
  });

  it('gives the slot back when the rate limit defers a job that had one', async () => {
    // Prepare
    const both = noteJob({
      concurrency: { key: (p) => p.text, limit: 2 },
      rateLimit: { limit: 1, perSeconds: 60 },
    });
    const store = fakeStore({
      takeStart: vi.fn<LimitStore['takeStart']>(async () => ({ granted: false, deferMs: 30_000 })),
    });

    // Act
    const { response } = run(both, () => undefined, store, fakeLedger());
    await response;

    // Assess: deferred 30 s plus its jitter (a tenth of the wait at most, here half of that).
    expect(store.releaseSlot).toHaveBeenCalledTimes(1);
    expect(sends()).toMatchObject([{ DelaySeconds: Math.ceil(30 * (1 + 0.1 * RANDOM)) }]);
  });

  it('runs a debounced job with the last payload of its window, which a retry carries on', async () => {
    // Prepare
    const store = fakeStore({
      takeWindow: vi.fn<LimitStore['takeWindow']>(async () => ({
        state: 'started',
        payload: { text: 'last' },
      })),
    });
    const handler = vi.fn<JobHandler<typeof debounced>>(() => {
      throw new Error('try again');
    });

    // Act
    const { response } = run(
      debounced,
      handler,
      store,
      fakeLedger(),
      jobRecord(debounced, { text: 'first' }),
    );
    await response;

    // Assess
    expect(handler.mock.calls[0]?.[0]).toEqual({ text: 'last' });
    expect(decodeEnvelope(String(sends()[0]?.MessageBody))).toMatchObject({
      payload: { text: 'last' },
      attempt: 2,
    });
  });

  it('defers a debounced job whose start is pushed back beyond what it may wait in the invocation', async () => {
    // Prepare
    const store = fakeStore({
      takeWindow: vi.fn<LimitStore['takeWindow']>(async () => ({ state: 'waiting', waitMs: 4_200 })),
    });
    const handler = vi.fn(() => undefined);

    // Act
    const { response } = run(debounced, handler, store, fakeLedger());
    await response;

    // Assess
    expect(handler).not.toHaveBeenCalled();
    expect(sends()).toMatchObject([{ DelaySeconds: 5 }]);
  });

  it('drops a duplicate of a unique job held by another, counting it against that job', async () => {
    // Prepare
    const store = fakeStore({
      holdUniqueKey: vi.fn<LimitStore['holdUniqueKey']>(async () => ({ held: false, jobId: 'job-first' })),
    });
    const ledger = fakeLedger();
    const handler = vi.fn(() => undefined);

    // Act
    const { response } = run(unique, handler, store, ledger);

    // Assess: acknowledged, so the event source deletes it; nothing ran, nothing claimed.
    expect(await response).toEqual({ batchItemFailures: [] });
    expect(handler).not.toHaveBeenCalled();
    expect(ledger.claim).not.toHaveBeenCalled();
    expect(store.recordDuplicate).toHaveBeenCalledWith('test.note', 'tenant-1', 'job-first');
    expect(sends()).toEqual([]);
  });

  it('defers a job whose limit state cannot be read, spending no attempt, and gives back a slot it took', async () => {
    // Prepare: a slot is taken, then the rate limit's table call fails.
    const both = noteJob({
      concurrency: { key: (p) => p.text, limit: 2 },
      rateLimit: { limit: 1, perSeconds: 60 },
    });
    const store = fakeStore({
      takeStart: vi.fn<LimitStore['takeStart']>(async () => {
        throw new Error('ProvisionedThroughputExceededException');
      }),
    });
    const handler = vi.fn(() => undefined);

    // Act
    const { record, response } = run(both, handler, store, fakeLedger());

    // Assess: acknowledged as a fresh copy after the first slot wait; nothing ran.
    expect(await response).toEqual({ batchItemFailures: [] });
    expect(handler).not.toHaveBeenCalled();
    expect(store.releaseSlot).toHaveBeenCalledTimes(1);
    const wait = backoffDelay(
      1,
      LIMIT_RULES.slotWaitBaseSeconds,
      LIMIT_RULES.slotWaitMaxSeconds,
      () => RANDOM,
    );
    expect(sends()).toMatchObject([{ MessageBody: record.body, DelaySeconds: Math.ceil(wait) }]);
  });

  it('dead-letters a job whose key function throws: the declaration’s bug, not a passing fault', async () => {
    // Prepare
    const broken = noteJob({
      concurrency: {
        key: () => {
          throw new Error('no tenant');
        },
        limit: 2,
      },
    });
    const ledger = fakeLedger();

    // Act
    const { response } = run(broken, () => undefined, fakeStore(), ledger);
    await response;

    // Assess
    expect(sends()).toMatchObject([{ QueueUrl: QUEUE.dlqUrl }]);
    expect(ledger.deadOnArrival).toHaveBeenCalledWith(expect.objectContaining({ jobName: 'test.note' }), {
      errorCode: ERROR_CODES.jobDefinition,
      errorMessage: 'concurrency.key threw: no tenant',
    });
  });
});

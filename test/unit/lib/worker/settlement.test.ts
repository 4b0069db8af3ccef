import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES, DELIVERY_ATTRIBUTES } from '../../../../lib/deploy/index.js';
import { PermanentJobError } from '../../../../lib/index.js';
import { ClaimLostError } from '../../../../lib/ledger/index.js';
import {
  type ClaimResult,
  createWorker,
  type DeadOnArrival,
  handle,
  type JobHandler,
  type JobLedger,
  WORKER_RULES,
} from '../../../../lib/worker/index.js';
import { noteJob } from '../../../helpers/jobs.js';
import { fakeContext } from '../../../helpers/lambda-context.js';
import { jobRecord, sqsEvent } from '../../../helpers/sqs-records.js';

const sqsMock = mockClient(SQSClient);
const QUEUE = { url: 'https://sqs.local/0/test-note', dlqUrl: 'https://sqs.local/0/test-note-dlq' };
const note = noteJob({ retry: { maxAttempts: 3, baseDelaySeconds: 10, maxDelaySeconds: 600 } });
type NoteHandler = JobHandler<typeof note>;

/** What an SDK call that failed through all its attempts looks like: a server fault. */
function serverFault(): Error {
  return Object.assign(new Error('We encountered an internal error'), {
    name: 'InternalFailure',
    $fault: 'server',
  });
}

function fakeLedger(claim: ClaimResult = { outcome: 'claimed', token: 'tok-1' }) {
  return {
    claim: vi.fn<JobLedger['claim']>(async () => claim),
    succeed: vi.fn<JobLedger['succeed']>(async () => undefined),
    fail: vi.fn<JobLedger['fail']>(async () => undefined),
    continued: vi.fn<JobLedger['continued']>(async () => undefined),
    progress: vi.fn<JobLedger['progress']>(async () => undefined),
    deadOnArrival: vi.fn<JobLedger['deadOnArrival']>(
      async (): Promise<DeadOnArrival> => ({ outcome: 'recorded' }),
    ),
  } satisfies JobLedger;
}

function worker(handler: NoteHandler, ledger: JobLedger) {
  return createWorker({
    jobs: [handle(note, handler)],
    queue: QUEUE,
    sqs: new SQSClient({ region: 'us-east-1' }),
    ledger,
    random: () => 0.5,
  });
}

/** A record carrying message attributes, as a redrive or a settlement hand-back sends it. */
function withAttributes(record: SQSRecord, attributes: Record<string, string>): SQSRecord {
  return {
    ...record,
    messageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [
        name,
        { dataType: 'String', stringValue: value, stringListValues: [], binaryListValues: [] },
      ]),
    ),
  };
}

const sends = () => sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);

describe('Module: settlement (the worker under AWS faults)', () => {
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'sent-1' });
    sqsMock.on(DeleteMessageCommand).resolves({});
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('tries a failed succeed write again within the invocation', async () => {
    // Prepare
    const ledger = fakeLedger();
    ledger.succeed.mockRejectedValueOnce(serverFault());
    const handler = worker(async () => ({ sesMessageId: 'ses-1' }), ledger);

    // Act
    const result = await handler(sqsEvent(jobRecord(note, { text: 'x' })), fakeContext(30_000));

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(ledger.succeed).toHaveBeenCalledTimes(2);
    expect(sends()).toEqual([]);
  });

  it('keeps the outcome of a job whose end the ledger will not take: the message goes back carrying it', async () => {
    // Prepare
    const ledger = fakeLedger();
    ledger.succeed.mockRejectedValue(serverFault());
    const record = jobRecord(note, { text: 'x' });
    const run = vi.fn<NoteHandler>(async () => ({ sesMessageId: 'ses-1' }));

    // Act
    const result = await worker(run, ledger)(sqsEvent(record), fakeContext(30_000));

    // Assess: every round tried, then the message re-sent with its settlement and the original deleted.
    expect(ledger.succeed).toHaveBeenCalledTimes(WORKER_RULES.settleRounds);
    expect(sends()).toEqual([
      {
        QueueUrl: QUEUE.url,
        MessageBody: record.body,
        MessageAttributes: {
          [DELIVERY_ATTRIBUTES.origin]: { DataType: 'String', StringValue: record.messageId },
          [DELIVERY_ATTRIBUTES.settlement]: {
            DataType: 'String',
            StringValue: JSON.stringify({
              outcome: 'succeeded',
              token: 'tok-1',
              result: { sesMessageId: 'ses-1' },
            }),
          },
        },
      },
    ]);
    expect(sqsMock).toHaveReceivedCommandWith(DeleteMessageCommand, { ReceiptHandle: record.receiptHandle });
    expect(result.batchItemFailures).toEqual([]);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('writes the outcome a delivery carries instead of running the job again', async () => {
    // Prepare
    const ledger = fakeLedger();
    const run = vi.fn<NoteHandler>(async () => undefined);
    const record = withAttributes(jobRecord(note, { text: 'x' }), {
      [DELIVERY_ATTRIBUTES.settlement]: JSON.stringify({
        outcome: 'succeeded',
        token: 'tok-0',
        result: { sesMessageId: 'ses-1' },
      }),
    });

    // Act
    const result = await worker(run, ledger)(sqsEvent(record), fakeContext(30_000));

    // Assess
    expect(run).not.toHaveBeenCalled();
    expect(ledger.claim).not.toHaveBeenCalled();
    expect(ledger.succeed).toHaveBeenCalledWith(
      expect.objectContaining({ jobId: expect.any(String) }),
      'tok-0',
      {
        sesMessageId: 'ses-1',
      },
    );
    expect(result.batchItemFailures).toEqual([]);
  });

  it('drops a carried outcome whose claim was taken over since', async () => {
    // Prepare
    const ledger = fakeLedger();
    ledger.continued.mockRejectedValue(new ClaimLostError('job-1', 'continue'));
    const record = withAttributes(jobRecord(note, { text: 'x' }), {
      [DELIVERY_ATTRIBUTES.settlement]: JSON.stringify({
        outcome: 'continued',
        token: 'tok-0',
        continuation: 1,
      }),
    });

    // Act
    const result = await worker(async () => undefined, ledger)(sqsEvent(record), fakeContext(30_000));

    // Assess
    expect(ledger.continued).toHaveBeenCalledTimes(1);
    expect(sends()).toEqual([]);
    expect(result.batchItemFailures).toEqual([]);
  });

  it('sends a verdict the ledger will not take back with the message, and the next delivery dead-letters it without running', async () => {
    // Prepare: a permanent failure whose dead write keeps failing.
    const ledger = fakeLedger();
    ledger.fail.mockRejectedValue(serverFault());
    const run = vi.fn<NoteHandler>(async () => {
      throw new PermanentJobError('Rejected', { code: 'MESSAGE_REJECTED' });
    });
    const record = jobRecord(note, { text: 'x' });

    // Act
    await worker(run, ledger)(sqsEvent(record), fakeContext(30_000));
    const handedBack = sends()[0];
    const settlement = handedBack?.MessageAttributes?.[DELIVERY_ATTRIBUTES.settlement]?.StringValue ?? '';
    ledger.fail.mockReset().mockResolvedValue(undefined);
    sqsMock.resetHistory();
    const next = withAttributes(jobRecord(note, { text: 'x' }), {
      [DELIVERY_ATTRIBUTES.settlement]: settlement,
    });
    await worker(run, ledger)(sqsEvent(next), fakeContext(30_000));

    // Assess
    expect(JSON.parse(settlement)).toEqual({
      outcome: 'dead',
      token: 'tok-1',
      errorCode: 'MESSAGE_REJECTED',
      errorMessage: 'Rejected',
    });
    expect(run).toHaveBeenCalledTimes(1);
    expect(ledger.fail).toHaveBeenCalledWith(expect.anything(), 'tok-1', {
      status: 'dead',
      errorCode: 'MESSAGE_REJECTED',
      errorMessage: 'Rejected',
    });
    expect(sends()).toEqual([
      expect.objectContaining({
        QueueUrl: QUEUE.dlqUrl,
        MessageAttributes: expect.objectContaining({
          [DEAD_LETTER_ATTRIBUTES.errorCode]: { DataType: 'String', StringValue: 'MESSAGE_REJECTED' },
        }),
      }),
    ]);
  });

  it('dead-letters a dead job delivered again without a redrive, with its recorded reason, and does not run it', async () => {
    // Prepare: its dead-lettering failed before, so the message came back.
    const ledger = fakeLedger({ outcome: 'dead', errorCode: 'MESSAGE_REJECTED', errorMessage: 'Rejected' });
    const run = vi.fn<NoteHandler>(async () => undefined);

    // Act
    const result = await worker(run, ledger)(sqsEvent(jobRecord(note, { text: 'x' })), fakeContext(30_000));

    // Assess
    expect(run).not.toHaveBeenCalled();
    expect(sends()).toEqual([
      expect.objectContaining({
        QueueUrl: QUEUE.dlqUrl,
        MessageAttributes: expect.objectContaining({
          [DEAD_LETTER_ATTRIBUTES.errorCode]: { DataType: 'String', StringValue: 'MESSAGE_REJECTED' },
          [DEAD_LETTER_ATTRIBUTES.errorMessage]: { DataType: 'String', StringValue: 'Rejected' },
        }),
      }),
    ]);
    expect(result.batchItemFailures).toEqual([]);
  });

  it.each([
    [
      "moved back by SQS's move task (the worker's reason attributes on it)",
      DEAD_LETTER_ATTRIBUTES.errorCode,
    ],
    ['sent back by a selective redrive', DELIVERY_ATTRIBUTES.redrivenAt],
  ])('claims a delivery %s as a redrive', async (_case, attribute) => {
    // Prepare
    const ledger = fakeLedger();
    const record = withAttributes(jobRecord(note, { text: 'x' }), { [attribute]: 'x' });

    // Act
    await worker(async () => undefined, ledger)(sqsEvent(record), fakeContext(30_000));

    // Assess
    expect(ledger.claim).toHaveBeenCalledWith(expect.objectContaining({ redriven: true }));
  });

  it('still sends a retry whose ledger write fails', async () => {
    // Prepare
    const ledger = fakeLedger();
    ledger.fail.mockRejectedValue(serverFault());
    const run = vi.fn<NoteHandler>(async () => {
      throw new Error('flaky');
    });

    // Act
    const result = await worker(run, ledger)(sqsEvent(jobRecord(note, { text: 'x' })), fakeContext(30_000));

    // Assess
    expect(sends()).toEqual([expect.objectContaining({ QueueUrl: QUEUE.url, DelaySeconds: 8 })]);
    expect(result.batchItemFailures).toEqual([]);
  });

  it('carries the backoff in the visibility timeout when the retry cannot be re-sent', async () => {
    // Prepare
    sqsMock.on(SendMessageCommand).rejects(serverFault());
    const record = jobRecord(note, { text: 'x' });
    const run = vi.fn<NoteHandler>(async () => {
      throw new Error('flaky');
    });

    // Act
    const result = await worker(run, fakeLedger())(sqsEvent(record), fakeContext(30_000));

    // Assess: the same message returns after the backoff, and its receive count adds the attempt.
    expect(sqsMock).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, {
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: 8,
    });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
  });

  it('sends the end of a job whose ledger write hangs at the hard stop along with its message, and acknowledges it', async () => {
    // Prepare: the job ran; its succeed write never answers.
    vi.useFakeTimers();
    const ledger = fakeLedger();
    ledger.succeed.mockReturnValue(new Promise<void>(() => undefined));
    const record = jobRecord(note, { text: 'x' });
    const handler = worker(async () => ({ sesMessageId: 'ses-1' }), ledger);

    // Act
    const pending = handler(sqsEvent(record), fakeContext(10_000));
    await vi.advanceTimersByTimeAsync(10_000);
    const result = await pending;

    // Assess
    expect(sends()).toEqual([
      expect.objectContaining({
        QueueUrl: QUEUE.url,
        MessageBody: record.body,
        MessageAttributes: {
          [DELIVERY_ATTRIBUTES.origin]: { DataType: 'String', StringValue: record.messageId },
          [DELIVERY_ATTRIBUTES.settlement]: {
            DataType: 'String',
            StringValue: JSON.stringify({
              outcome: 'succeeded',
              token: 'tok-1',
              result: { sesMessageId: 'ses-1' },
            }),
          },
        },
      }),
    ]);
    expect(result.batchItemFailures).toEqual([]);
    vi.useRealTimers();
  });

  it('drops, instead of dead-lettering, a delivery past its attempts whose job succeeded meanwhile', async () => {
    // Prepare
    const ledger = fakeLedger();
    ledger.deadOnArrival.mockResolvedValue({ outcome: 'done', status: 'succeeded' });
    const record = jobRecord(note, { text: 'x' }, { receiveCount: note.retry.maxAttempts + 1 });

    // Act
    const result = await worker(async () => undefined, ledger)(sqsEvent(record), fakeContext(30_000));

    // Assess
    expect(sends()).toEqual([]);
    expect(result.batchItemFailures).toEqual([]);
  });

  it('hands a record whose claim failed back unstarted, carrying its attempt, instead of spending one', async () => {
    // Prepare: the claim fails through the SDK's attempts on a second receive.
    const ledger = fakeLedger();
    ledger.claim.mockRejectedValue(serverFault());
    const handler = vi.fn<NoteHandler>(async () => undefined);
    const record = jobRecord(note, { text: 'x' }, { receiveCount: 2 });

    // Act
    const result = await worker(handler, ledger)(sqsEvent(record), fakeContext(30_000));

    // Assess: nothing ran; a fresh copy says attempt 2 (its receive count starts again), the original is gone.
    expect(handler).not.toHaveBeenCalled();
    expect(result.batchItemFailures).toEqual([]);
    expect(sends()).toEqual([
      {
        QueueUrl: QUEUE.url,
        MessageBody: JSON.stringify({ ...JSON.parse(record.body), attempt: 2 }),
        DelaySeconds: WORKER_RULES.handBackDelaySeconds,
        MessageAttributes: {
          [DELIVERY_ATTRIBUTES.origin]: { DataType: 'String', StringValue: record.messageId },
        },
      },
    ]);
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(1);
  });
});

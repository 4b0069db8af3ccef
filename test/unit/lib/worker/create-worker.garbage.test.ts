import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES, encodeEnvelope } from '../../../../lib/deploy/index.js';
import { createWorker, handle, type JobHandler } from '../../../../lib/worker/index.js';
import { noteJob } from '../../../helpers/jobs.js';
import { fakeContext } from '../../../helpers/lambda-context.js';
import { envelopeFor, jobRecord, sqsEvent, sqsRecord } from '../../../helpers/sqs-records.js';

const sqsMock = mockClient(SQSClient);
const QUEUE = { url: 'https://sqs.local/0/test-note', dlqUrl: 'https://sqs.local/0/test-note-dlq' };
const note = noteJob({ useLedger: false });

function setup() {
  const handler = vi.fn<JobHandler<typeof note>>(async () => undefined);
  const worker = createWorker({
    jobs: [handle(note, handler)],
    queue: QUEUE,
    sqs: new SQSClient({ region: 'us-east-1' }),
  });
  return { handler, worker };
}

const deadLettered = () =>
  sqsMock
    .commandCalls(SendMessageCommand)
    .map((c) => c.args[0].input)
    .filter((input) => input.QueueUrl === QUEUE.dlqUrl);

const valid = envelopeFor(note, { text: 'ok' });
const deadLetterAttributes = Object.fromEntries(
  Object.values(DEAD_LETTER_ATTRIBUTES).map((name) => [
    name,
    { stringValue: 'from an earlier death', dataType: 'String' },
  ]),
) as SQSRecord['messageAttributes'];

const garbage: [string, string, string][] = [
  ['plain text', 'hello, worker', 'INVALID_ENVELOPE'],
  ['base64 of a valid envelope', Buffer.from(encodeEnvelope(valid)).toString('base64'), 'INVALID_ENVELOPE'],
  ['broken JSON', '{"version":1,"jobId":', 'INVALID_ENVELOPE'],
  ['deeply nested arrays', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'INVALID_ENVELOPE'],
  ['deeply nested objects', `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`, 'INVALID_ENVELOPE'],
  ['an empty body', '', 'INVALID_ENVELOPE'],
  ['an unknown envelope version', JSON.stringify({ ...valid, version: 9 }), 'INVALID_ENVELOPE'],
  ['a wrong payload', encodeEnvelope(envelopeFor(note, { text: 7 })), 'VALIDATION_FAILED'],
  ['an unknown job name', encodeEnvelope(envelopeFor({ name: 'no.such-job' }, {})), 'UNKNOWN_JOB'],
  ['NUL and lone surrogates', '\u0000\ud800{"version":1}', 'INVALID_ENVELOPE'],
];

describe('Function: createWorker with garbage', () => {
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm' });
  });

  it.each(garbage)(
    'dead-letters %s with a reason, and the good records of the batch succeed',
    async (_case, body, code) => {
      // Prepare
      const { handler, worker } = setup();
      const bad = sqsRecord(body);
      const goods = [jobRecord(note, { text: 'before' }), jobRecord(note, { text: 'after' })];

      // Act
      const result = await worker(
        sqsEvent(goods[0] as SQSRecord, bad, goods[1] as SQSRecord),
        fakeContext(30_000),
      );

      // Assess
      expect(result).toEqual({ batchItemFailures: [] });
      expect(handler.mock.calls.map((c) => c[0])).toEqual([{ text: 'before' }, { text: 'after' }]);
      const [dead, ...more] = deadLettered();
      expect(more).toEqual([]);
      expect(dead?.MessageBody).toBe(body);
      expect(dead?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.errorCode]?.StringValue).toBe(code);
      expect(
        dead?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.errorMessage]?.StringValue?.length,
      ).toBeGreaterThan(0);
    },
  );

  it('runs a valid job that carries dead-letter attributes from an earlier death (a redrive)', async () => {
    const { handler, worker } = setup();
    const redriven = { ...jobRecord(note, { text: 'again' }), messageAttributes: deadLetterAttributes };

    const result = await worker(sqsEvent(redriven), fakeContext(30_000));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(deadLettered()).toEqual([]);
  });

  it('dead-letters garbage that carries dead-letter attributes, with a fresh reason', async () => {
    const { worker } = setup();
    const record = { ...sqsRecord('not json'), messageAttributes: deadLetterAttributes };

    await worker(sqsEvent(record), fakeContext(30_000));

    expect(deadLettered()[0]?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.errorCode]?.StringValue).toBe(
      'INVALID_ENVELOPE',
    );
  });

  it('never throws on generated garbage, dead-letters each bad record and runs each good one', {
    timeout: 60_000,
  }, async () => {
    const body = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.json(),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('base64')),
      fc
        .record(
          {
            version: fc.oneof(fc.constant(1), fc.integer(), fc.string()),
            jobId: fc.oneof(fc.string(), fc.integer()),
            name: fc.oneof(fc.constant(note.name), fc.string()),
            payload: fc.anything(),
            enqueuedAt: fc.oneof(
              fc.string(),
              fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            ),
            attempt: fc.oneof(fc.integer(), fc.double()),
            continuation: fc.integer({ min: -5, max: 5 }),
          },
          { requiredKeys: [] },
        )
        .map((value) => JSON.stringify(value)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(body, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 3 }),
        async (bodies, goodCount) => {
          // Prepare
          sqsMock.resetHistory();
          const { handler, worker } = setup();
          const bad = bodies.map((b) => sqsRecord(b));
          const goods = Array.from({ length: goodCount }, (_, i) => jobRecord(note, { text: `good ${i}` }));

          // Act
          const result = await worker(sqsEvent(...bad, ...goods), fakeContext(30_000));

          // Assess
          expect(result).toEqual({ batchItemFailures: [] });
          expect(handler).toHaveBeenCalledTimes(goodCount);
          const dead = deadLettered();
          expect(dead.map((d) => d.MessageBody).sort()).toEqual(bodies.slice().sort());
          for (const message of dead) {
            expect(message.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.errorCode]?.StringValue).toMatch(
              /^[A-Z_]+$/,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

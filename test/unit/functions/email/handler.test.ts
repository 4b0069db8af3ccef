import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SESClient, SESServiceException, SendEmailCommand } from '@aws-sdk/client-ses';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES, decodeEnvelope } from '../../../../lib/deploy/index.js';
import { ConfigError } from '../../../../lib/index.js';
import { emailSend } from '../../../../lib/jobs/builtin/index.js';
import type { SqsWorker } from '../../../../lib/worker/index.js';
import { readable } from '../../../helpers/expressions.js';
import { fakeContext } from '../../../helpers/lambda-context.js';
import { jobRecord, sqsEvent } from '../../../helpers/sqs-records.js';

const sesMock = mockClient(SESClient);
const sqsMock = mockClient(SQSClient);
const ddbMock = mockClient(DynamoDBDocumentClient);

const ENV = {
  AWS_REGION: 'us-east-1',
  HANGAR_SENDER_EMAIL: 'noreply@hangar.example',
  HANGAR_TABLE_NAME: 'hangar-ledger',
  HANGAR_QUEUE_URL: 'https://sqs.local/0/email-send',
  HANGAR_DLQ_URL: 'https://sqs.local/0/email-send-dlq',
};
const payload = { to: ['ada@example.com'], subject: 'Welcome', text: 'Hello!' };

let handler: SqsWorker;

function stubEnv(values: Record<string, string>) {
  for (const [name, value] of Object.entries(values)) vi.stubEnv(name, value);
}

beforeAll(async () => {
  stubEnv(ENV);
  vi.resetModules();
  ({ handler } = await import('../../../../functions/email/handler.js'));
});
afterAll(() => {
  vi.unstubAllEnvs();
});

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const updates = () => ddbMock.commandCalls(UpdateCommand).map((c) => readable(c.args[0].input));

describe('Function: handler (functions/email/handler.ts)', () => {
  beforeEach(() => {
    sesMock.reset();
    sqsMock.reset();
    ddbMock.reset();
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'sqs-1' });
  });
  afterEach(() => {
    sesMock.reset();
    sqsMock.reset();
    ddbMock.reset();
  });

  it('sends once and records the SES message id with two ledger writes: claim and succeed', async () => {
    // Prepare
    ddbMock.on(UpdateCommand).resolves({});
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-0001' });

    // Act
    const result = await handler(sqsEvent(jobRecord(emailSend, payload)), fakeContext(30_000));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sesMock).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(sesMock).toHaveReceivedCommandWith(SendEmailCommand, { Source: 'noreply@hangar.example' });
    expect(ddbMock.calls()).toHaveLength(2);
    expect(updates().map((u) => u.update?.slice(0, 22))).toEqual([
      'SET status = "running"',
      'SET status = "succeede',
    ]);
    expect(updates()[1]?.update).toContain('result = {"sesMessageId":"ses-0001"}');
    expect(ddbMock.commandCalls(UpdateCommand)[0]?.args[0].input.TableName).toBe('hangar-ledger');
  });

  it('does not send again when the ledger says the job succeeded (redelivery, duplicate, redrive)', async () => {
    // Prepare
    ddbMock.on(UpdateCommand).rejects(conditionFailed());
    ddbMock.on(GetCommand).resolves({
      Item: {
        pk: 'job#x',
        sk: 'job',
        status: 'succeeded',
        continuation: 0,
        result: { sesMessageId: 'ses-0001' },
      },
    });

    // Act
    const result = await handler(sqsEvent(jobRecord(emailSend, payload)), fakeContext(30_000));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sesMock).toHaveReceivedCommandTimes(SendEmailCommand, 0);
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageCommand, 0);
  });

  it('retries a throttled send with backoff and records the job as retrying', async () => {
    // Prepare
    ddbMock.on(UpdateCommand).resolves({});
    sesMock.on(SendEmailCommand).rejects(
      new SESServiceException({
        name: 'Throttling',
        message: 'Maximum sending rate exceeded.',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    // Act
    const result = await handler(sqsEvent(jobRecord(emailSend, payload)), fakeContext(30_000));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const retry = sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(retry?.QueueUrl).toBe(ENV.HANGAR_QUEUE_URL);
    expect(retry?.DelaySeconds).toBeGreaterThanOrEqual(3);
    expect(decodeEnvelope(retry?.MessageBody ?? '').attempt).toBe(2);
    expect(updates()[1]?.update).toMatch(
      /^SET status = "retrying", shelf = "retrying", lastErrorCode = "SES_THROTTLED"/,
    );
  });

  it('dead-letters a rejected message at once with its reason, and records it dead', async () => {
    // Prepare
    ddbMock.on(UpdateCommand).resolves({});
    sesMock.on(SendEmailCommand).rejects(
      new SESServiceException({
        name: 'MessageRejected',
        message: 'Email address is not verified: ada@example.com',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    // Act
    await handler(sqsEvent(jobRecord(emailSend, payload)), fakeContext(30_000));

    // Assess
    const dead = sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(dead?.QueueUrl).toBe(ENV.HANGAR_DLQ_URL);
    expect(dead?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.errorCode]?.StringValue).toBe('MESSAGE_REJECTED');
    expect(dead?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.errorMessage]?.StringValue).toBe(
      'SES rejected the message: Email address is not verified: <address>',
    );
    expect(updates()[1]?.update).toMatch(
      /^SET status = "dead", shelf = "dead", lastErrorCode = "MESSAGE_REJECTED"/,
    );
  });

  it('fails the cold start naming a missing variable', async () => {
    // Prepare
    vi.resetModules();
    vi.stubEnv('HANGAR_SENDER_EMAIL', '');
    vi.stubEnv('HANGAR_TABLE_NAME', undefined);

    // Act
    const act = import('../../../../functions/email/handler.js');

    // Assess: a fresh module graph has its own copy of the class, so compare by name and code.
    await expect(act).rejects.toMatchObject({
      name: new ConfigError('').name,
      code: 'INVALID_CONFIG',
      message:
        'Invalid environment: HANGAR_TABLE_NAME is not set; HANGAR_SENDER_EMAIL is invalid: must be an e-mail address, optionally as "Name <address>"',
    });
    stubEnv(ENV);
  });
});

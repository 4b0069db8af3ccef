import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApiFromEnv } from '../../../../functions/api/api-from-env.js';
import { registry } from '../../../../lib/jobs/builtin/index.js';
import { apiEvent, parseResult } from '../../../helpers/api-events.js';
import { fakeContext } from '../../../helpers/lambda-context.js';

const sqsMock = mockClient(SQSClient);
const ddbMock = mockClient(DynamoDBDocumentClient);

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/0/Hangar-dev-EmailSendQueue';
const ENV = {
  AWS_REGION: 'eu-west-1',
  HANGAR_TABLE_NAME: 'Hangar-dev-Ledger',
  HANGAR_QUEUES: JSON.stringify({ 'email.send': { url: QUEUE_URL, arn: 'arn:aws:sqs:eu-west-1:0:q' } }),
  HANGAR_SCHEDULE_GROUP: 'hangar-dev',
  HANGAR_SCHEDULER_ROLE_ARN: 'arn:aws:iam::0:role/scheduler',
};

function stubEnv(values: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(values)) vi.stubEnv(name, value);
}

// The built-in jobs, not the application's registration point, which a team changes.
async function load() {
  return createApiFromEnv(registry);
}

describe('Function: createApiFromEnv', () => {
  beforeEach(() => {
    sqsMock.reset();
    ddbMock.reset();
    stubEnv(ENV);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(() => {
    sqsMock.reset();
    ddbMock.reset();
  });

  it('wires the service from the environment: queue URLs, table', async () => {
    // Prepare
    sqsMock
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: 'x' }] });
    ddbMock.on(PutCommand).resolves({});
    const handler = await load();

    // Act
    const res = parseResult(
      await handler(
        apiEvent('POST', '/jobs', {
          body: { name: 'email.send', payload: { to: ['a@b.co'], subject: 's', text: 't' } },
        }),
        fakeContext(29_000),
      ),
    );

    // Assess
    expect(res.status).toBe(202);
    expect(sqsMock).toHaveReceivedCommandWith(SendMessageBatchCommand, { QueueUrl: QUEUE_URL });
    expect(ddbMock).toHaveReceivedCommandWith(PutCommand, { TableName: 'Hangar-dev-Ledger' });
  });

  it('fails the cold start naming each bad variable', async () => {
    stubEnv({ HANGAR_TABLE_NAME: undefined, HANGAR_QUEUES: '{"email.send": "not an object"}' });

    await expect(load()).rejects.toMatchObject({
      name: 'ConfigError',
      message:
        'Invalid environment: HANGAR_TABLE_NAME is not set; HANGAR_QUEUES is invalid: must be JSON {"<job name>": {"url": "…", "arn": "…"}}',
    });
  });
});

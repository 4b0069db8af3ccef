import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registry as builtinRegistry, emailSend } from '../../lib/jobs/builtin/index.js';
import { LOCAL_CREDENTIALS } from '../../local/function-environment.js';
import { LOCAL_SCHEDULER_ROLE_ARN } from '../../local/scheduler.js';
import { startTestLocal, type TestLocal } from '../helpers/local.js';

let persistDir: string;
let running: TestLocal | undefined;
beforeEach(async () => {
  persistDir = await mkdtemp(join(tmpdir(), 'hangar-persist-'));
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await rm(persistDir, { recursive: true, force: true });
});

describe('startLocal: --persist', () => {
  it('keeps queues, messages, the table and one-time schedules across a restart', async () => {
    // Prepare: a message, an item and a one-time schedule in a persisted runtime, which then stops.
    const options = { registry: builtinRegistry, workers: false, persistDir } as const;
    running = await startTestLocal(options);
    let { local } = running;
    const queueUrl = local.queues[emailSend.name]?.queue.url;
    await local.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'kept across restarts' }));
    const dynamodb = (endpoint: string) =>
      new DynamoDBClient({ region: local.region, credentials: LOCAL_CREDENTIALS, endpoint });
    const firstDb = dynamodb(local.endpoints.dynamodb);
    await firstDb.send(
      new PutItemCommand({ TableName: local.tableName, Item: { pk: { S: 'job#1' }, sk: { S: 'job' } } }),
    );
    firstDb.destroy();
    const runAt = new Date(Date.now() + 3_600_000);
    await local.scheduler.create({
      Name: 'job-PERSISTED-0',
      GroupName: local.scheduleGroupName,
      ScheduleExpression: `at(${runAt.toISOString().slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: local.queues[emailSend.name]?.queue.arn ?? '',
        RoleArn: LOCAL_SCHEDULER_ROLE_ARN,
        Input: '{}',
      },
    });
    await running.stop();
    running = undefined;

    // Act: a new runtime on the same directory (and other ports).
    running = await startTestLocal(options);
    ({ local } = running);

    // Assess: queue URLs name the new endpoint (a loopback address the SDK can reach), not the old one.
    expect(local.queues[emailSend.name]?.queue.url).toBe(`${local.endpoints.sqs}/000000000000/email-send`);
    const looked = await local.sqs.send(new GetQueueUrlCommand({ QueueName: 'email-send' }));
    expect(looked.QueueUrl).toBe(`${local.endpoints.sqs}/000000000000/email-send`);
    const received = await local.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: local.queues[emailSend.name]?.queue.url, WaitTimeSeconds: 1 }),
    );
    expect(received.Messages?.map((m) => m.Body)).toEqual(['kept across restarts']);
    const secondDb = dynamodb(local.endpoints.dynamodb);
    const item = await secondDb.send(
      new GetItemCommand({ TableName: local.tableName, Key: { pk: { S: 'job#1' }, sk: { S: 'job' } } }),
    );
    secondDb.destroy();
    expect(item.Item).toEqual({ pk: { S: 'job#1' }, sk: { S: 'job' } });
    expect(local.scheduler.get(local.scheduleGroupName, 'job-PERSISTED-0').ScheduleExpression).toBe(
      `at(${runAt.toISOString().slice(0, 19)})`,
    );
  });
});

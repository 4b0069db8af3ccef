import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/program.js';
import { nativeRedrive } from '../../../cli/redrive.js';
import { resolveTarget } from '../../../cli/target.js';
import { jobOutputKey } from '../../../lib/deploy/index.js';
import { registry } from '../../../lib/jobs/builtin/index.js';
import { memoryIo, stackOutputs } from '../../helpers/cli.js';

const sqsMock = mockClient(SQSClient);
const cfnMock = mockClient(CloudFormationClient);
const ddbMock = mockClient(DynamoDBDocumentClient);

afterEach(() => {
  sqsMock.reset();
  cfnMock.reset();
  ddbMock.reset();
});

const DLQ_ARN = 'arn:aws:sqs:eu-west-1:123456789012:email-send-dlq';
const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:email-send';
const sqs = new SQSClient({ region: 'eu-west-1' });
const noSleep = async () => undefined;

describe('Function: nativeRedrive', () => {
  it('starts a move task from the DLQ to the queue with the rate, and polls until it completes', async () => {
    // Prepare
    sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'handle-1' });
    sqsMock
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({
        Results: [
          {
            TaskHandle: 'handle-1',
            Status: 'RUNNING',
            ApproximateNumberOfMessagesMoved: 2,
            ApproximateNumberOfMessagesToMove: 5,
            StartedTimestamp: 1000,
          },
        ],
      })
      .resolvesOnce({
        Results: [
          {
            TaskHandle: 'handle-1',
            Status: 'RUNNING',
            ApproximateNumberOfMessagesMoved: 4,
            ApproximateNumberOfMessagesToMove: 5,
            StartedTimestamp: 1000,
          },
        ],
      })
      // Once ended, SQS lists the task without its handle, newest first.
      .resolves({
        Results: [
          {
            Status: 'COMPLETED',
            ApproximateNumberOfMessagesMoved: 5,
            ApproximateNumberOfMessagesToMove: 5,
            StartedTimestamp: 1000,
          },
          { Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 1, StartedTimestamp: 500 },
        ],
      });
    const seen: number[] = [];

    // Act
    const status = await nativeRedrive(sqs, {
      dlqArn: DLQ_ARN,
      queueArn: QUEUE_ARN,
      rate: 50,
      sleep: noSleep,
      onProgress: (task) => seen.push(task.moved),
    });

    // Assess
    expect(sqsMock).toHaveReceivedCommandWith(StartMessageMoveTaskCommand, {
      SourceArn: DLQ_ARN,
      DestinationArn: QUEUE_ARN,
      MaxNumberOfMessagesPerSecond: 50,
    });
    expect(sqsMock).toHaveReceivedCommandWith(ListMessageMoveTasksCommand, { SourceArn: DLQ_ARN });
    expect(sqsMock).toHaveReceivedCommandTimes(ListMessageMoveTasksCommand, 3);
    expect(seen).toEqual([2, 4]);
    expect(status).toEqual({
      status: 'COMPLETED',
      moved: 5,
      toMove: 5,
      failureReason: undefined,
      taskHandle: 'handle-1',
    });
  });

  it('reports a failed task with its reason', async () => {
    // Prepare
    sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'handle-2' });
    sqsMock.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          Status: 'FAILED',
          ApproximateNumberOfMessagesMoved: 1,
          FailureReason: 'AWS.SimpleQueueService.NonExistentQueue',
          StartedTimestamp: 7,
        },
      ],
    });

    // Act
    const status = await nativeRedrive(sqs, { dlqArn: DLQ_ARN, queueArn: QUEUE_ARN, sleep: noSleep });

    // Assess
    expect(status).toMatchObject({
      status: 'FAILED',
      moved: 1,
      failureReason: 'AWS.SimpleQueueService.NonExistentQueue',
    });
    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).not.toHaveProperty(
      'MaxNumberOfMessagesPerSecond',
    );
  });

  it('gives up when SQS never lists the task it started', async () => {
    // Prepare
    sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'handle-3' });
    sqsMock.on(ListMessageMoveTasksCommand).resolves({ Results: [] });

    // Act
    const run = nativeRedrive(sqs, { dlqArn: DLQ_ARN, queueArn: QUEUE_ARN, sleep: noSleep });

    // Assess
    await expect(run).rejects.toThrow(
      'SQS started move task handle-3 but ListMessageMoveTasks has not shown it after 10 polls',
    );
  });
});

describe('Command: hangar redrive --stage (native path)', () => {
  const outputs = stackOutputs();
  const stage = (args: string[]) => {
    const memory = memoryIo();
    const run = runCli([...args, '--stage', 'prod'], memory.io, {
      registry,
      resolveTarget: (options) =>
        resolveTarget({
          ...options,
          sqs,
          dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
          cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
          cloudwatch: new CloudWatchClient({ region: 'eu-west-1' }),
          credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
        }),
    });
    return { run, ...memory };
  };

  it('uses the stack outputs for the ARNs, follows the task, and exits 0 when it completes', async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand, { StackName: 'Hangar-prod' }).resolves({
      Stacks: [
        {
          StackName: 'Hangar-prod',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
    sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'h' });
    sqsMock.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          Status: 'COMPLETED',
          ApproximateNumberOfMessagesMoved: 3,
          ApproximateNumberOfMessagesToMove: 3,
          StartedTimestamp: 1,
        },
      ],
    });

    // Act
    const { run, stdout } = stage(['redrive', 'email.send']);
    const code = await run;

    // Assess
    expect(code).toBe(0);
    expect(sqsMock).toHaveReceivedCommandWith(StartMessageMoveTaskCommand, {
      SourceArn: outputs[jobOutputKey('email.send', 'dlqArn')],
      DestinationArn: outputs[jobOutputKey('email.send', 'queueArn')],
    });
    expect(sqsMock).not.toHaveReceivedCommand(ReceiveMessageCommand);
    expect(stdout()).toBe(
      'Move task COMPLETED (Hangar-prod-EmailSendDlq-X2 → Hangar-prod-EmailSendQueue-X1): moved 3 of 3.\n',
    );
  });

  it('exits 1 and says why when the task fails', async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Hangar-prod',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
    sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'h' });
    sqsMock.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          Status: 'FAILED',
          ApproximateNumberOfMessagesMoved: 0,
          FailureReason: 'CouldNotDetermineMessageSource',
          StartedTimestamp: 1,
        },
      ],
    });

    // Act
    const { run, stderr } = stage(['redrive', 'email.send', '--json']);
    const code = await run;

    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(stderr())).toEqual({
      error: { message: 'The move task ended FAILED: CouldNotDetermineMessageSource', exitCode: 1 },
    });
  });

  it('takes the selective path on a stage when any selector is given', async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Hangar-prod',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [] });
    ddbMock.on(GetCommand).resolves({});

    // Act
    const { run, stdout, stderr } = stage(['redrive', 'email.send', '--error-code', 'QUOTA']);
    const code = await run;

    // Assess
    expect(sqsMock).not.toHaveReceivedCommand(StartMessageMoveTaskCommand);
    expect(sqsMock).toHaveReceivedCommandWith(ReceiveMessageCommand, {
      QueueUrl: outputs[jobOutputKey('email.send', 'dlqUrl')],
    });
    expect(stdout()).toContain('moved 0, skipped 0, failed 0');
    expect(stderr()).toContain('No message in Hangar-prod-EmailSendDlq-X2 matched');
    expect(code).toBe(4);
  });

  it('refuses a --rate the move task cannot take, before starting anything', async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Hangar-prod',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });

    // Act
    const { run, stderr } = stage(['redrive', 'email.send', '--rate', '2.5']);

    // Assess
    expect(await run).toBe(2);
    expect(stderr()).toBe(
      'hangar: error: --rate of a native move task must be a whole number from 1 to 500\n',
    );
    expect(sqsMock).not.toHaveReceivedCommand(StartMessageMoveTaskCommand);
  });
});

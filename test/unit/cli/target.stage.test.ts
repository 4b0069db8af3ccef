import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { UnreachableError } from '../../../cli/errors.js';
import { runCli } from '../../../cli/program.js';
import { resolveTarget, type TargetOptions } from '../../../cli/target.js';
import { jobOutputKey, OUTPUT_KEYS } from '../../../lib/deploy/index.js';
import { emailSend, registry } from '../../../lib/jobs/builtin/index.js';
import { memoryIo, stackOutputs } from '../../helpers/cli.js';

const cfnMock = mockClient(CloudFormationClient);
const sqsMock = mockClient(SQSClient);
const cwMock = mockClient(CloudWatchClient);
const lambdaMock = mockClient(LambdaClient);

afterEach(() => {
  cfnMock.reset();
  sqsMock.reset();
  cwMock.reset();
  lambdaMock.reset();
});

const region = 'eu-west-1';
const clients = (): Partial<TargetOptions> => ({
  registry,
  cloudFormation: new CloudFormationClient({ region }),
  sqs: new SQSClient({ region }),
  cloudwatch: new CloudWatchClient({ region }),
  lambda: new LambdaClient({ region }),
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
});
const stack = (outputs: Record<string, string>) => ({
  Stacks: [
    {
      StackName: 'Hangar-prod',
      CreationTime: new Date(),
      StackStatus: 'UPDATE_COMPLETE' as const,
      Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    },
  ],
});

async function hangar(args: string[], env: Record<string, string> = {}) {
  const memory = memoryIo(env);
  const code = await runCli(args, memory.io, {
    registry,
    resolveTarget: (options) => resolveTarget({ ...options, ...clients() }),
    now: () => new Date('2026-11-23T12:00:00.000Z'),
  });
  return { code, stdout: memory.stdout(), stderr: memory.stderr() };
}

describe('Function: resolveTarget with a stage', () => {
  it('reads the queue addresses and the API URL from the stack outputs', async () => {
    // Prepare
    const outputs = stackOutputs(region);
    cfnMock.on(DescribeStacksCommand, { StackName: 'Hangar-prod' }).resolves(stack(outputs));

    // Act
    const target = await resolveTarget({ stage: 'prod', ...clients() });
    const queues = await target.queuesOf(emailSend);
    const api = await target.api();

    // Assess
    expect(target).toMatchObject({ kind: 'aws', label: 'stage prod (stack Hangar-prod)' });
    expect(queues).toEqual({
      queue: {
        name: 'Hangar-prod-EmailSendQueue-X1',
        url: outputs[jobOutputKey('email.send', 'queueUrl')],
        arn: outputs[jobOutputKey('email.send', 'queueArn')],
      },
      dlq: {
        name: 'Hangar-prod-EmailSendDlq-X2',
        url: outputs[jobOutputKey('email.send', 'dlqUrl')],
        arn: outputs[jobOutputKey('email.send', 'dlqArn')],
      },
    });
    expect(api.baseUrl).toBe(outputs[OUTPUT_KEYS.apiUrl]);
  });

  it('exits 3 naming the stack and region when the stack does not exist', async () => {
    // Prepare
    cfnMock
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Stack with id Hangar-prod does not exist'), { name: 'ValidationError' }),
      );

    // Act
    const run = await hangar(['queues', '--stage', 'prod']);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      'hangar: error: Stack Hangar-prod does not exist in eu-west-1; check --stage and AWS_REGION / AWS_PROFILE\n',
    );
  });

  it('exits 3 naming the output a stack lacks', async () => {
    // Prepare
    const { [jobOutputKey('email.send', 'dlqUrl')]: _gone, ...outputs } = stackOutputs(region);
    cfnMock.on(DescribeStacksCommand).resolves(stack(outputs));

    // Act
    const target = resolveTarget({ stage: 'prod', ...clients() }).then((t) => t.queuesOf(emailSend));

    // Assess
    await expect(target).rejects.toThrow(UnreachableError);
    await expect(target).rejects.toThrow(
      'Stack Hangar-prod has no output "EmailSendDlqUrl"; was it deployed from this version?',
    );
  });
});

describe('Command: any --stage command with endpoint overrides in the environment', () => {
  it('says where the SDK will send its calls', async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand).resolves(stack(stackOutputs(region)));
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
    cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

    // Act
    const run = await hangar(['queues', '--stage', 'prod', '--json'], {
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566',
    });

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('Note: AWS_ENDPOINT_URL_SQS set; the AWS SDK sends those calls there.\n');
  });
});

describe('Command: hangar queues --stage', () => {
  it('shows each queue and DLQ with CloudWatch oldest-message ages, and whether it is paused', async () => {
    // Prepare
    const outputs = stackOutputs(region);
    cfnMock.on(DescribeStacksCommand).resolves(stack(outputs));
    lambdaMock.on(ListEventSourceMappingsCommand).callsFake((input: { EventSourceArn: string }) => ({
      EventSourceMappings: [
        {
          UUID: `uuid-of-${input.EventSourceArn}`,
          State:
            input.EventSourceArn === outputs[jobOutputKey('email.send', 'queueArn')] ? 'Disabled' : 'Enabled',
        },
      ],
    }));
    sqsMock.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl: string }) => ({
      Attributes: input.QueueUrl.includes('EmailSendDlq')
        ? {
            ApproximateNumberOfMessages: '2',
            ApproximateNumberOfMessagesNotVisible: '1',
            ApproximateNumberOfMessagesDelayed: '0',
          }
        : input.QueueUrl.includes('EmailSendQueue')
          ? {
              ApproximateNumberOfMessages: '7',
              ApproximateNumberOfMessagesNotVisible: '3',
              ApproximateNumberOfMessagesDelayed: '1',
            }
          : {
              ApproximateNumberOfMessages: '0',
              ApproximateNumberOfMessagesNotVisible: '0',
              ApproximateNumberOfMessagesDelayed: '0',
            },
    }));
    cwMock.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: { Id: string }[] }) => ({
      // Only the e-mail queue (q0) and its DLQ (q1) have data points; newest first.
      MetricDataResults: input.MetricDataQueries.map((q) => ({
        Id: q.Id,
        Values: q.Id === 'q0' ? [95, 80] : q.Id === 'q1' ? [7200] : [],
      })),
    }));

    // Act
    const run = await hangar(['queues', '--stage', 'prod', '--json']);

    // Assess
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(rows[0]).toEqual({
      job: 'email.send',
      queue: 'Hangar-prod-EmailSendQueue-X1',
      visible: 7,
      inFlight: 3,
      delayed: 1,
      dlq: 'Hangar-prod-EmailSendDlq-X2',
      dlqDepth: 3,
      oldestAgeSeconds: 95,
      dlqOldestAgeSeconds: 7200,
      state: 'paused',
    });
    expect(rows[1]).toMatchObject({ job: 'sync.run', oldestAgeSeconds: null, dlqDepth: 0, state: 'active' });
    const query = cwMock.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(query?.MetricDataQueries?.[0]?.MetricStat).toEqual({
      Metric: {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: 'Hangar-prod-EmailSendQueue-X1' }],
      },
      Period: 60,
      Stat: 'Maximum',
    });
    expect(query?.EndTime).toEqual(new Date('2026-11-23T12:00:00.000Z'));
  });

  it('prints the ages in the table', async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand).resolves(stack(stackOutputs(region)));
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '1' } });
    cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'q0', Values: [95] }] });
    lambdaMock
      .on(ListEventSourceMappingsCommand)
      .resolves({ EventSourceMappings: [{ UUID: 'u', State: 'Enabled' }] });

    // Act
    const run = await hangar(['queues', '--stage', 'prod']);

    // Assess
    expect(run.stdout.split('\n').slice(0, 2)).toEqual([
      'JOB          STATE   QUEUE                             VISIBLE  IN FLIGHT  DELAYED  OLDEST  DLQ  DLQ OLDEST',
      'email.send   active  Hangar-prod-EmailSendQueue-X1     1        0          0        1m 35s  1    -',
    ]);
  });

  it('still shows the queues when Lambda refuses to say whether they are paused', async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand).resolves(stack(stackOutputs(region)));
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
    cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    lambdaMock.on(ListEventSourceMappingsCommand).rejects(
      Object.assign(new Error('not authorized to perform: lambda:ListEventSourceMappings'), {
        name: 'AccessDeniedException',
      }),
    );

    // Act
    const run = await hangar(['queues', '--stage', 'prod', '--json']);

    // Assess
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { state: unknown }[]).map((r) => r.state)).toEqual([null, null, null]);
  });
});

import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/program.js';
import { listSchedules } from '../../../cli/schedules.js';
import { resolveTarget } from '../../../cli/target.js';
import {
  decodeEnvelope,
  deriveSettings,
  firingJobId,
  jobOutputKey,
  OUTPUT_KEYS,
} from '../../../lib/deploy/index.js';
import { cleanupRun, registry, syncRun, syncSchedules } from '../../../lib/jobs/builtin/index.js';
import { encodeFiringTemplate } from '../../../lib/jobs/envelope.js';
import { memoryIo, stackOutputs } from '../../helpers/cli.js';

const schedulerMock = mockClient(SchedulerClient);
const cfnMock = mockClient(CloudFormationClient);
const sqsMock = mockClient(SQSClient);

afterEach(() => {
  schedulerMock.reset();
  cfnMock.reset();
  sqsMock.reset();
});

// What a stage deploys: the declared cleanup schedule, moved to 02:00 Berlin time by stage
// configuration, and one sync schedule per scheduled source — derived as the stack derives them.
const settings = deriveSettings(registry, {
  schedules: {
    'cleanup.run': [{ id: 'nightly', expression: 'cron(0 2 * * ? *)', timeZone: 'Europe/Berlin' }],
    'sync.run': syncSchedules(
      [{ id: 'crm', url: 'https://crm.example.com/items', schedule: 'rate(1 hour)' }],
      'UTC',
    ),
  },
});
const deployed = settings.jobs.flatMap((job) => job.schedules);
const group = 'Hangar-prod-schedules';
const outputs: Record<string, string> = { ...stackOutputs(), [OUTPUT_KEYS.scheduleGroupName]: group };

function scheduler() {
  schedulerMock.on(ListSchedulesCommand).callsFake((input: { NamePrefix?: string; NextToken?: string }) => {
    const names = [
      ...deployed.map((s) => s.name),
      // A one-time schedule of a delayed job and a foreign schedule share the group.
      'job-01KDELAYED0000000000000000-0',
      'cleanup-run-by-hand',
    ].filter((n) => n.startsWith(input.NamePrefix ?? ''));
    // Two pages, to follow NextToken.
    return input.NextToken === undefined
      ? {
          Schedules: names.slice(0, 1).map((Name) => ({ Name })),
          NextToken: names.length > 1 ? 'p2' : undefined,
        }
      : { Schedules: names.slice(1).map((Name) => ({ Name })) };
  });
  schedulerMock.on(GetScheduleCommand).callsFake((input: { Name: string; GroupName: string }) => {
    const schedule = deployed.find((s) => s.name === input.Name);
    if (schedule) {
      return {
        Name: schedule.name,
        GroupName: input.GroupName,
        ScheduleExpression: schedule.expression,
        ScheduleExpressionTimezone: schedule.timeZone,
        State: 'ENABLED',
        Target: {
          Arn: 'arn:aws:sqs:eu-west-1:123456789012:q',
          RoleArn: 'arn:aws:iam::123456789012:role/r',
          Input: schedule.input,
          ...(schedule.messageGroupId ? { SqsParameters: { MessageGroupId: schedule.messageGroupId } } : {}),
        },
      };
    }
    if (input.Name === 'cleanup-run-by-hand') {
      return {
        Name: input.Name,
        ScheduleExpression: 'rate(1 day)',
        Target: { Arn: 'x', RoleArn: 'y', Input: '{}' },
      };
    }
    return {
      Name: input.Name,
      ScheduleExpression: 'at(2026-12-01T08:00:00)',
      Target: { Arn: 'x', RoleArn: 'y', Input: encodeFiringTemplate(cleanupRun, input.Name, {}) },
    };
  });
}

async function hangar(args: string[]) {
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
  const memory = memoryIo();
  const code = await runCli([...args, '--stage', 'prod'], memory.io, {
    registry,
    now: () => new Date('2026-11-23T12:00:00.000Z'),
    resolveTarget: (options) =>
      resolveTarget({
        ...options,
        cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
        sqs: new SQSClient({ region: 'eu-west-1' }),
        scheduler: new SchedulerClient({ region: 'eu-west-1' }),
      }),
  });
  return { code, stdout: memory.stdout(), stderr: memory.stderr() };
}

describe('Function: listSchedules', () => {
  it("reads each job's schedules by name prefix, page by page, and keeps only recurring firings of registered jobs", async () => {
    // Prepare
    scheduler();

    // Act
    const views = await listSchedules(
      { client: new SchedulerClient({ region: 'eu-west-1' }), groupName: group },
      registry,
    );

    // Assess
    expect(views.map((v) => [v.name, v.job, v.expression, v.timeZone, v.messageGroupId])).toEqual([
      ['cleanup-run-nightly', 'cleanup.run', 'cron(0 2 * * ? *)', 'Europe/Berlin', undefined],
      ['sync-run-crm', 'sync.run', 'rate(1 hour)', 'UTC', 'crm'],
    ]);
    expect(schedulerMock.commandCalls(ListSchedulesCommand).map((c) => c.args[0].input)).toEqual(
      expect.arrayContaining([
        { GroupName: group, NamePrefix: 'email-send' },
        { GroupName: group, NamePrefix: 'sync-run' },
        { GroupName: group, NamePrefix: 'cleanup-run' },
        { GroupName: group, NamePrefix: 'cleanup-run', NextToken: 'p2' },
      ]),
    );
    // The one-time schedule (prefix "job-") was never fetched.
    expect(schedulerMock.commandCalls(GetScheduleCommand).map((c) => c.args[0].input.Name)).not.toContain(
      'job-01KDELAYED0000000000000000-0',
    );
  });
});

describe('Command: hangar schedules --stage', () => {
  it('lists what the stage runs, not just what is declared', async () => {
    // Prepare
    scheduler();

    // Act
    const run = await hangar(['schedules']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'SCHEDULE             JOB          EXPRESSION         TIME ZONE      STATE    PAYLOAD',
        'cleanup-run-nightly  cleanup.run  cron(0 2 * * ? *)  Europe/Berlin  ENABLED  {}',
        'sync-run-crm         sync.run     rate(1 hour)       UTC            ENABLED  {"sourceId":"crm"}',
        '',
      ].join('\n'),
    );
  });
});

describe('Command: hangar run --stage', () => {
  it("sends the schedule's rendered input to the job's queue and prints the job id the worker will use", async () => {
    // Prepare
    scheduler();
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });

    // Act
    const run = await hangar(['run', 'cleanup.run', '--json']);

    // Assess
    expect(run.code).toBe(0);
    const firing = JSON.parse(run.stdout) as { jobId: string; firedAt: string };
    const sent = sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.QueueUrl).toBe(outputs[jobOutputKey('cleanup.run', 'queueUrl')]);
    const envelope = decodeEnvelope(sent?.MessageBody ?? '');
    expect(envelope).toMatchObject({
      name: 'cleanup.run',
      jobId: firing.jobId,
      enqueuedAt: '2026-11-23T12:00:00.000Z',
      payload: {},
      attempt: 1,
      continuation: 0,
    });
    const executionId = (JSON.parse(sent?.MessageBody ?? '{}') as { firing: { executionId: string } }).firing
      .executionId;
    expect(firing.jobId).toBe(firingJobId('2026-11-23T12:00:00.000Z', executionId));
  });

  it('fires a FIFO schedule in its message group with a fresh deduplication id each time', async () => {
    // Prepare
    scheduler();
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-2' });

    // Act
    await hangar(['run', 'sync-run-crm']);
    await hangar(['run', 'sync-run-crm']);

    // Assess
    const [first, second] = sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(first?.QueueUrl).toBe(outputs[jobOutputKey(syncRun.name, 'queueUrl')]);
    expect(first?.MessageGroupId).toBe('crm');
    expect(first?.MessageDeduplicationId).not.toBe(second?.MessageDeduplicationId);
  });

  it('exits 2 naming the schedules there are for an unknown one', async () => {
    // Prepare
    scheduler();

    // Act
    const run = await hangar(['run', 'nightly']);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'hangar: error: Unknown schedule "nightly"; schedules: cleanup-run-nightly, sync-run-crm\n',
    );
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
  });
});

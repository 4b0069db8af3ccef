import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, OperationFailedError, UnknownScheduleError } from '../../../cli/errors.js';
import { PAUSE_RULES, setQueuePaused, setSchedulePaused } from '../../../cli/flow-control.js';
import { runCli } from '../../../cli/program.js';
import { resolveTarget, type Target, type TargetOptions } from '../../../cli/target.js';
import { jobOutputKey, OUTPUT_KEYS } from '../../../lib/deploy/index.js';
import { cleanupRun, emailSend, registry } from '../../../lib/jobs/builtin/index.js';
import { encodeFiringTemplate } from '../../../lib/jobs/envelope.js';
import { memoryIo, stackOutputs } from '../../helpers/cli.js';

const cfnMock = mockClient(CloudFormationClient);
const lambdaMock = mockClient(LambdaClient);
const schedulerMock = mockClient(SchedulerClient);

const region = 'eu-west-1';
const outputs = stackOutputs(region);
const emailQueueArn = outputs[jobOutputKey(emailSend.name, 'queueArn')];
const UUID = '6f1c1b5e-0000-4000-8000-000000000001';

const clients = (): Partial<TargetOptions> => ({
  registry,
  cloudFormation: new CloudFormationClient({ region }),
  sqs: new SQSClient({ region }),
  lambda: new LambdaClient({ region }),
  scheduler: new SchedulerClient({ region }),
});

beforeEach(() => {
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
  lambdaMock
    .on(ListEventSourceMappingsCommand, { EventSourceArn: emailQueueArn })
    .resolves({ EventSourceMappings: [{ UUID, EventSourceArn: emailQueueArn, State: 'Enabled' }] });
  lambdaMock.on(UpdateEventSourceMappingCommand).resolves({ UUID, State: 'Disabling' });
});
afterEach(() => {
  cfnMock.reset();
  lambdaMock.reset();
  schedulerMock.reset();
});

const stage = (): Promise<Target> => resolveTarget({ stage: 'prod', ...clients() });

/** A clock that only the waits move. */
function drivenTime() {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('Function: setQueuePaused', () => {
  it("disables the mapping found by the queue's ARN and polls it until Lambda reports Disabled", async () => {
    // Prepare
    lambdaMock
      .on(GetEventSourceMappingCommand, { UUID })
      .resolvesOnce({ UUID, State: 'Disabling' })
      .resolves({ UUID, State: 'Disabled' });
    const time = drivenTime();

    // Act
    const result = await setQueuePaused(await stage(), emailSend, true, time);

    // Assess
    expect(result).toEqual({ job: 'email.send', mapping: UUID, state: 'paused', settled: true });
    expect(lambdaMock.commandCalls(UpdateEventSourceMappingCommand).map((c) => c.args[0].input)).toEqual([
      { UUID, Enabled: false },
    ]);
    expect(time.slept).toEqual([PAUSE_RULES.pollIntervalMs, PAUSE_RULES.pollIntervalMs]);
  });

  it('gives up after the bounded wait with the state Lambda last reported', async () => {
    // Prepare
    lambdaMock.on(GetEventSourceMappingCommand).resolves({ UUID, State: 'Disabling' });
    const time = drivenTime();

    // Act
    const pause = setQueuePaused(await stage(), emailSend, true, time);

    // Assess
    await expect(pause).rejects.toBeInstanceOf(OperationFailedError);
    await expect(pause).rejects.toThrow(
      `The event source of email.send still reports Disabling after ${PAUSE_RULES.maxWaitMs / 1000} s; Lambda finishes on its own: see \`hangar queues\``,
    );
    expect(time.slept).toHaveLength(PAUSE_RULES.maxWaitMs / PAUSE_RULES.pollIntervalMs);
  });

  it('returns at once without waiting when asked not to wait', async () => {
    // Act
    const result = await setQueuePaused(await stage(), emailSend, true, { wait: false });

    // Assess
    expect(result).toEqual({ job: 'email.send', mapping: UUID, state: 'pausing', settled: false });
    expect(lambdaMock.commandCalls(GetEventSourceMappingCommand)).toHaveLength(0);
  });

  it('changes nothing when the mapping is already in the state asked for', async () => {
    // Act
    const result = await setQueuePaused(await stage(), emailSend, false, drivenTime());

    // Assess
    expect(result).toEqual({ job: 'email.send', mapping: UUID, state: 'active', settled: true });
    expect(lambdaMock.commandCalls(UpdateEventSourceMappingCommand)).toHaveLength(0);
  });

  it('only waits when the mapping is already on its way to the state asked for', async () => {
    // Prepare
    lambdaMock
      .on(ListEventSourceMappingsCommand)
      .resolves({ EventSourceMappings: [{ UUID, EventSourceArn: emailQueueArn, State: 'Disabling' }] });
    lambdaMock.on(GetEventSourceMappingCommand).resolves({ UUID, State: 'Disabled' });

    // Act
    const result = await setQueuePaused(await stage(), emailSend, true, drivenTime());

    // Assess
    expect(result).toMatchObject({ state: 'paused', settled: true });
    expect(lambdaMock.commandCalls(UpdateEventSourceMappingCommand)).toHaveLength(0);
  });

  it("names the queue when no mapping reads it (the job's worker is not deployed)", async () => {
    // Prepare
    lambdaMock.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });

    // Act
    const pause = setQueuePaused(await stage(), emailSend, true, drivenTime());

    // Assess
    await expect(pause).rejects.toBeInstanceOf(NotFoundError);
    await expect(pause).rejects.toThrow(
      `No event source mapping reads ${emailQueueArn} on stage prod (stack Hangar-prod): job "email.send" has no worker there`,
    );
  });
});

describe('Function: setSchedulePaused', () => {
  const group = outputs[OUTPUT_KEYS.scheduleGroupName];
  const deployed = {
    Name: 'cleanup-run',
    GroupName: group,
    ScheduleExpression: 'cron(0 3 * * ? *)',
    ScheduleExpressionTimezone: 'Europe/Berlin',
    Description: 'Recurring cleanup.run',
    State: 'ENABLED' as const,
    FlexibleTimeWindow: { Mode: 'FLEXIBLE' as const, MaximumWindowInMinutes: 15 },
    Target: {
      Arn: 'arn:aws:sqs:eu-west-1:123456789012:q',
      RoleArn: 'arn:aws:iam::123456789012:role/scheduler',
      Input: encodeFiringTemplate(cleanupRun, 'cleanup-run', {}),
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
    },
    CreationDate: new Date('2026-11-01T00:00:00Z'),
  };

  beforeEach(() => {
    schedulerMock.on(ListSchedulesCommand).callsFake((input: { NamePrefix?: string }) => ({
      Schedules: input.NamePrefix === 'cleanup-run' ? [{ Name: 'cleanup-run' }] : [],
    }));
    schedulerMock.on(GetScheduleCommand).resolves(deployed);
    schedulerMock.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });
  });

  it('reads the whole schedule and writes it back with State DISABLED, since UpdateSchedule replaces it', async () => {
    // Act
    const result = await setSchedulePaused(await stage(), registry, 'cleanup.run', true);

    // Assess
    expect(result).toEqual({ schedule: 'cleanup-run', job: 'cleanup.run', state: 'DISABLED' });
    const { CreationDate: _created, ...rest } = deployed;
    expect(schedulerMock.commandCalls(UpdateScheduleCommand).map((c) => c.args[0].input)).toEqual([
      { ...rest, State: 'DISABLED' },
    ]);
  });

  it('names the schedules there are for an unknown one', async () => {
    // Act
    const pause = setSchedulePaused(await stage(), registry, 'nightly', true);

    // Assess
    await expect(pause).rejects.toBeInstanceOf(UnknownScheduleError);
    await expect(pause).rejects.toThrow('Unknown schedule "nightly"; schedules: cleanup-run');
    expect(schedulerMock.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });
});

describe('Command: hangar pause --stage', () => {
  it('asks Lambda to disable the mapping, and says what a deploy does to it', async () => {
    // Prepare
    const memory = memoryIo();

    // Act
    const code = await runCli(['pause', 'email.send', '--stage', 'prod', '--no-wait'], memory.io, {
      registry,
      resolveTarget: (options) => resolveTarget({ ...options, ...clients() }),
    });

    // Assess
    expect(code).toBe(0);
    expect(memory.stdout()).toBe(
      'Asked to pause email.send; its event source is pausing (see `hangar queues`).\n',
    );
    expect(memory.stderr()).toBe(
      'A `cdk deploy` that changes this job’s event source settings enables it again unless the stage configuration lists it in pausedJobs.\n',
    );
  });
});

import {
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { oneTimeScheduleName } from '../../../lib/client/scheduler-port.js';
import { decodeEnvelope, firingJobId } from '../../../lib/deploy/index.js';
import { AwsScheduler, JobClient } from '../../../lib/index.js';
import { registry as builtinRegistry, cleanupRun } from '../../../lib/jobs/builtin/index.js';
import { LOCAL_CREDENTIALS } from '../../../local/function-environment.js';
import { LOCAL_SCHEDULER_ROLE_ARN } from '../../../local/scheduler.js';
import { localTestRegistry, noteRun } from '../../fixtures/local/jobs.js';
import { BUILTIN_FUNCTIONS, startTestLocal, type TestLocal } from '../../helpers/local.js';
import { waitFor } from '../../helpers/wait.js';

let running: TestLocal | undefined;
let schedulerClient: SchedulerClient | undefined;
afterEach(async () => {
  schedulerClient?.destroy();
  await running?.stop();
  running = undefined;
  schedulerClient = undefined;
});

const MINUTE = 60_000;

describe('startLocal: one-time schedules', () => {
  it('runs a job whose run-at is beyond 15 minutes when the driven clock reaches it; a cancelled one never runs', async () => {
    // Prepare: a manual clock starting now, and the real AwsScheduler adapter on the local Scheduler API.
    const start = new Date();
    running = await startTestLocal({ workers: [noteRun.name], clock: { start } });
    const { local } = running;
    schedulerClient = new SchedulerClient({
      region: local.region,
      credentials: LOCAL_CREDENTIALS,
      endpoint: local.endpoints.scheduler,
    });
    const client = new JobClient({
      registry: localTestRegistry,
      sqs: local.sqs,
      queues: Object.fromEntries(
        Object.values(local.queues).map((q) => [q.jobName, { url: q.queue.url, arn: q.queue.arn }]),
      ),
      scheduler: new AwsScheduler({
        groupName: local.scheduleGroupName,
        roleArn: LOCAL_SCHEDULER_ROLE_ARN,
        client: schedulerClient,
      }),
    });
    const runAt = new Date(start.getTime() + 20 * MINUTE);

    // Act: two jobs at the same run-at; one is cancelled.
    const kept = await client.enqueue(noteRun, { label: 'kept' }, { runAt });
    const cancelled = await client.enqueue(noteRun, { label: 'cancelled' }, { runAt });
    const cancel = await client.cancel(cancelled.jobId);

    // Assess: both were schedules (the SDK reads them back); the cancelled one is gone.
    expect([kept.status, cancelled.status, cancel]).toEqual(['scheduled', 'scheduled', true]);
    const schedule = await schedulerClient.send(
      new GetScheduleCommand({ Name: oneTimeScheduleName(kept.jobId), GroupName: local.scheduleGroupName }),
    );
    expect(schedule).toMatchObject({
      ScheduleExpression: `at(${runAt.toISOString().slice(0, 19)})`,
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: local.queues[noteRun.name]?.queue.arn },
    });
    expect(schedule.CreationDate).toBeInstanceOf(Date);
    const listed = await schedulerClient.send(
      new ListSchedulesCommand({ GroupName: local.scheduleGroupName, NamePrefix: 'job-' }),
    );
    expect(listed.Schedules?.map((s) => s.Name)).toEqual([oneTimeScheduleName(kept.jobId)]);

    // Nothing runs before run-at.
    await local.scheduler.advanceTo(new Date(runAt.getTime() - 1_000));
    expect(running.events()).toEqual([]);

    // At run-at the kept job runs; the schedule deleted itself; the cancelled job never runs.
    await local.scheduler.advanceTo(new Date(runAt.getTime() + 60 * MINUTE));
    const [ran] = await waitFor('the scheduled job', () => {
      const events = running?.events() ?? [];
      return events.length > 0 ? events : undefined;
    });
    expect(ran).toMatchObject({ jobId: kept.jobId, label: 'kept', attempt: 1 });
    await expect(
      schedulerClient.send(
        new GetScheduleCommand({ Name: oneTimeScheduleName(kept.jobId), GroupName: local.scheduleGroupName }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(await client.cancel(kept.jobId)).toBe(false);
    const queue = local.queues[noteRun.name];
    if (!queue) throw new Error('no queue for note.run');
    await waitFor('the queue to drain', async () =>
      (await running?.depth(queue.queue.url)) === 0 ? true : undefined,
    );
    expect(running.events().map((e) => e.label)).toEqual(['kept']);
  });
});

describe('startLocal: recurring schedules', () => {
  it("fires the cleanup's schedule at its time in its time zone", async () => {
    // Prepare: the built-in jobs on a stage whose time zone is Berlin, so the nightly cleanup (03:00)
    // runs at 02:00 UTC in November, as the stack would configure it.
    running = await startTestLocal({
      registry: builtinRegistry,
      workers: false,
      clock: { start: new Date('2026-11-23T01:30:00Z') },
      stage: { timeZone: 'Europe/Berlin' },
    });
    const { local } = running;
    const queue = local.queues[cleanupRun.name];
    if (!queue) throw new Error('no queue for cleanup.run');

    // Act
    const before = await local.scheduler.advanceTo(new Date('2026-11-23T01:59:59Z'));
    const due = await local.scheduler.advanceTo(new Date('2026-11-23T02:00:00Z'));
    const after = await local.scheduler.advanceTo(new Date('2026-11-23T03:00:00Z'));

    // Assess: one firing, at 02:00 UTC, on the cleanup's queue, as a distinct job.
    expect([before.length, due.length, after.length]).toEqual([0, 1, 0]);
    expect(due[0]?.scheduleName).toBe('cleanup-run-nightly');
    const received = await local.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.queue.url, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
    );
    expect(received.Messages).toHaveLength(1);
    const envelope = decodeEnvelope(received.Messages?.[0]?.Body ?? '');
    expect(envelope).toMatchObject({
      name: cleanupRun.name,
      enqueuedAt: '2026-11-23T02:00:00.000Z',
      payload: {},
    });
    expect(envelope.jobId).toBe(firingJobId('2026-11-23T02:00:00.000Z', due[0]?.executionId ?? ''));
  });
});

describe('startLocal: the nightly cleanup', () => {
  it('runs the real cleanup worker when its schedule fires, as a job of its own', async () => {
    // Prepare: the built-in jobs and their real functions, a clock just before 03:00 UTC.
    running = await startTestLocal({
      registry: builtinRegistry,
      functionsDir: BUILTIN_FUNCTIONS,
      clock: { start: new Date('2026-11-23T02:59:00Z') },
    });
    const { local } = running;
    const api = local.endpoints.api;
    if (api === undefined) throw new Error(`The API is not served: ${local.warnings.join('; ')}`);

    // Act
    const [firing] = await local.scheduler.advanceTo(new Date('2026-11-23T03:00:00Z'));
    const jobId = firingJobId('2026-11-23T03:00:00.000Z', firing?.executionId ?? '');
    const record = await waitFor('the cleanup to succeed', async () => {
      const response = await fetch(`${api}/jobs/${jobId}`);
      if (response.status !== 200) return undefined;
      const job = (await response.json()) as { status: string };
      return job.status === 'succeeded' ? job : undefined;
    });

    // Assess
    expect(firing?.scheduleName).toBe('cleanup-run');
    expect(record).toMatchObject({ jobId, name: cleanupRun.name, status: 'succeeded', attempts: 1 });
  });
});

describe('startLocal: AWS services without an emulator', () => {
  it('answers them on loopback with an error naming the service, instead of letting them reach AWS', async () => {
    running = await startTestLocal({ workers: false });
    const { local } = running;
    const ssm = new SSMClient({
      region: local.region,
      credentials: LOCAL_CREDENTIALS,
      endpoint: local.endpoints.scheduler,
    });

    const attempt = ssm.send(new GetParameterCommand({ Name: '/hangar/local/token' }));

    await expect(attempt).rejects.toThrow(
      'The Hangar local runtime has no emulator for AWS service "ssm" (AmazonSSM.GetParameter)',
    );
    ssm.destroy();
  });
});

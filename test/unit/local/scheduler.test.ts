import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  decodeEnvelope,
  deriveSettings,
  firingJobId,
  type SettingsOptions,
} from '../../../lib/deploy/index.js';
import { createRegistry } from '../../../lib/index.js';
import { registry as builtinRegistry } from '../../../lib/jobs/builtin/index.js';
import { LocalScheduler, type ScheduleDefinition, SchedulerApiError } from '../../../local/scheduler.js';
import { orderJob } from '../../helpers/jobs.js';

const sqsMock = mockClient(SQSClient);
const GROUP = 'hangar-test';
const ARNS = {
  'email.send': 'arn:aws:sqs:us-east-1:000000000000:email-send',
  'sync.run': 'arn:aws:sqs:us-east-1:000000000000:sync-run.fifo',
  'cleanup.run': 'arn:aws:sqs:us-east-1:000000000000:cleanup-run',
};
const url = (arn: string) => `http://127.0.0.1:4566/000000000000/${arn.split(':').pop()}`;

let schedulers: LocalScheduler[] = [];
beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(GetQueueUrlCommand).callsFake(async (input: { QueueName: string }) => ({
    QueueUrl: `http://127.0.0.1:4566/000000000000/${input.QueueName}`,
  }));
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
});
afterEach(async () => {
  await Promise.all(schedulers.map((s) => s.stop()));
  schedulers = [];
});

async function scheduler(
  start: string,
  options: { settings?: SettingsOptions; persistFile?: string; registry?: typeof builtinRegistry } = {},
) {
  const registry = options.registry ?? builtinRegistry;
  const created = new LocalScheduler({
    sqs: new SQSClient({ region: 'us-east-1' }),
    groupName: GROUP,
    settings: deriveSettings(registry, options.settings ?? {}),
    queueArns: Object.fromEntries(
      registry.jobs.map((job) => [
        job.name,
        ARNS[job.name as keyof typeof ARNS] ?? `arn:aws:sqs:us-east-1:0:x`,
      ]),
    ),
    manualClockStart: new Date(start),
    ...(options.persistFile === undefined ? {} : { persistFile: options.persistFile }),
  });
  await created.start();
  schedulers.push(created);
  return created;
}

const sent = () => sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input);

function oneTime(name: string, at: string, overrides: Partial<ScheduleDefinition> = {}) {
  return {
    Name: name,
    GroupName: GROUP,
    ScheduleExpression: `at(${at})`,
    ScheduleExpressionTimezone: 'UTC',
    State: 'ENABLED' as const,
    ActionAfterCompletion: 'DELETE' as const,
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    Target: { Arn: ARNS['email.send'], RoleArn: 'arn:aws:iam::0:role/r', Input: `{"job":"${name}"}` },
    ...overrides,
  };
}

describe('Class: LocalScheduler', () => {
  describe('Method: advanceTo (recurring schedules)', () => {
    it('fires the nightly cleanup at 03:00 UTC, not before, with a firing envelope per firing', async () => {
      // Prepare
      const local = await scheduler('2026-11-23T02:59:00Z');
      expect(local.nextFiring(GROUP, 'cleanup-run')?.toISOString()).toBe('2026-11-23T03:00:00.000Z');

      // Act
      const early = await local.advanceTo(new Date('2026-11-23T02:59:59Z'));
      const due = await local.advanceTo(new Date('2026-11-23T03:00:00Z'));

      // Assess
      expect(early).toEqual([]);
      expect(due).toHaveLength(1);
      const [input] = sent();
      expect(input?.QueueUrl).toBe(url(ARNS['cleanup.run']));
      const envelope = decodeEnvelope(input?.MessageBody ?? '');
      expect(envelope).toMatchObject({
        name: 'cleanup.run',
        enqueuedAt: '2026-11-23T03:00:00.000Z',
        attempt: 1,
      });
      expect(envelope.jobId).toBe(firingJobId('2026-11-23T03:00:00.000Z', due[0]?.executionId ?? ''));
      expect(JSON.parse(input?.MessageBody ?? '{}').firing).toEqual({
        schedule: 'cleanup-run',
        executionId: due[0]?.executionId,
      });
      expect(local.now().toISOString()).toBe('2026-11-23T03:00:00.000Z');
      expect(local.nextFiring(GROUP, 'cleanup-run')?.toISOString()).toBe('2026-11-24T03:00:00.000Z');
    });

    it('reads a configured schedule in its time zone', async () => {
      const local = await scheduler('2026-11-23T00:00:00Z', {
        settings: {
          schedules: {
            'cleanup.run': [{ id: 'nightly', expression: 'cron(0 3 * * ? *)', timeZone: 'Europe/Berlin' }],
          },
        },
      });

      const fired = await local.advanceTo(new Date('2026-11-24T00:00:00Z'));

      // 03:00 in Berlin in November (UTC+1) is 02:00 UTC; nothing fires at 03:00 UTC.
      expect(fired.map((f) => [f.scheduleName, f.scheduledAt.toISOString()])).toEqual([
        ['cleanup-run-nightly', '2026-11-23T02:00:00.000Z'],
      ]);
    });

    it('delivers every firing in a long step once, in time order, each with its own job id', async () => {
      const local = await scheduler('2026-11-23T00:00:00Z', {
        settings: {
          schedules: {
            'cleanup.run': [
              { id: 'hourly', expression: 'rate(6 hours)' },
              { id: 'nightly', expression: 'cron(30 3 * * ? *)' },
            ],
          },
        },
      });

      const fired = await local.advanceTo(new Date('2026-11-24T00:00:00Z'));

      expect(fired.map((f) => `${f.scheduleName}@${f.scheduledAt.toISOString().slice(11, 16)}`)).toEqual([
        'cleanup-run-nightly@03:30',
        'cleanup-run-hourly@06:00',
        'cleanup-run-hourly@12:00',
        'cleanup-run-hourly@18:00',
        'cleanup-run-hourly@00:00',
      ]);
      const jobIds = sent().map((input) => decodeEnvelope(input.MessageBody ?? '').jobId);
      expect(new Set(jobIds).size).toBe(5);
    });

    it('sends FIFO firings with the message group from the settings', async () => {
      const order = orderJob({
        schedule: { expression: 'rate(1 hour)', payload: { orderId: 'o', customerId: 'c-7' } },
      });
      const local = await scheduler('2026-11-23T00:00:00Z', { registry: createRegistry([order]) });

      await local.advanceTo(new Date('2026-11-23T01:00:00Z'));

      expect(sent()).toMatchObject([{ MessageGroupId: 'c-7' }]);
      expect(sent()[0]?.MessageDeduplicationId).toBeUndefined();
    });

    it('refuses to go back in time, and to advance a system clock', async () => {
      const local = await scheduler('2026-11-23T00:00:00Z');
      await expect(local.advanceTo(new Date('2026-11-22T00:00:00Z'))).rejects.toThrow(
        'The clock cannot go back from 2026-11-23T00:00:00.000Z to 2026-11-22T00:00:00.000Z',
      );
      const system = new LocalScheduler({
        sqs: new SQSClient({ region: 'us-east-1' }),
        groupName: GROUP,
        settings: deriveSettings(createRegistry([])),
        queueArns: {},
      });
      await expect(system.advanceTo(new Date())).rejects.toThrow('advanceTo needs a manual clock');
    });
  });

  describe('Method: create (one-time schedules)', () => {
    it('fires an at() schedule once at its time and deletes it after completion', async () => {
      const local = await scheduler('2026-11-23T10:00:00Z');
      await local.create(oneTime('job-A-0', '2026-11-23T11:00:00'));

      expect(await local.advanceTo(new Date('2026-11-23T10:59:59Z'))).toEqual([]);
      const fired = await local.advanceTo(new Date('2026-11-23T11:00:00Z'));

      expect(fired.map((f) => f.body)).toEqual(['{"job":"job-A-0"}']);
      expect(() => local.get(GROUP, 'job-A-0')).toThrow(SchedulerApiError);
      const later = await local.advanceTo(new Date('2026-11-30T00:00:00Z'));
      expect(later.filter((f) => f.scheduleName === 'job-A-0')).toEqual([]);
    });

    it('never fires a deleted schedule', async () => {
      const local = await scheduler('2026-11-23T10:00:00Z');
      await local.create(oneTime('job-B-0', '2026-11-23T11:00:00'));

      await local.delete(GROUP, 'job-B-0');
      const fired = await local.advanceTo(new Date('2026-11-24T04:00:00Z'));

      expect(fired.map((f) => f.scheduleName)).toEqual(['cleanup-run']);
      await expect(local.delete(GROUP, 'job-B-0')).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        status: 404,
      });
    });

    it('treats a repeated create with the same client token as the same request, any other as a conflict', async () => {
      const local = await scheduler('2026-11-23T10:00:00Z');
      await local.create(oneTime('job-C-0', '2026-11-23T11:00:00', { ClientToken: 'job-C-0' }));

      await expect(
        local.create(oneTime('job-C-0', '2026-11-23T11:00:00', { ClientToken: 'job-C-0' })),
      ).resolves.toEqual({
        ScheduleArn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${GROUP}/job-C-0`,
      });
      await expect(local.create(oneTime('job-C-0', '2026-11-23T12:00:00'))).rejects.toMatchObject({
        name: 'ConflictException',
        status: 409,
      });
    });

    it.each([
      [
        'a target that is not a queue',
        { Target: { Arn: 'arn:aws:lambda:us-east-1:0:function:f', RoleArn: 'r' } },
        'delivers to SQS queues only',
      ],
      [
        'an expression AWS would refuse',
        { ScheduleExpression: 'at(2026-11-23 11:00)' },
        'Unsupported schedule expression',
      ],
    ])('rejects %s with a ValidationException', async (_what, overrides, message) => {
      const local = await scheduler('2026-11-23T10:00:00Z');
      const attempt = local.create(oneTime('job-D-0', '2026-11-23T11:00:00', overrides));
      await expect(attempt).rejects.toBeInstanceOf(SchedulerApiError);
      await expect(attempt).rejects.toThrow(message);
    });

    it('keeps one-time schedules across a restart when it persists', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'hangar-scheduler-'));
      try {
        const persistFile = join(dir, 'schedules.json');
        const first = await scheduler('2026-11-23T10:00:00Z', { persistFile });
        await first.create(oneTime('job-E-0', '2026-11-23T11:00:00'));
        await first.stop();
        expect(JSON.parse(await readFile(persistFile, 'utf8'))).toMatchObject({
          created: [{ Name: 'job-E-0' }],
        });

        const second = await scheduler('2026-11-23T10:30:00Z', { persistFile });
        const fired = await second.advanceTo(new Date('2026-11-23T11:00:00Z'));

        expect(fired.map((f) => f.scheduleName)).toEqual(['job-E-0']);
        expect(JSON.parse(await readFile(persistFile, 'utf8'))).toEqual({
          created: [],
          declaredStates: { 'cleanup-run': 'ENABLED' },
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('lists declared and created schedules of a group', async () => {
      const local = await scheduler('2026-11-23T10:00:00Z');
      await local.create(oneTime('job-F-0', '2026-11-23T11:00:00'));

      expect(local.list({ groupName: GROUP }).map((d) => d.Name)).toEqual(['cleanup-run', 'job-F-0']);
      expect(local.list({ namePrefix: 'job-' }).map((d) => d.Name)).toEqual(['job-F-0']);
      expect(local.list({ groupName: 'other' })).toEqual([]);
    });
  });

  describe('Method: update (pause and resume)', () => {
    const disabled = (local: LocalScheduler, name: string) => ({
      ...local.get(GROUP, name),
      State: 'DISABLED' as const,
    });

    it('does not fire a disabled schedule, and after enabling fires at its next time without backfilling', async () => {
      // Prepare
      const local = await scheduler('2026-11-23T02:00:00Z');

      // Act
      await local.update(disabled(local, 'cleanup-run'));
      const whileDisabled = await local.advanceTo(new Date('2026-11-25T04:00:00Z'));
      await local.update({ ...local.get(GROUP, 'cleanup-run'), State: 'ENABLED' });
      const next = local.nextFiring(GROUP, 'cleanup-run');
      const afterEnabling = await local.advanceTo(new Date('2026-11-26T03:00:00Z'));

      // Assess
      expect(whileDisabled).toEqual([]);
      expect(next?.toISOString()).toBe('2026-11-26T03:00:00.000Z');
      expect(afterEnabling.map((f) => f.scheduledAt.toISOString())).toEqual(['2026-11-26T03:00:00.000Z']);
      expect(local.get(GROUP, 'cleanup-run')).toMatchObject({
        State: 'ENABLED',
        CreationDate: '2026-11-23T02:00:00.000Z',
        LastModificationDate: '2026-11-25T04:00:00.000Z',
      });
    });

    it('keeps a declared schedule disabled across a restart when it persists', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'hangar-scheduler-'));
      try {
        // Prepare
        const persistFile = join(dir, 'schedules.json');
        const first = await scheduler('2026-11-23T02:00:00Z', { persistFile });
        await first.update(disabled(first, 'cleanup-run'));
        await first.stop();

        // Act
        const second = await scheduler('2026-11-23T02:30:00Z', { persistFile });
        const fired = await second.advanceTo(new Date('2026-11-24T04:00:00Z'));

        // Assess
        expect(second.get(GROUP, 'cleanup-run').State).toBe('DISABLED');
        expect(fired).toEqual([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('refuses a schedule that does not exist', async () => {
      // Prepare
      const local = await scheduler('2026-11-23T02:00:00Z');

      // Act
      const update = local.update(oneTime('job-X-0', '2026-11-23T11:00:00'));

      // Assess
      await expect(update).rejects.toThrow(
        new SchedulerApiError('ResourceNotFoundException', 'Schedule job-X-0 does not exist.'),
      );
    });
  });

  describe('Method: advanceTo (deliveries that fail)', () => {
    it('retries a failed delivery and then gives the firing up without stopping the clock', async () => {
      sqsMock.on(SendMessageCommand).rejects(new Error('queue gone'));
      const local = await scheduler('2026-11-23T02:59:00Z');

      const fired = await local.advanceTo(new Date('2026-11-23T03:00:00Z'));

      expect(fired).toEqual([]);
      expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(3);
      expect(local.nextFiring(GROUP, 'cleanup-run')?.toISOString()).toBe('2026-11-24T03:00:00.000Z');
    });
  });

  describe('on the system clock', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('fires recurring and one-time schedules by itself when their time comes', async () => {
      // Prepare: timers and Date under the test's control; no manual clock.
      vi.useFakeTimers({ now: new Date('2026-11-23T02:00:00Z') });
      const fired: string[] = [];
      const system = new LocalScheduler({
        sqs: new SQSClient({ region: 'us-east-1' }),
        groupName: GROUP,
        settings: deriveSettings(builtinRegistry),
        queueArns: ARNS,
        onFiring: (f) => fired.push(`${f.scheduleName}@${f.scheduledAt.toISOString()}`),
      });
      schedulers.push(system);
      await system.start();
      await system.create(oneTime('job-G-0', '2026-11-23T02:30:00'));

      // Act: a day passes, in one-minute steps as a running process would see it.
      for (let minute = 0; minute < 24 * 60; minute++) await vi.advanceTimersByTimeAsync(60_000);

      // Assess
      expect(fired).toEqual(['job-G-0@2026-11-23T02:30:00.000Z', 'cleanup-run@2026-11-23T03:00:00.000Z']);
      expect(system.manual).toBe(false);
    });
  });
});

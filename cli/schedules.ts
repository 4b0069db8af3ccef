import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SendMessageCommandInput, type SQSClient } from '@aws-sdk/client-sqs';
import {
  deriveSettings,
  firingJobId,
  type JobRegistry,
  renderFiring,
  type ScheduleSettings,
} from '../lib/index.js';
import { UsageError } from './errors.js';

/** The recurring schedules the settings module derives from the registry's declarations. */
export function listSchedules(registry: JobRegistry): readonly ScheduleSettings[] {
  return deriveSettings(registry).jobs.flatMap((job) => job.schedules);
}

/** The payload each firing of a schedule carries. */
export function schedulePayload(schedule: ScheduleSettings): unknown {
  return (JSON.parse(schedule.input) as { payload?: unknown }).payload;
}

/**
 * A schedule by its name (`cleanup-run`), or by the name of a job that has exactly one schedule
 * (`cleanup.run`).
 * @throws {UsageError} naming the schedules there are.
 */
export function findSchedule(registry: JobRegistry, name: string): ScheduleSettings {
  const schedules = listSchedules(registry);
  const byName = schedules.find((s) => s.name === name);
  if (byName) return byName;
  const ofJob = schedules.filter((s) => s.jobName === name);
  if (ofJob.length === 1 && ofJob[0]) return ofJob[0];
  const known = schedules.map((s) => s.name).join(', ') || '(none)';
  throw new UsageError(
    ofJob.length > 1
      ? `Job "${name}" has ${ofJob.length} schedules; name one: ${ofJob.map((s) => s.name).join(', ')}`
      : `Unknown schedule "${name}"; schedules: ${known}`,
  );
}

export interface Firing {
  readonly schedule: string;
  readonly jobName: string;
  readonly jobId: string;
  readonly messageId: string;
  readonly firedAt: string;
}

/**
 * Fires a schedule now, as Scheduler would: its rendered input goes to the job's queue, and the
 * worker derives the job id from the firing time and execution id, like any other firing.
 */
export async function fireSchedule(
  sqs: SQSClient,
  queueUrl: string,
  schedule: ScheduleSettings,
  options: { readonly now?: Date; readonly executionId?: string } = {},
): Promise<Firing> {
  const now = options.now ?? new Date();
  const executionId = options.executionId ?? `hangar-run-${randomUUID()}`;
  const input: SendMessageCommandInput = {
    QueueUrl: queueUrl,
    MessageBody: renderFiring(schedule.input, now, executionId),
    ...(schedule.messageGroupId === undefined
      ? {}
      : { MessageGroupId: schedule.messageGroupId, MessageDeduplicationId: executionId }),
  };
  const out = await sqs.send(new SendMessageCommand(input));
  return {
    schedule: schedule.name,
    jobName: schedule.jobName,
    jobId: firingJobId(now.toISOString(), executionId),
    messageId: out.MessageId ?? '',
    firedAt: now.toISOString(),
  };
}

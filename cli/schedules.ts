/**
 * Recurring schedules as the target actually runs them: read from the target's schedule group
 * through the EventBridge Scheduler API (`ListSchedules`, `GetSchedule`) — AWS on a stage, the
 * local runtime's compatible endpoint locally. The settings module only knows the declared
 * schedules; a stage's configuration adds some (one per scheduled sync source) and may move others
 * (the cleanup's cron and time zone), and an operator must see what really fires.
 *
 * Firing one now does what Scheduler does at a firing: the schedule's input, rendered with the
 * current time and a fresh execution id, goes to the job's queue. The worker derives the job id
 * from those two, so the printed id is the one the job runs under.
 */
import { randomUUID } from 'node:crypto';
import {
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ListSchedulesCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { SendMessageCommand, type SendMessageCommandInput, type SQSClient } from '@aws-sdk/client-sqs';
import { firingJobId, renderFiring, resourceStem } from '../lib/deploy/index.js';
import type { JobRegistry } from '../lib/index.js';
import { FIRING_PLACEHOLDERS } from '../lib/jobs/envelope.js';
import { UnknownScheduleError } from './errors.js';
import type { Target } from './target.js';

/** A recurring schedule of the target, with what each firing sends. */
export interface RecurringScheduleView {
  readonly name: string;
  readonly job: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly state: string;
  /** The payload each firing carries. */
  readonly payload: unknown;
  /** The firing template (Scheduler's placeholders unfilled). */
  readonly input: string;
  /** FIFO jobs: the message group of each firing. */
  readonly messageGroupId: string | undefined;
  /** When the schedule was created (ISO): a `rate(...)` schedule fires at multiples of its rate from then. */
  readonly createdAt: string | undefined;
}

export interface ScheduleSource {
  readonly client: SchedulerClient;
  readonly groupName: string;
}

/** A firing template of a registered job, or undefined for anything else in the group. */
function firingTemplate(
  input: string | undefined,
  registry: JobRegistry,
): { name: string; payload: unknown } | undefined {
  if (input === undefined || !input.includes(FIRING_PLACEHOLDERS.executionId)) return undefined;
  try {
    const template = JSON.parse(input) as { name?: unknown; payload?: unknown };
    return typeof template.name === 'string' && registry.find(template.name)
      ? { name: template.name, payload: template.payload }
      : undefined;
  } catch {
    return undefined;
  }
}

function toView(
  schedule: GetScheduleCommandOutput,
  registry: JobRegistry,
): RecurringScheduleView | undefined {
  const expression = schedule.ScheduleExpression ?? '';
  // One-time `at(...)` schedules (long delays) share the group; they are jobs, not schedules.
  if (expression.startsWith('at(')) return undefined;
  const template = firingTemplate(schedule.Target?.Input, registry);
  if (!template) return undefined;
  return {
    name: schedule.Name ?? '',
    job: template.name,
    expression,
    timeZone: schedule.ScheduleExpressionTimezone ?? 'UTC',
    state: schedule.State ?? 'ENABLED',
    payload: template.payload,
    input: schedule.Target?.Input ?? '',
    messageGroupId: schedule.Target?.SqsParameters?.MessageGroupId,
    createdAt: schedule.CreationDate?.toISOString(),
  };
}

/**
 * The recurring schedules of the registered jobs in the group, by name. Only names under a job's
 * resource stem are read (`cleanup-run`, `sync-run-<source>`), so the one-time schedules of
 * delayed jobs, however many, are not fetched one by one.
 */
export async function listSchedules(
  source: ScheduleSource,
  registry: JobRegistry,
): Promise<RecurringScheduleView[]> {
  const names = new Set<string>();
  for (const job of registry.jobs) {
    let nextToken: string | undefined;
    do {
      const page = await source.client.send(
        new ListSchedulesCommand({
          GroupName: source.groupName,
          NamePrefix: resourceStem(job.name),
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      );
      for (const summary of page.Schedules ?? []) if (summary.Name) names.add(summary.Name);
      nextToken = page.NextToken;
    } while (nextToken);
  }
  const views: RecurringScheduleView[] = [];
  for (const name of [...names].sort()) {
    const schedule = await source.client.send(
      new GetScheduleCommand({ Name: name, GroupName: source.groupName }),
    );
    const view = toView(schedule, registry);
    if (view) views.push(view);
  }
  return views;
}

/**
 * A schedule by its name (`cleanup-run`), or by the name of a job that has exactly one schedule
 * (`cleanup.run`).
 * @throws {UnknownScheduleError} naming the schedules there are.
 */
export function findSchedule(
  schedules: readonly RecurringScheduleView[],
  name: string,
): RecurringScheduleView {
  const byName = schedules.find((s) => s.name === name);
  if (byName) return byName;
  const ofJob = schedules.filter((s) => s.job === name);
  if (ofJob.length === 1 && ofJob[0]) return ofJob[0];
  throw new UnknownScheduleError(
    ofJob.length > 1
      ? `Job "${name}" has ${ofJob.length} schedules; name one: ${ofJob.map((s) => s.name).join(', ')}`
      : `Unknown schedule "${name}"; schedules: ${schedules.map((s) => s.name).join(', ') || '(none)'}`,
    name,
  );
}

export interface Firing {
  readonly schedule: string;
  readonly jobName: string;
  readonly jobId: string;
  readonly messageId: string;
  readonly firedAt: string;
}

/** Fires a schedule now: its rendered input goes to the job's queue, as Scheduler would send it. */
export async function fireSchedule(
  sqs: SQSClient,
  queueUrl: string,
  schedule: RecurringScheduleView,
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
    jobName: schedule.job,
    jobId: firingJobId(now.toISOString(), executionId),
    messageId: out.MessageId ?? '',
    firedAt: now.toISOString(),
  };
}

/**
 * `hangar run <schedule>` and the dashboard's "Run now": finds the schedule among the target's
 * recurring schedules (by name, or by the job name of a job with one schedule) and fires it.
 * @throws {UnknownScheduleError} for an unknown schedule.
 */
export async function runSchedule(
  target: Target,
  registry: JobRegistry,
  name: string,
  now: Date,
): Promise<Firing & { readonly queue: string }> {
  const schedule = findSchedule(await listSchedules(target.scheduleSource(), registry), name);
  const { queue } = await target.queuesOf(registry.get(schedule.job));
  return { ...(await fireSchedule(target.sqs, queue.url, schedule, { now })), queue: queue.name };
}

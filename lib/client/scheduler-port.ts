import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import * as z from 'zod/mini';
import { ConfigError } from '../errors.js';
import type { OptionsShape } from '../options.js';

/** Where a job's queue is: the URL for SQS calls, the ARN for Scheduler targets and IAM. */
export interface QueueAddress {
  readonly url: string;
  readonly arn?: string;
  /**
   * The job's DLQ, where Scheduler puts a one-time schedule's message it could not deliver (the
   * job's DLQ alarm sees it, and a redrive of the job runs it).
   */
  readonly dlqArn?: string;
}

/** A `QueueAddress` as configuration gives it (the client's `queues`, the API's `HANGAR_QUEUES`). */
export const queueAddressSchema = z.strictObject({
  url: z.string().check(z.minLength(1)),
  arn: z.optional(z.string()),
  dlqArn: z.optional(z.string()),
} satisfies OptionsShape<QueueAddress>);

/** A schedule that puts one message on a job's queue once, at `runAt`, and then deletes itself. */
export interface OneTimeSchedule {
  readonly name: string;
  readonly runAt: Date;
  readonly queue: QueueAddress;
  /** The encoded envelope, delivered as the message body. */
  readonly body: string;
  /** FIFO queues only. */
  readonly messageGroupId?: string;
}

/**
 * The client's view of a scheduler. EventBridge Scheduler implements it in AWS; the local
 * runtime implements it with a clock tests can drive.
 */
export interface SchedulerPort {
  createOneTime(schedule: OneTimeSchedule): Promise<void>;
  /** @returns false when no such schedule exists (it fired already, or never existed). */
  deleteOneTime(name: string): Promise<boolean>;
}

/** One-time schedules are named after the job they run: `job-<jobId>-<continuation>` (≤ 64 characters). */
export function oneTimeScheduleName(jobId: string, continuation = 0): string {
  return `job-${jobId}-${continuation}`;
}

/** Scheduler's `at()` takes a local date-time without zone or fraction; we always pass UTC. */
export function atExpression(runAt: Date): string {
  return `at(${runAt.toISOString().slice(0, 19)})`;
}

export interface AwsSchedulerOptions {
  /** The schedule group one-time schedules are created in (stack output `ScheduleGroupName`). */
  readonly groupName: string;
  /** The role Scheduler assumes to send to the queue (stack output `SchedulerRoleArn`). */
  readonly roleArn: string;
  readonly client?: SchedulerClient;
  /** How long Scheduler keeps retrying a delivery that fails. @default 86_400 (its maximum) */
  readonly maxEventAgeSeconds?: number;
}

/**
 * EventBridge Scheduler behind the port: `at(...)` schedules in UTC, no flexible window, deleted
 * after they fire (`ActionAfterCompletion: DELETE`).
 */
export class AwsScheduler implements SchedulerPort {
  readonly #client: SchedulerClient;
  readonly #options: AwsSchedulerOptions;

  constructor(options: AwsSchedulerOptions) {
    if (!options.groupName || !options.roleArn) {
      throw new ConfigError(
        'AwsScheduler needs groupName and roleArn (stack outputs ScheduleGroupName, SchedulerRoleArn)',
      );
    }
    this.#options = options;
    this.#client = options.client ?? new SchedulerClient({});
  }

  async createOneTime(schedule: OneTimeSchedule): Promise<void> {
    if (!schedule.queue.arn) {
      throw new ConfigError(`A one-time schedule needs the queue ARN of ${schedule.queue.url}`);
    }
    await this.#client.send(
      new CreateScheduleCommand({
        Name: schedule.name,
        GroupName: this.#options.groupName,
        ScheduleExpression: atExpression(schedule.runAt),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        // The name is unique per job and continuation, so a retried create is the same request.
        ClientToken: schedule.name,
        Target: {
          Arn: schedule.queue.arn,
          RoleArn: this.#options.roleArn,
          Input: schedule.body,
          RetryPolicy: { MaximumEventAgeInSeconds: this.#options.maxEventAgeSeconds ?? 86_400 },
          ...(schedule.queue.dlqArn === undefined
            ? {}
            : { DeadLetterConfig: { Arn: schedule.queue.dlqArn } }),
          ...(schedule.messageGroupId === undefined
            ? {}
            : { SqsParameters: { MessageGroupId: schedule.messageGroupId } }),
        },
      }),
    );
  }

  async deleteOneTime(name: string): Promise<boolean> {
    try {
      await this.#client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.#options.groupName }));
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      throw error;
    }
  }
}

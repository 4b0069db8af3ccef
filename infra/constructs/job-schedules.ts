import { Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Schedule,
  ScheduleExpression,
  ScheduleGroup,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { SqsSendMessage } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { oneTimeScheduleName } from '../../lib/client/scheduler-port.js';
import { pascalName, SETTINGS_RULES } from '../../lib/deploy/index.js';
import { ConfigError } from '../../lib/index.js';
import type { JobQueue } from './job-queue.js';

/**
 * The names one-time schedules get (`job-<jobId>-<continuation>`) as an IAM pattern: the API and
 * producers may create and delete these, never the recurring schedules of the same group.
 */
export const ONE_TIME_SCHEDULE_PATTERN = `${oneTimeScheduleName('*', 0).slice(0, -1)}*`;

const matchesPattern = (name: string, pattern: string): boolean =>
  new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`).test(name);
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const ONE_TIME_SCHEDULE_ACTIONS = {
  create: 'scheduler:CreateSchedule',
  delete: 'scheduler:DeleteSchedule',
} as const;
export type OneTimeScheduleAction = keyof typeof ONE_TIME_SCHEDULE_ACTIONS;

export interface JobSchedulesProps {
  /** Every job's queue; each job's `settings.schedules` become recurring schedules. */
  readonly queues: readonly JobQueue[];
  /** Recurring schedules (by name) deployed disabled; the others deploy enabled. @default [] */
  readonly pausedSchedules?: readonly string[];
  /** Of the schedule group and the delivery DLQ. @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * EventBridge Scheduler for the stage: one group holding every recurring schedule and the one-time
 * schedules the client and the API create, the role Scheduler assumes to deliver to job queues,
 * and a DLQ for deliveries that still fail after Scheduler's retries.
 */
export class JobSchedules extends Construct {
  readonly group: ScheduleGroup;
  /** Assumed by Scheduler; may send to every job queue and the delivery DLQ, nothing else. */
  readonly role: Role;
  readonly deadLetterQueue: Queue;
  /** The recurring schedules, by schedule name. */
  readonly schedules: ReadonlyMap<string, Schedule>;
  /** ARN pattern of the one-time schedules in the group. */
  readonly oneTimeScheduleArns: string;

  constructor(scope: Construct, id: string, props: JobSchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;

    const collisions = props.queues.flatMap((q) =>
      q.settings.schedules.filter((s) => matchesPattern(s.name, ONE_TIME_SCHEDULE_PATTERN)),
    );
    if (collisions.length > 0) {
      throw new ConfigError(
        `Recurring schedule names ${collisions.map((s) => `"${s.name}" (job "${s.jobName}")`).join(', ')} look like one-time schedule names (${ONE_TIME_SCHEDULE_PATTERN}), which the API may delete; rename the job or the schedule id`,
      );
    }

    this.group = new ScheduleGroup(this, 'Group', { removalPolicy });
    this.oneTimeScheduleArns = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.group.scheduleGroupName}/${ONE_TIME_SCHEDULE_PATTERN}`,
    });
    this.role = new Role(this, 'Role', {
      description: 'Assumed by EventBridge Scheduler to deliver scheduled jobs to their queues',
      // Only schedules of this stack's group may use the role (confused-deputy protection).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': this.group.scheduleGroupArn },
        },
      }),
    });
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.seconds(SETTINGS_RULES.dlqRetentionSeconds),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy,
    });

    const declared = props.queues.flatMap((q) => q.settings.schedules.map((s) => s.name));
    const paused = new Set(props.pausedSchedules ?? []);
    const unknown = [...paused].filter((name) => !declared.includes(name));
    if (unknown.length > 0) {
      throw new ConfigError(
        `pausedSchedules: ${unknown.map((n) => `"${n}"`).join(', ')} ${unknown.length === 1 ? 'is not a schedule' : 'are not schedules'} of this stage; schedules: ${declared.join(', ') || '(none)'}`,
      );
    }

    const schedules = new Map<string, Schedule>();
    for (const jobQueue of props.queues) {
      // One-time schedules may target any job's queue, so the role sends to all of them.
      jobQueue.queue.grant(this.role, 'sqs:SendMessage');
      for (const schedule of jobQueue.settings.schedules) {
        schedules.set(
          schedule.name,
          new Schedule(this, pascalName(schedule.name), {
            // Unique within the group, which CloudFormation names per stack; the CLI and the local
            // runtime know schedules by these derived names.
            scheduleName: schedule.name,
            description: `Recurring ${schedule.jobName}`,
            scheduleGroup: this.group,
            schedule: ScheduleExpression.expression(schedule.expression, TimeZone.of(schedule.timeZone)),
            timeWindow: TimeWindow.flexible(Duration.minutes(schedule.flexibleWindowMinutes)),
            // Always in the template (Scheduler's UpdateSchedule would default a missing one to
            // ENABLED): a deploy that changes a schedule writes this state.
            enabled: !paused.has(schedule.name),
            target: new SqsSendMessage(jobQueue.queue, {
              role: this.role,
              // Verbatim: Scheduler fills in the scheduled time and execution id, so each firing
              // becomes a distinct job (PRODUCT.md: never a fixed id in the input).
              input: ScheduleTargetInput.fromText(schedule.input),
              ...(schedule.messageGroupId === undefined ? {} : { messageGroupId: schedule.messageGroupId }),
              retryAttempts: schedule.maxRetryAttempts,
              maxEventAge: Duration.seconds(schedule.maxEventAgeSeconds),
              deadLetterQueue: this.deadLetterQueue,
            }),
          }),
        );
      }
    }
    this.schedules = schedules;
  }

  /**
   * Create and/or delete one-time schedules in the group, and pass the scheduler role (only to
   * Scheduler) when creating: what a producer needs for long delays and cancellations.
   */
  oneTimeScheduleStatements(actions: readonly OneTimeScheduleAction[]): PolicyStatement[] {
    const statements = [
      new PolicyStatement({
        actions: actions.map((a) => ONE_TIME_SCHEDULE_ACTIONS[a]),
        resources: [this.oneTimeScheduleArns],
      }),
    ];
    if (actions.includes('create')) {
      statements.push(
        new PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [this.role.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      );
    }
    return statements;
  }

  grantOneTimeSchedules(grantee: IGrantable, actions: readonly OneTimeScheduleAction[]): void {
    for (const statement of this.oneTimeScheduleStatements(actions)) {
      grantee.grantPrincipal.addToPrincipalPolicy(statement);
    }
  }
}

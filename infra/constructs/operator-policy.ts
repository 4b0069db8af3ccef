import { Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { JobQueue } from './job-queue.js';
import type { JobSchedules } from './job-schedules.js';
import type { JobWorker } from './job-worker.js';
import { HTTP_ROUTES, type JobsApi } from './jobs-api.js';

export interface OperatorPolicyProps {
  /** Every job's queue pair: depths, dead letters, redrives. */
  readonly queues: readonly JobQueue[];
  /** Recurring schedules to list and fire; one-time schedules of jobs enqueued or cancelled. */
  readonly schedules: JobSchedules;
  /** The job ledger: listings, lookups, counts; cancels and redrive records. */
  readonly ledger: Table;
  /** The job API the CLI's `send`, `status`, `cancel` and `jobs` call. */
  readonly api: JobsApi;
  /** Every job's worker: whose event source `hangar pause` and `hangar resume` disable and enable. */
  readonly workers: readonly JobWorker[];
}

/**
 * The managed policies an operator attaches to run `hangar` and `hangar dashboard` against this
 * stage with their own credentials — exactly the calls those make, nothing else:
 * - `readOnly`: the stack's outputs, queue depths, dead letters read and given back (SQS has no
 *   peek: receiving returns bodies, so this policy can read payloads; the dashboard's read-only
 *   mode does not show them), CloudWatch figures, schedules, ledger reads, the API's GET routes,
 *   and listing event source mappings (whether a queue is paused, in `hangar queues`).
 * - `full`: all of that, plus redrives (re-send, native move task), discards, run now, enqueue and
 *   cancel (ledger writes, one-time schedules, passing the scheduler role), every API route, and
 *   pause and resume (the workers' event source mappings; the recurring schedules' state, which
 *   `UpdateSchedule` writes with the scheduler role, passed).
 */
export class OperatorPolicy extends Construct {
  readonly readOnly: ManagedPolicy;
  readonly full: ManagedPolicy;

  constructor(scope: Construct, id: string, props: OperatorPolicyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const queues = props.queues.map((q) => q.queue.queueArn);
    const dlqs = props.queues.map((q) => q.deadLetterQueue.queueArn);
    const table = props.ledger.tableArn;
    const schedulesInGroup = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${props.schedules.group.scheduleGroupName}/*`,
    });
    const routes = (methods?: readonly string[]) =>
      HTTP_ROUTES.filter((r) => methods === undefined || methods.includes(r.method)).map((route) =>
        props.api.httpApi.arnForExecuteApi(
          route.method,
          route.path.replaceAll(/\{[^}]+\}/g, '*'),
          props.api.stage.stageName,
        ),
      );

    const read = [
      new PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [stack.stackId] }),
      new PolicyStatement({ actions: ['sqs:GetQueueAttributes'], resources: [...queues, ...dlqs] }),
      new PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility'],
        resources: dlqs,
      }),
      // GetMetricData has no resource-level permissions.
      new PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
      // ListSchedules has no resource-level permissions either; GetSchedule is kept to the group.
      new PolicyStatement({ actions: ['scheduler:ListSchedules'], resources: ['*'] }),
      new PolicyStatement({ actions: ['scheduler:GetSchedule'], resources: [schedulesInGroup] }),
      // ListEventSourceMappings has no resource-level permissions.
      new PolicyStatement({ actions: ['lambda:ListEventSourceMappings'], resources: ['*'] }),
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [table, `${table}/index/*`],
      }),
      new PolicyStatement({ actions: ['execute-api:Invoke'], resources: routes(['GET']) }),
    ];
    const write = [
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: queues }),
      new PolicyStatement({
        actions: ['sqs:DeleteMessage', 'sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks'],
        resources: dlqs,
      }),
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [table],
      }),
      ...props.schedules.oneTimeScheduleStatements(['create', 'delete']),
      ...statementIfAny(
        ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
        props.workers.map((w) => w.eventSource.eventSourceMappingArn),
      ),
      ...statementIfAny(
        ['scheduler:UpdateSchedule'],
        [...props.schedules.schedules.values()].map((s) => s.scheduleArn),
      ),
      new PolicyStatement({ actions: ['execute-api:Invoke'], resources: routes() }),
    ];
    this.readOnly = new ManagedPolicy(this, 'ReadOnly', {
      description:
        'Operate Hangar read-only: hangar queues/dlq peek/jobs/status/schedules, hangar dashboard --read-only',
      statements: read,
    });
    this.full = new ManagedPolicy(this, 'Full', {
      description:
        'Operate Hangar: every hangar command and the dashboard, redrive, discard, pause and resume included',
      statements: [...read, ...write],
    });
  }
}

/** A statement needs a resource: a stage without workers or recurring schedules grants nothing for them. */
function statementIfAny(actions: readonly string[], resources: readonly string[]): PolicyStatement[] {
  return resources.length === 0
    ? []
    : [new PolicyStatement({ actions: [...actions], resources: [...resources] })];
}

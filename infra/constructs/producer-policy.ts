import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { JobQueue } from './job-queue.js';
import type { JobSchedules } from './job-schedules.js';
import { HTTP_ROUTES, type JobsApi } from './jobs-api.js';

export interface ProducerPolicyProps {
  /** Every job's queue: producers send straight to SQS with `JobClient`. */
  readonly queues: readonly JobQueue[];
  /** Long delays and FIFO delays become one-time schedules; `cancel` deletes them. */
  readonly schedules: JobSchedules;
  /** Producers may call the IAM-authorized HTTP API instead. */
  readonly api: JobsApi;
}

/**
 * The managed policy other services attach to send jobs: send to every job queue, create and
 * delete one-time schedules passing the scheduler role, and invoke the HTTP API. No reads of the
 * ledger or the DLQs: those are the operator's.
 */
export class ProducerPolicy extends Construct {
  readonly policy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: ProducerPolicyProps) {
    super(scope, id);
    this.policy = new ManagedPolicy(this, 'Policy', {
      description: 'Send Hangar jobs: enqueue, schedule and cancel one-time schedules, call the job API',
      statements: [
        new PolicyStatement({
          actions: ['sqs:SendMessage'],
          resources: props.queues.map((q) => q.queue.queueArn),
        }),
        ...props.schedules.oneTimeScheduleStatements(['create', 'delete']),
        new PolicyStatement({
          actions: ['execute-api:Invoke'],
          // One ARN per route; a path parameter (`{id}`) matches any one value.
          resources: HTTP_ROUTES.map((route) =>
            props.api.httpApi.arnForExecuteApi(
              route.method,
              route.path.replaceAll(/\{[^}]+\}/g, '*'),
              props.api.stage.stageName,
            ),
          ),
        }),
      ],
    });
  }
}

import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type JobSettings, serviceName, usesLedger, workerEnvironment } from '../../lib/deploy/index.js';
import { ConfigError } from '../../lib/index.js';
import { HangarFunction } from './hangar-function.js';
import type { JobQueue } from './job-queue.js';
import type { JobSchedules } from './job-schedules.js';
import type { SenderIdentity } from './sender-identity.js';
import type { StageParameters } from './stage-parameters.js';

export interface JobWorkerProps {
  /** The job's queue pair; its `settings` size the function and the event source. */
  readonly queue: JobQueue;
  /** `functions/<dir>/handler.ts`, exporting `handler`. */
  readonly entry: string;
  readonly stage: string;
  /** Required when the job uses the ledger (`useLedger`, or the `ledger` resource). */
  readonly ledger?: ITable;
  /** Required when the job declares the `ses` resource. */
  readonly sender?: SenderIdentity;
  /** Required when the job declares the `parameters` resource. */
  readonly parameters?: StageParameters;
  /** Required for FIFO jobs: a delayed continuation of a FIFO job goes through a one-time schedule. */
  readonly schedules?: JobSchedules;
  /**
   * Deploy the event source mapping disabled (the stage lists the job in `pausedJobs`). Otherwise
   * the template leaves `Enabled` out, so a pause made through the Lambda API is not undone by a
   * deploy that does not change the mapping. @default false
   */
  readonly paused?: boolean;
  /** Variables besides the standard ones (`ENV_VARS`), which they may not replace. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default FUNCTION_DEFAULTS.logRetention */
  readonly logRetention?: RetentionDays;
  /** @default FUNCTION_DEFAULTS.removalPolicy */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The worker of one job: a function sized by the job's settings behind an SQS event source with
 * partial batch responses, allowed exactly what the declaration's `resources` name plus its own
 * queue (consume, continuations and retry re-sends) and DLQ (the worker dead-letters itself).
 */
export class JobWorker extends Construct {
  readonly handler: HangarFunction;
  readonly eventSource: EventSourceMapping;
  readonly settings: JobSettings;
  /** Powertools' `service` of this worker: the dimension its job metrics carry. */
  readonly serviceName: string;

  constructor(scope: Construct, id: string, props: JobWorkerProps) {
    super(scope, id);
    const settings = props.queue.settings;
    this.settings = settings;
    this.serviceName = serviceName(props.stage, settings.jobName);
    const { queue, deadLetterQueue } = props.queue;

    const missing = [
      usesLedger(settings) && !props.ledger ? 'ledger (the job uses the ledger)' : undefined,
      settings.resources.includes('ses') && !props.sender ? 'sender (the job declares "ses")' : undefined,
      settings.resources.includes('parameters') && !props.parameters
        ? 'parameters (the job declares "parameters")'
        : undefined,
      settings.fifo && !props.schedules
        ? 'schedules (FIFO jobs continue with delays through them)'
        : undefined,
    ].filter((m) => m !== undefined);
    if (missing.length > 0) {
      throw new ConfigError(`Worker of job "${settings.jobName}" needs ${missing.join(', ')}`);
    }

    const environment = workerEnvironment(
      settings,
      { url: queue.queueUrl, arn: queue.queueArn, dlqUrl: deadLetterQueue.queueUrl },
      {
        stage: props.stage,
        ...(props.ledger ? { tableName: props.ledger.tableName } : {}),
        ...(props.sender ? { senderEmail: props.sender.email } : {}),
        ...(props.schedules
          ? {
              scheduleGroupName: props.schedules.group.scheduleGroupName,
              schedulerRoleArn: props.schedules.role.roleArn,
            }
          : {}),
        toJson: (value) => Stack.of(this).toJsonString(value),
      },
    );
    const clashes = Object.keys(props.environment ?? {}).filter((name) => name in environment);
    if (clashes.length > 0) {
      throw new ConfigError(
        `Worker of job "${settings.jobName}": environment may not replace ${clashes.join(', ')}`,
      );
    }

    this.handler = new HangarFunction(this, 'Handler', {
      entry: props.entry,
      description: `Hangar worker of job ${settings.jobName}`,
      timeoutSeconds: settings.function.timeoutSeconds,
      memoryMiB: settings.function.memoryMiB,
      serviceName: this.serviceName,
      environment: { ...environment, ...props.environment },
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
      ...(props.removalPolicy === undefined ? {} : { removalPolicy: props.removalPolicy }),
    });
    const fn = this.handler.function;

    queue.grantConsumeMessages(fn);
    queue.grantSendMessages(fn);
    deadLetterQueue.grantSendMessages(fn);
    if (props.ledger && usesLedger(settings)) props.ledger.grantReadWriteData(fn);
    if (props.sender && settings.resources.includes('ses')) props.sender.grantSend(fn);
    if (props.parameters && settings.resources.includes('parameters')) props.parameters.grantRead(fn);
    if (props.schedules && settings.fifo) props.schedules.grantOneTimeSchedules(fn, ['create']);

    const { eventSource } = settings;
    this.eventSource = new EventSourceMapping(this, 'EventSource', {
      target: fn,
      eventSourceArn: queue.queueArn,
      batchSize: eventSource.batchSize,
      // FIFO sources take no batching window; a 0 s window is no window.
      ...(eventSource.maxBatchingWindowSeconds > 0
        ? { maxBatchingWindow: Duration.seconds(eventSource.maxBatchingWindowSeconds) }
        : {}),
      maxConcurrency: eventSource.maxConcurrency,
      reportBatchItemFailures: eventSource.reportBatchItemFailures,
      ...(props.paused === true ? { enabled: false } : {}),
    });
    // The mapping polls with the function's role: it must be able to receive before it is created.
    this.eventSource.node.addDependency(this.handler.role);
  }
}

import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConfigError, ENV_VARS, type JobSettings, resourceStem } from '../../lib/index.js';
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
  /** Variables besides the standard ones (`ENV_VARS`), which they may not replace. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default FUNCTION_DEFAULTS.logRetention */
  readonly logRetention?: RetentionDays;
  /** @default FUNCTION_DEFAULTS.removalPolicy */
  readonly removalPolicy?: RemovalPolicy;
}

/** `hangar-dev-email-send`: unique per stage and job, so metrics of two stages in one account stay apart. */
export function workerServiceName(stage: string, jobName: string): string {
  return `hangar-${stage}-${resourceStem(jobName)}`;
}

/** Whether a job's worker reads or writes the ledger table. */
export function usesLedger(settings: JobSettings): boolean {
  return settings.useLedger || settings.resources.includes('ledger');
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
    this.serviceName = workerServiceName(props.stage, settings.jobName);
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

    const environment: Record<string, string> = {
      [ENV_VARS.jobName]: settings.jobName,
      [ENV_VARS.queueUrl]: queue.queueUrl,
      [ENV_VARS.dlqUrl]: deadLetterQueue.queueUrl,
      [ENV_VARS.stage]: props.stage,
    };
    if (props.ledger && usesLedger(settings)) environment[ENV_VARS.tableName] = props.ledger.tableName;
    if (props.sender && settings.resources.includes('ses'))
      environment[ENV_VARS.senderEmail] = props.sender.email;
    if (props.schedules && settings.fifo) {
      environment[ENV_VARS.scheduleGroupName] = props.schedules.group.scheduleGroupName;
      environment[ENV_VARS.schedulerRoleArn] = props.schedules.role.roleArn;
      // A one-time schedule targets a queue by ARN: the worker's own queue, in the API's format.
      environment[ENV_VARS.queues] = Stack.of(this).toJsonString({
        [settings.jobName]: { url: queue.queueUrl, arn: queue.queueArn },
      });
    }
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
    });
    // The mapping polls with the function's role: it must be able to receive before it is created.
    this.eventSource.node.addDependency(this.handler.role);
  }
}

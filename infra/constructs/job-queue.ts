import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { JobSettings, QueueSettings } from '../../lib/deploy/index.js';

export interface JobQueueProps {
  /** The job's derived settings; every queue attribute comes from here. */
  readonly settings: JobSettings;
  /** @default RemovalPolicy.DESTROY (messages are in flight, not records; the ledger keeps history) */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A job's queue and its DLQ (a FIFO pair for FIFO jobs): SQS-managed encryption, TLS-only access,
 * and the redrive policy from the settings module. CloudFormation names both queues (PRODUCT.md);
 * handlers get URLs through their environment.
 */
export class JobQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly settings: JobSettings;

  constructor(scope: Construct, id: string, props: JobQueueProps) {
    super(scope, id);
    const { settings } = props;
    this.settings = settings;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      ...queueProps(settings.dlq),
      removalPolicy,
    });
    this.queue = new Queue(this, 'Queue', {
      ...queueProps(settings.queue),
      removalPolicy,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: settings.queue.maxReceiveCount },
    });
  }
}

function queueProps(queue: QueueSettings) {
  return {
    visibilityTimeout: Duration.seconds(queue.visibilityTimeoutSeconds),
    retentionPeriod: Duration.seconds(queue.messageRetentionSeconds),
    receiveMessageWaitTime: Duration.seconds(queue.receiveWaitTimeSeconds),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    ...(queue.fifo ? { fifo: true, contentBasedDeduplication: queue.contentBasedDeduplication } : {}),
  };
}

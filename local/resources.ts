/**
 * Creates what the stack would provision, from the settings module alone: every job's queue and
 * DLQ (with redrive) and the ledger table. Idempotent, so a persisted runtime converges on the
 * current settings when it restarts.
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueNameExists,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  type JobSettings,
  type QueueSettings,
  type Settings,
  sqsQueueAttributes,
  type TableSpec,
} from '../lib/deploy/index.js';
import { LocalRuntimeError } from './errors.js';

export interface LocalQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

/** A job's queues as the runtime created them. */
export interface JobQueues {
  readonly jobName: string;
  readonly queue: LocalQueue;
  readonly dlq: LocalQueue;
}

/** Creates (or converges) every job's DLQ and queue. */
export async function createJobQueues(
  sqs: SQSClient,
  settings: Settings,
): Promise<Record<string, JobQueues>> {
  const created = await Promise.all(settings.jobs.map((job) => createForJob(sqs, job)));
  return Object.fromEntries(created.map((q) => [q.jobName, q]));
}

async function createForJob(sqs: SQSClient, job: JobSettings): Promise<JobQueues> {
  const dlq = await ensureQueue(sqs, job.dlq, sqsQueueAttributes(job.dlq));
  const queue = await ensureQueue(
    sqs,
    job.queue,
    sqsQueueAttributes(job.queue, { dlqArn: dlq.arn, maxReceiveCount: job.queue.maxReceiveCount }),
  );
  return { jobName: job.jobName, queue, dlq };
}

async function ensureQueue(
  sqs: SQSClient,
  settings: QueueSettings,
  attributes: Record<string, string>,
): Promise<LocalQueue> {
  let url: string | undefined;
  try {
    url = (await sqs.send(new CreateQueueCommand({ QueueName: settings.name, Attributes: attributes })))
      .QueueUrl;
  } catch (error) {
    if (!(error instanceof QueueNameExists) && (error as Error).name !== 'QueueNameExists') throw error;
    // A persisted queue from an earlier run with other settings: bring it to the current ones
    // (FifoQueue cannot change, and a queue's name already fixes it).
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: settings.name }))).QueueUrl;
    const { FifoQueue: _fifo, ...changeable } = attributes;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: changeable }));
  }
  if (!url) throw new LocalRuntimeError(`CreateQueue returned no URL for ${settings.name}`);
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
    .Attributes?.QueueArn;
  if (!arn) throw new LocalRuntimeError(`No ARN for queue ${settings.name}`);
  return { name: settings.name, url, arn };
}

/**
 * Creates the ledger table from the table spec (keys, billing, indexes). dynalite has no TTL, so
 * the spec's TTL attribute is not switched on locally: expired records stay until the cleanup job
 * deletes them, which it does everywhere through the expiry index.
 */
export async function createTable(
  dynamodb: DynamoDBClient,
  tableName: string,
  spec: TableSpec,
): Promise<void> {
  const keys = [spec.partitionKey, spec.sortKey, ...spec.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  const definitions = new Map<string, AttributeDefinition>();
  for (const key of keys) definitions.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: spec.billingMode,
        AttributeDefinitions: [...definitions.values()],
        KeySchema: [
          { AttributeName: spec.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: spec.sortKey.name, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: spec.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: index.projection },
        })),
      }),
    );
  } catch (error) {
    // A persisted table from an earlier run.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

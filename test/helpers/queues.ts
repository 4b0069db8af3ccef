import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { deriveJobSettings, sqsQueueAttributes } from '../../lib/deploy/index.js';
import type { JobDefinition } from '../../lib/index.js';
import { sqsClient, startSqs } from './sqs.js';

export interface TestQueues {
  readonly url: string;
  readonly dlqUrl: string;
  /** Visible + in flight + delayed. */
  depth(url: string): Promise<number>;
  /** Reads the DLQ without consuming it for long (visibility 1 s). */
  peekDead(): Promise<Message[]>;
  remove(): Promise<void>;
}

/**
 * Creates a job's queue and DLQ exactly as the settings module derives them (redrive included),
 * under a unique suffix so every test gets fresh queues.
 */
export async function createTestQueues(sqs: SQSClient, job: JobDefinition): Promise<TestQueues> {
  const settings = deriveJobSettings(job);
  const suffix = randomUUID().slice(0, 8);
  const named = (name: string) =>
    name.endsWith('.fifo') ? `${name.slice(0, -5)}-${suffix}.fifo` : `${name}-${suffix}`;
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: named(settings.dlq.name),
      Attributes: sqsQueueAttributes(settings.dlq),
    }),
  );
  const dlqUrl = dlq.QueueUrl ?? '';
  const dlqAttributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const dlqArn = dlqAttributes.Attributes?.QueueArn ?? '';
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: named(settings.queue.name),
      Attributes: sqsQueueAttributes(settings.queue, {
        dlqArn,
        maxReceiveCount: settings.queue.maxReceiveCount,
      }),
    }),
  );
  const url = queue.QueueUrl ?? '';
  return {
    url,
    dlqUrl,
    depth: (queueUrl) => queueDepth(sqs, queueUrl),
    async peekDead() {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 1,
          MessageAttributeNames: ['All'],
          WaitTimeSeconds: 1,
        }),
      );
      return out.Messages ?? [];
    },
    async remove() {
      await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl }));
    },
  };
}

/** Visible + in flight + delayed messages of a queue. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = out.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/**
 * An embedded fauxqs for one test file: started before its tests, stopped after them, and every
 * queue pair made through `queuesFor` removed after each test.
 */
export function useSqsEmulator() {
  let server: Awaited<ReturnType<typeof startSqs>> | undefined;
  let client: SQSClient | undefined;
  const created: TestQueues[] = [];
  beforeAll(async () => {
    server = await startSqs();
    client = sqsClient(server.endpoint);
  });
  afterEach(async () => {
    for (const queues of created.splice(0)) await queues.remove();
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });
  const sqs = (): SQSClient => {
    if (!client) throw new Error('The SQS emulator starts in beforeAll; use it inside a test or hook');
    return client;
  };
  return {
    sqs,
    endpoint: () => server?.endpoint ?? '',
    async queuesFor(job: JobDefinition): Promise<TestQueues> {
      const queues = await createTestQueues(sqs(), job);
      created.push(queues);
      return queues;
    },
  };
}

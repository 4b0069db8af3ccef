/**
 * Parity: what the running local runtime reports for every job — its queues' attributes as SQS
 * returns them (`GetQueueAttributes`) and its event sources' and functions' values — equals the
 * settings module. The stack reads the same module; once the infra issue has landed, this compares
 * with the synthesized template instead.
 */
import { fileURLToPath } from 'node:url';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { registry as builtinRegistry, type JobSettings } from '../../lib/index.js';
import { workerFunctionName } from '../../local/function-environment.js';
import type { LocalRuntime } from '../../local/start-local.js';
import { localTestRegistry } from '../fixtures/local/jobs.js';
import { startTestLocal, type TestLocal } from '../helpers/local.js';

const BUILTIN_STUBS = fileURLToPath(new URL('../fixtures/local/builtin-functions/', import.meta.url));

let running: TestLocal | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function attributesOf(local: LocalRuntime, url: string | undefined) {
  const out = await local.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
  return out.Attributes ?? {};
}

describe('Parity of the running local runtime with the settings module', () => {
  it.each([
    ['the built-in jobs', builtinRegistry, BUILTIN_STUBS],
    ['the test jobs (FIFO included)', localTestRegistry, undefined],
  ] as const)('%s: every queue, DLQ, event source and function', async (_what, registry, functionsDir) => {
    // Prepare
    running = await startTestLocal({ registry, ...(functionsDir === undefined ? {} : { functionsDir }) });
    const { local } = running;

    for (const job of registry.jobs) {
      // Act: what the runtime reports.
      const settings: JobSettings = local.settings.job(job.name);
      const queues = local.queues[job.name];
      const queue = await attributesOf(local, queues?.queue.url);
      const dlq = await attributesOf(local, queues?.dlq.url);
      const worker = local.workers.find((w) => w.jobName === job.name);
      const fn = local.functions.get(workerFunctionName(job.name));

      // Assess: against the settings module, value by value.
      expect([queues?.queue.name, queues?.dlq.name], job.name).toEqual([
        settings.queue.name,
        settings.dlq.name,
      ]);
      expect(
        {
          VisibilityTimeout: Number(queue.VisibilityTimeout),
          MessageRetentionPeriod: Number(queue.MessageRetentionPeriod),
          ReceiveMessageWaitTimeSeconds: Number(queue.ReceiveMessageWaitTimeSeconds),
          FifoQueue: queue.FifoQueue === 'true',
          ContentBasedDeduplication: queue.ContentBasedDeduplication === 'true',
          RedrivePolicy: JSON.parse(queue.RedrivePolicy ?? '{}'),
        },
        `${job.name}: queue`,
      ).toEqual({
        VisibilityTimeout: settings.queue.visibilityTimeoutSeconds,
        MessageRetentionPeriod: settings.queue.messageRetentionSeconds,
        ReceiveMessageWaitTimeSeconds: settings.queue.receiveWaitTimeSeconds,
        FifoQueue: settings.fifo,
        ContentBasedDeduplication: settings.queue.contentBasedDeduplication,
        RedrivePolicy: {
          deadLetterTargetArn: queues?.dlq.arn,
          maxReceiveCount: settings.queue.maxReceiveCount,
        },
      });
      expect(
        {
          VisibilityTimeout: Number(dlq.VisibilityTimeout),
          MessageRetentionPeriod: Number(dlq.MessageRetentionPeriod),
          FifoQueue: dlq.FifoQueue === 'true',
          RedrivePolicy: dlq.RedrivePolicy,
        },
        `${job.name}: DLQ`,
      ).toEqual({
        VisibilityTimeout: settings.dlq.visibilityTimeoutSeconds,
        MessageRetentionPeriod: settings.dlq.messageRetentionSeconds,
        FifoQueue: settings.fifo,
        RedrivePolicy: undefined,
      });
      expect(worker?.status, `${job.name}: worker`).toBe('running');
      expect(worker?.eventSource, `${job.name}: event source`).toEqual({
        queueArn: queues?.queue.arn,
        functionName: workerFunctionName(job.name),
        batchSize: settings.eventSource.batchSize,
        maxBatchingWindowSeconds: settings.eventSource.maxBatchingWindowSeconds,
        maxConcurrency: settings.eventSource.maxConcurrency,
        reportBatchItemFailures: settings.eventSource.reportBatchItemFailures,
      });
      expect(fn?.configuration, `${job.name}: function`).toEqual({
        timeoutSeconds: settings.function.timeoutSeconds,
        memoryMiB: settings.function.memoryMiB,
      });
    }
  });
});

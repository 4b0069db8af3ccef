/**
 * The contract every registered job keeps, over the application's registry (`jobs/index.ts`) —
 * whatever a team registers there, built-in jobs left in or out: its handler exists, its queue
 * pair carries the derived settings, its worker and event source are in the template, and its
 * schedules are there when it declares any. The framework's own stack tests use fixture registries.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS_DIR } from '../../../infra/stacks/jobs-stack.js';
import { registry } from '../../../jobs/index.js';
import { functionDir, functionEntry } from '../../../lib/deploy/index.js';
import { arnOf, logicalId, ref, synthApp } from '../../helpers/infra.js';

// The application's functions, not the fixture handlers: the contract includes that each job has one.
const { stack, template } = synthApp({ registry, context: { functionsDir: FUNCTIONS_DIR } });
const resources = template.toJSON().Resources as Record<string, { Properties: Record<string, unknown> }>;
const propertiesOf = (construct: Parameters<typeof logicalId>[0]) =>
  resources[logicalId(construct)]?.Properties;
const jobs = stack.settings.jobs.map((settings) => [settings.jobName, settings] as const);

describe('Contract: the application registry (jobs/index.ts)', () => {
  it('deploys exactly the registered jobs', () => {
    expect(stack.settings.jobs.map((job) => job.jobName)).toEqual(registry.names);
  });

  it.each(jobs)('%s: has its handler in functions/', (jobName) => {
    expect(existsSync(functionEntry(FUNCTIONS_DIR, functionDir(jobName)))).toBe(true);
  });

  it.each(jobs)('%s: has its queue and DLQ with the derived settings', (jobName, settings) => {
    const queues = stack.queues.get(jobName);
    expect(queues).toBeDefined();
    if (!queues) return;
    expect(propertiesOf(queues.queue)).toMatchObject({
      VisibilityTimeout: settings.queue.visibilityTimeoutSeconds,
      MessageRetentionPeriod: settings.queue.messageRetentionSeconds,
      RedrivePolicy: {
        deadLetterTargetArn: arnOf(queues.deadLetterQueue),
        maxReceiveCount: settings.queue.maxReceiveCount,
      },
    });
    expect(propertiesOf(queues.deadLetterQueue)).toMatchObject({
      VisibilityTimeout: settings.dlq.visibilityTimeoutSeconds,
    });
  });

  it.each(jobs)('%s: has its worker and event source, sized by the settings', (jobName, settings) => {
    const worker = stack.workers.get(jobName);
    const queues = stack.queues.get(jobName);
    expect(worker && queues).toBeDefined();
    if (!worker || !queues) return;
    expect(propertiesOf(worker.handler.function)).toMatchObject({
      Timeout: settings.function.timeoutSeconds,
      MemorySize: settings.function.memoryMiB,
    });
    expect(propertiesOf(worker.eventSource)).toMatchObject({
      EventSourceArn: arnOf(queues.queue),
      FunctionName: ref(worker.handler.function),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: settings.eventSource.batchSize,
    });
  });

  it.each(jobs)('%s: has a recurring schedule for each it declares, and no other', (_jobName, settings) => {
    const expected = settings.schedules.map((s) => ({
      Name: s.name,
      ScheduleExpression: s.expression,
      ScheduleExpressionTimezone: s.timeZone,
    }));
    const found = Object.values(template.findResources('AWS::Scheduler::Schedule'))
      .map((r) => r.Properties as Record<string, unknown>)
      .filter((p) => settings.schedules.some((s) => s.name === p.Name))
      .map(({ Name, ScheduleExpression, ScheduleExpressionTimezone }) => ({
        Name,
        ScheduleExpression,
        ScheduleExpressionTimezone,
      }));
    expect(found).toEqual(expected);
  });
});

/**
 * Parity: for every job, what the running local runtime reports — its queues' attributes as SQS
 * returns them (`GetQueueAttributes`), its event sources, its functions (timeout, memory, the
 * variables they get), its API function and its recurring schedules — equals the synthesized CloudFormation template
 * of the same registry and stage configuration.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { jobOutputKey } from '../../lib/deploy/index.js';
import { registry as builtinRegistry } from '../../lib/jobs/builtin/index.js';
import { workerFunctionName } from '../../local/function-environment.js';
import { LOCAL_API } from '../../local/start-local.js';
import { FIXTURE_FUNCTIONS, synthApp } from '../helpers/infra.js';
import { startTestLocal, type TestLocal } from '../helpers/local.js';

type Resource = { readonly Type: string; readonly Properties: Record<string, unknown> };
type Ref = { readonly Ref: string };

let running: TestLocal | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** A stage with a time zone of its own and a scheduled sync source: configured schedules too. */
const STAGE = {
  timeZone: 'Europe/Berlin',
  syncSources: [{ id: 'crm', url: 'https://crm.example.com/items', pageSize: 100, schedule: 'rate(1 hour)' }],
} as const;

describe('Parity of the running local runtime with the synthesized template', () => {
  it('has, for every job, the queue, DLQ, event source, function and schedules the stack deploys', async () => {
    // Prepare: the template and the runtime from the same registry, stage configuration and entries.
    const template = synthApp({
      context: { ...STAGE, syncSources: JSON.stringify(STAGE.syncSources) },
    }).template.toJSON() as {
      Resources: Record<string, Resource>;
      Outputs: Record<string, { Value: unknown }>;
    };
    const resources = template.Resources;
    const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
    running = await startTestLocal({
      registry: builtinRegistry,
      functionsDir: FIXTURE_FUNCTIONS,
      stage: STAGE,
    });
    const { local } = running;

    for (const job of builtinRegistry.jobs) {
      // Act: the template's resources of this job, and what the runtime reports.
      const outputRef = (key: string) => {
        const value = template.Outputs[key]?.Value as Ref | undefined;
        if (!value) throw new Error(`The template has no output ${key}`);
        return value.Ref;
      };
      const queueId = outputRef(jobOutputKey(job.name, 'queueUrl'));
      const dlqId = outputRef(jobOutputKey(job.name, 'dlqUrl'));
      const queueProps = resources[queueId]?.Properties ?? {};
      const dlqProps = resources[dlqId]?.Properties ?? {};
      const [, mapping] =
        ofType('AWS::Lambda::EventSourceMapping').find(
          ([, r]) =>
            JSON.stringify(r.Properties.EventSourceArn) ===
            JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] }),
        ) ?? [];
      const fnId = (mapping?.Properties.FunctionName as Ref | undefined)?.Ref ?? '';
      const fnProps = resources[fnId]?.Properties ?? {};
      const queues = local.queues[job.name];
      const queue = await attributes(queues?.queue.url);
      const dlq = await attributes(queues?.dlq.url);
      const worker = local.workers.find((w) => w.jobName === job.name);
      const fn = local.functions.get(workerFunctionName(job.name));

      // Assess: queue and DLQ.
      expect(
        {
          VisibilityTimeout: Number(queue.VisibilityTimeout),
          MessageRetentionPeriod: Number(queue.MessageRetentionPeriod),
          ReceiveMessageWaitTimeSeconds: Number(queue.ReceiveMessageWaitTimeSeconds),
          FifoQueue: queue.FifoQueue === 'true' || undefined,
          ContentBasedDeduplication: queue.ContentBasedDeduplication === 'true' || undefined,
          maxReceiveCount: JSON.parse(queue.RedrivePolicy ?? '{}').maxReceiveCount,
        },
        `${job.name}: queue`,
      ).toEqual({
        VisibilityTimeout: queueProps.VisibilityTimeout,
        MessageRetentionPeriod: queueProps.MessageRetentionPeriod,
        ReceiveMessageWaitTimeSeconds: queueProps.ReceiveMessageWaitTimeSeconds,
        FifoQueue: queueProps.FifoQueue,
        ContentBasedDeduplication: queueProps.ContentBasedDeduplication,
        maxReceiveCount: (queueProps.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount,
      });
      // Redrive to the job's own DLQ, in both.
      expect(JSON.parse(queue.RedrivePolicy ?? '{}').deadLetterTargetArn).toBe(queues?.dlq.arn);
      expect((queueProps.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn).toEqual({
        'Fn::GetAtt': [dlqId, 'Arn'],
      });
      expect(
        {
          VisibilityTimeout: Number(dlq.VisibilityTimeout),
          MessageRetentionPeriod: Number(dlq.MessageRetentionPeriod),
          FifoQueue: dlq.FifoQueue === 'true' || undefined,
          RedrivePolicy: dlq.RedrivePolicy,
        },
        `${job.name}: DLQ`,
      ).toEqual({
        VisibilityTimeout: dlqProps.VisibilityTimeout,
        MessageRetentionPeriod: dlqProps.MessageRetentionPeriod,
        FifoQueue: dlqProps.FifoQueue,
        RedrivePolicy: undefined,
      });

      // Event source mapping.
      expect(worker?.status, `${job.name}: worker`).toBe('running');
      expect(
        {
          BatchSize: worker?.eventSource?.batchSize,
          MaximumBatchingWindowInSeconds: worker?.eventSource?.maxBatchingWindowSeconds,
          MaximumConcurrency: worker?.eventSource?.maxConcurrency,
          ReportBatchItemFailures: worker?.eventSource?.reportBatchItemFailures,
        },
        `${job.name}: event source`,
      ).toEqual({
        BatchSize: mapping?.Properties.BatchSize,
        MaximumBatchingWindowInSeconds: mapping?.Properties.MaximumBatchingWindowInSeconds ?? 0,
        MaximumConcurrency: (mapping?.Properties.ScalingConfig as { MaximumConcurrency?: number } | undefined)
          ?.MaximumConcurrency,
        ReportBatchItemFailures: (
          mapping?.Properties.FunctionResponseTypes as string[] | undefined
        )?.includes('ReportBatchItemFailures'),
      });

      // Function: timeout, memory, and the variables it gets (values differ: names, URLs, stage).
      const deployedVariables = Object.keys(
        (fnProps.Environment as { Variables: Record<string, unknown> }).Variables,
      ).filter((name) => name !== 'NODE_OPTIONS');
      expect(
        { Timeout: fn?.configuration.timeoutSeconds, MemorySize: fn?.configuration.memoryMiB },
        `${job.name}: function`,
      ).toEqual({ Timeout: fnProps.Timeout, MemorySize: fnProps.MemorySize });
      expect(Object.keys(fn?.configuration.environment ?? {}), `${job.name}: variables`).toEqual(
        expect.arrayContaining(deployedVariables),
      );
      expect(
        Object.keys(fn?.configuration.environment ?? {})
          .filter((name) => name.startsWith('HANGAR_'))
          .sort(),
        `${job.name}: HANGAR_ variables`,
      ).toEqual(deployedVariables.filter((name) => name.startsWith('HANGAR_')).sort());
    }

    // The API function: timeout, memory and variables, as the stack configures it.
    const [, apiFunction] =
      ofType('AWS::Lambda::Function').find(([, r]) => {
        const variables = (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)
          ?.Variables;
        return variables !== undefined && 'HANGAR_QUEUES' in variables && !('HANGAR_JOB_NAME' in variables);
      }) ?? [];
    if (!apiFunction) throw new Error('The template has no API function');
    const localApi = local.functions.get(LOCAL_API.functionName);
    const apiVariables = Object.keys(
      (apiFunction.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    ).filter((name) => name !== 'NODE_OPTIONS');
    expect(local.endpoints.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect({
      Timeout: localApi?.configuration.timeoutSeconds,
      MemorySize: localApi?.configuration.memoryMiB,
    }).toEqual({
      Timeout: apiFunction.Properties.Timeout,
      MemorySize: apiFunction.Properties.MemorySize,
    });
    expect(Object.keys(localApi?.configuration.environment ?? {})).toEqual(
      expect.arrayContaining(apiVariables),
    );
    expect(
      Object.keys(localApi?.configuration.environment ?? {})
        .filter((name) => name.startsWith('HANGAR_'))
        .sort(),
    ).toEqual(apiVariables.filter((name) => name.startsWith('HANGAR_')).sort());

    // Recurring schedules: the same names, expressions, zones, inputs and message groups.
    const deployedSchedules = ofType('AWS::Scheduler::Schedule')
      .map(([, r]) => {
        const target = r.Properties.Target as { Input: string; SqsParameters?: { MessageGroupId: string } };
        return {
          name: r.Properties.Name,
          expression: r.Properties.ScheduleExpression,
          timeZone: r.Properties.ScheduleExpressionTimezone,
          input: target.Input,
          messageGroupId: target.SqsParameters?.MessageGroupId,
        };
      })
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    const localSchedules = local.scheduler.list({ groupName: local.scheduleGroupName }).map((d) => ({
      name: d.Name,
      expression: d.ScheduleExpression,
      timeZone: d.ScheduleExpressionTimezone,
      input: d.Target.Input,
      messageGroupId: d.Target.SqsParameters?.MessageGroupId,
    }));
    expect(deployedSchedules.length).toBeGreaterThanOrEqual(2);
    expect(localSchedules).toEqual(deployedSchedules);
  });
});

async function attributes(url: string | undefined): Promise<Record<string, string>> {
  if (!running || !url) throw new Error('no runtime or queue');
  const out = await running.local.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  );
  return out.Attributes ?? {};
}

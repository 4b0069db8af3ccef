import { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { readStageConfig } from '../../../infra/config.js';
import { JobQueue } from '../../../infra/constructs/job-queue.js';
import { JobSchedules } from '../../../infra/constructs/job-schedules.js';
import { JobWorker } from '../../../infra/constructs/job-worker.js';
import { JobsStack } from '../../../infra/stacks/jobs-stack.js';
import { deriveJobSettings, jobOutputKey, resourceStem } from '../../../lib/deploy/index.js';
import { ConfigError, createRegistry, defineJob } from '../../../lib/index.js';
import { builtinJobs } from '../../../lib/jobs/builtin/index.js';
import { DEV_CONTEXT, FIXTURE_FUNCTIONS, logicalId, ref, synthApp } from '../../helpers/infra.js';

const resizeSchema = z.strictObject({ key: z.optional(z.string()) });
const resizeImage = defineJob({
  name: 'image.resize',
  schema: resizeSchema,
  timeoutSeconds: 60,
  schedule: { expression: 'rate(15 minutes)', payload: {} },
});
// Shares `functions/image/` with image.resize: its own function and queue, the same handler file.
const thumbnail = defineJob({ name: 'image.thumbnail', schema: resizeSchema, useLedger: false });

/** Resource counts by type. */
function census(template: Template): Map<string, number> {
  const counts = new Map<string, number>();
  for (const resource of Object.values(template.toJSON().Resources as Record<string, { Type: string }>)) {
    counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
  }
  return counts;
}

/** What `after` has beyond `before`, by resource type (never fewer of anything). */
function added(before: Template, after: Template): Record<string, number> {
  const [b, a] = [census(before), census(after)];
  const diff: Record<string, number> = {};
  for (const [type, count] of a) if (count !== (b.get(type) ?? 0)) diff[type] = count - (b.get(type) ?? 0);
  for (const type of b.keys()) if (!a.has(type)) diff[type] = -(b.get(type) ?? 0);
  return diff;
}

/** Per job: queue + DLQ with their TLS policies, a function with role, policy and log group, a mapping, four alarms. */
const PER_JOB = {
  'AWS::SQS::Queue': 2,
  'AWS::SQS::QueuePolicy': 2,
  'AWS::Lambda::Function': 1,
  'AWS::IAM::Role': 1,
  'AWS::IAM::Policy': 1,
  'AWS::Logs::LogGroup': 1,
  'AWS::Lambda::EventSourceMapping': 1,
  'AWS::CloudWatch::Alarm': 4,
};

describe('Registry growth', () => {
  const base = synthApp();

  it('a fourth job with a schedule adds exactly its queue, DLQ, function, mapping, alarms and schedule', () => {
    // Act
    const grown = synthApp({ registry: createRegistry([...builtinJobs, resizeImage]) });

    // Assess
    expect(added(base.template, grown.template)).toEqual({ ...PER_JOB, 'AWS::Scheduler::Schedule': 1 });
    grown.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: resourceStem(resizeImage.name),
      ScheduleExpression: 'rate(15 minutes)',
    });
    const outputs = Object.keys(grown.template.toJSON().Outputs as object);
    expect(outputs.length - Object.keys(base.template.toJSON().Outputs as object).length).toBe(4);
    expect(outputs).toContain(jobOutputKey(resizeImage.name, 'queueUrl'));
  });

  it('a job without a schedule adds no schedule, and wires the new queue into the API, producers and Scheduler', () => {
    // Act
    const grown = synthApp({ registry: createRegistry([...builtinJobs, resizeImage, thumbnail]) });

    // Assess
    const withResize = synthApp({ registry: createRegistry([...builtinJobs, resizeImage]) });
    expect(added(withResize.template, grown.template)).toEqual(PER_JOB);
    const queue = grown.stack.queues.get(thumbnail.name)?.queue;
    expect(queue).toBeDefined();
    if (!queue) return;
    const text = JSON.stringify(grown.template.toJSON());
    const queueArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(queue), 'Arn'] });
    for (const policyOwner of [grown.stack.api.handler.role, grown.stack.schedules.role]) {
      const policy = grown.template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [ref(policyOwner)] },
      });
      expect(JSON.stringify(policy)).toContain(queueArn);
    }
    expect(
      JSON.stringify(grown.template.toJSON().Resources[logicalId(grown.stack.producerPolicy.policy)]),
    ).toContain(queueArn);
    expect(text).toContain(`\\"${thumbnail.name}\\":{\\"url\\":\\"`);
  });

  it('a job without the ledger gets neither the table nor its name', () => {
    const grown = synthApp({ registry: createRegistry([...builtinJobs, thumbnail]) });
    const worker = grown.stack.workers.get(thumbnail.name);
    expect(worker).toBeDefined();
    if (!worker) return;
    const fn = grown.template.toJSON().Resources[logicalId(worker.handler.function)];
    expect(JSON.stringify(fn)).not.toContain(logicalId(grown.stack.ledger.table));
    const policy = grown.template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [ref(worker.handler.role)] },
    });
    expect(JSON.stringify(policy)).not.toContain('dynamodb:');
  });
});

describe('Class: JobWorker', () => {
  it('names every resource the job needs and the stack did not give', () => {
    // Arrange
    const stack = new JobsStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Hangar-dev', {
      config: readStageConfig(DEV_CONTEXT),
      functionsDir: FIXTURE_FUNCTIONS,
      registry: createRegistry(builtinJobs),
    });
    const settings = deriveJobSettings(builtinJobs[0]);
    const queue = new JobQueue(stack, 'Lonely', { settings });

    // Act & Assess
    expect(
      () =>
        new JobWorker(stack, 'LonelyWorker', {
          queue,
          entry: `${FIXTURE_FUNCTIONS}/email/handler.ts`,
          stage: 'dev',
        }),
    ).toThrow(
      new ConfigError(
        'Worker of job "email.send" needs ledger (the job uses the ledger), sender (the job declares "ses")',
      ),
    );
  });
});

describe('Class: JobSchedules', () => {
  it('refuses a recurring schedule named like a one-time schedule, which the API may delete', () => {
    // Arrange
    const clash = defineJob({
      name: 'job.nightly.report',
      schema: resizeSchema,
      schedule: { expression: 'cron(0 1 * * ? *)' },
    });
    const scope = new Stack(new App(), 'Scope');
    const queue = new JobQueue(scope, 'Queue', { settings: deriveJobSettings(clash) });

    // Act & Assess
    expect(() => new JobSchedules(scope, 'Schedules', { queues: [queue] })).toThrow(
      new ConfigError(
        'Recurring schedule names "job-nightly-report" (job "job.nightly.report") look like one-time schedule names (job-*-*), which the API may delete; rename the job or the schedule id',
      ),
    );
  });
});

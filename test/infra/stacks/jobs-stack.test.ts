import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { API_DEFAULTS, HTTP_ROUTES } from '../../../infra/constructs/jobs-api.js';
import {
  MONITORING_DEFAULTS,
  oldestMessageAgeThresholdSeconds,
} from '../../../infra/constructs/monitoring.js';
import { SEND_ACTIONS } from '../../../infra/constructs/sender-identity.js';
import type { JobsStack } from '../../../infra/stacks/jobs-stack.js';
import {
  ENV_VARS,
  JOB_OUTPUT_SUFFIXES,
  type JobOutput,
  jobOutputKey,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  OUTPUT_KEYS,
  SETTINGS_RULES,
  TABLE_SPEC,
} from '../../../lib/deploy/index.js';
import { ConfigError, createRegistry } from '../../../lib/index.js';
import { builtinJobs, emailSend } from '../../../lib/jobs/builtin/index.js';
import { FIRING_PLACEHOLDERS } from '../../../lib/jobs/envelope.js';
import {
  actionsOn,
  allActions,
  arnOf,
  arnWithSuffix,
  bareStack,
  logicalId,
  managedPolicyStatements,
  ref,
  roleStatements,
  type Statement,
  synthApp,
} from '../../helpers/infra.js';

const { stack, template } = synthApp();
const jobs = stack.settings.jobs;
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}
const queueOf = (jobName: string) => required(stack.queues.get(jobName));
const workerOf = (jobName: string) => required(stack.workers.get(jobName));
const workerStatements = (jobName: string) =>
  roleStatements(template, logicalId(workerOf(jobName).handler.role));
const apiStatements = roleStatements(template, logicalId(stack.api.handler.role));
/** A resource's properties without the stage tag every taggable resource carries (tested once). */
const properties = (construct: Parameters<typeof logicalId>[0]) => {
  const resource = resources[logicalId(construct)];
  if (!resource) throw new Error(`${construct.node.path} is not in the template`);
  const { Tags: _tags, ...rest } = resource.Properties;
  return rest;
};

const CONSUME = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];
const SEND = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
const TABLE_READ_WRITE = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
];
const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

describe('Class: JobsStack', () => {
  describe('Queues', () => {
    it.each(jobs.map((job) => [job.jobName, job] as const))(
      '%s: queue and DLQ carry every attribute of the settings module',
      (jobName, job) => {
        const { queue, deadLetterQueue } = queueOf(jobName);
        const fifo = job.fifo ? { FifoQueue: true, ContentBasedDeduplication: true } : {};
        expect(properties(queue)).toEqual({
          VisibilityTimeout: job.queue.visibilityTimeoutSeconds,
          MessageRetentionPeriod: job.queue.messageRetentionSeconds,
          ReceiveMessageWaitTimeSeconds: job.queue.receiveWaitTimeSeconds,
          SqsManagedSseEnabled: true,
          RedrivePolicy: {
            deadLetterTargetArn: arnOf(deadLetterQueue),
            maxReceiveCount: job.queue.maxReceiveCount,
          },
          ...fifo,
        });
        expect(properties(deadLetterQueue)).toEqual({
          VisibilityTimeout: job.dlq.visibilityTimeoutSeconds,
          MessageRetentionPeriod: SETTINGS_RULES.dlqRetentionSeconds,
          ReceiveMessageWaitTimeSeconds: job.dlq.receiveWaitTimeSeconds,
          SqsManagedSseEnabled: true,
          ...fifo,
        });
      },
    );

    it('pairs a FIFO job with FIFO queues and a standard job with standard ones', () => {
      expect(properties(queueOf('sync.run').deadLetterQueue)).toMatchObject({ FifoQueue: true });
      expect(properties(queueOf('email.send').queue)).not.toHaveProperty('FifoQueue');
    });

    it('denies every request without TLS, on every queue of the stack', () => {
      const queues = template.findResources('AWS::SQS::Queue');
      const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
      expect(Object.keys(queues).length).toBe(jobs.length * 2 + 1);
      for (const id of Object.keys(queues)) {
        const policy = policies.find(
          (p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: id }]),
        );
        expect(policy?.Properties.PolicyDocument.Statement).toEqual([
          {
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Resource: { 'Fn::GetAtt': [id, 'Arn'] },
          },
        ]);
      }
    });

    it('keeps every message invisible for at least 6 × its worker timeout', () => {
      for (const job of jobs) {
        const timeout = properties(workerOf(job.jobName).handler.function).Timeout;
        const visibility = properties(queueOf(job.jobName).queue).VisibilityTimeout;
        expect(typeof timeout === 'number' && typeof visibility === 'number').toBe(true);
        expect(Number(visibility)).toBeGreaterThanOrEqual(
          SETTINGS_RULES.visibilityTimeoutFactor * Number(timeout),
        );
      }
    });
  });

  describe('Workers', () => {
    it.each(jobs.map((job) => [job.jobName, job] as const))(
      '%s: Node 24 on arm64, sized by the settings, traced, logging to its own group',
      (jobName, job) => {
        const { handler } = workerOf(jobName);
        expect(properties(handler.function)).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          Timeout: job.function.timeoutSeconds,
          MemorySize: job.function.memoryMiB,
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogFormat: 'JSON', LogGroup: ref(handler.logGroup) },
          Role: arnOf(handler.role),
        });
        expect(properties(handler.logGroup)).toEqual({ RetentionInDays: 30 });
      },
    );

    it.each(jobs.map((job) => [job.jobName, job] as const))(
      '%s: an event source with partial batch responses and the settings batch values',
      (jobName, job) => {
        const worker = workerOf(jobName);
        const window =
          job.eventSource.maxBatchingWindowSeconds > 0
            ? { MaximumBatchingWindowInSeconds: job.eventSource.maxBatchingWindowSeconds }
            : {};
        expect(properties(worker.eventSource)).toEqual({
          EventSourceArn: arnOf(queueOf(jobName).queue),
          FunctionName: ref(worker.handler.function),
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          BatchSize: job.eventSource.batchSize,
          ScalingConfig: { MaximumConcurrency: job.eventSource.maxConcurrency },
          ...window,
        });
      },
    );

    it('gives a FIFO source no batching window', () => {
      expect(properties(workerOf('sync.run').eventSource)).not.toHaveProperty(
        'MaximumBatchingWindowInSeconds',
      );
      expect(properties(workerOf('email.send').eventSource)).toHaveProperty(
        'MaximumBatchingWindowInSeconds',
        1,
      );
    });

    it('sets the environment each worker reads at cold start', () => {
      const env = (jobName: string) =>
        (properties(workerOf(jobName).handler.function).Environment as { Variables: Record<string, unknown> })
          .Variables;
      const standard = (jobName: string) => ({
        [ENV_VARS.jobName]: jobName,
        [ENV_VARS.queueUrl]: ref(queueOf(jobName).queue),
        [ENV_VARS.dlqUrl]: ref(queueOf(jobName).deadLetterQueue),
        [ENV_VARS.stage]: 'dev',
        [ENV_VARS.tableName]: ref(stack.ledger.table),
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      });
      expect(env('email.send')).toEqual({
        ...standard('email.send'),
        [ENV_VARS.senderEmail]: 'jobs@example.com',
        POWERTOOLS_SERVICE_NAME: 'hangar-dev-email-send',
      });
      expect(env('cleanup.run')).toEqual({
        ...standard('cleanup.run'),
        POWERTOOLS_SERVICE_NAME: 'hangar-dev-cleanup-run',
      });
      expect(env('sync.run')).toEqual({
        ...standard('sync.run'),
        [ENV_VARS.scheduleGroupName]: stack.schedules.group.scheduleGroupName,
        [ENV_VARS.schedulerRoleArn]: arnOf(stack.schedules.role),
        [ENV_VARS.queues]: stack.resolve(
          stack.toJsonString({
            'sync.run': {
              url: queueOf('sync.run').queue.queueUrl,
              arn: queueOf('sync.run').queue.queueArn,
              dlqArn: queueOf('sync.run').deadLetterQueue.queueArn,
            },
          }),
        ),
        [ENV_VARS.syncSources]: '[]',
        POWERTOOLS_SERVICE_NAME: 'hangar-dev-sync-run',
      });
    });
  });

  describe('IAM', () => {
    const everyPolicy: [string, Statement[]][] = [
      ...jobs.map((job): [string, Statement[]] => [
        `worker of ${job.jobName}`,
        workerStatements(job.jobName),
      ]),
      ['API', apiStatements],
      ['scheduler role', roleStatements(template, logicalId(stack.schedules.role))],
      ['producer policy', managedPolicyStatements(template, logicalId(stack.producerPolicy.policy))],
    ];

    it.each(everyPolicy)('%s: no wildcard action, and "*" only for X-Ray', (_, statements) => {
      for (const statement of statements) {
        expect(statement.actions.filter((a) => a.includes('*'))).toEqual([]);
        if (statement.resources.includes('*')) expect([...statement.actions].sort()).toEqual(XRAY);
      }
    });

    it.each(everyPolicy)(
      '%s: queue, table and SES actions only on resources of this stage',
      (_, statements) => {
        const own = new Set(Object.keys(resources));
        const sesIdentities = required(stack.sender).identityArns.map((arn) =>
          JSON.stringify(stack.resolve(arn)),
        );
        for (const statement of statements) {
          const services = new Set(statement.actions.map((a) => a.split(':')[0]));
          if (services.has('ses')) {
            expect(statement.resources.map((r) => JSON.stringify(r))).toEqual(sesIdentities);
          }
          if (!services.has('sqs') && !services.has('dynamodb')) continue;
          for (const resource of statement.resources) {
            // `{ "Fn::GetAtt": [id, "Arn"] }`, or that ARN + "/index/*" for the table's own indexes.
            const [target] = JSON.stringify(resource).match(/(?<="Fn::GetAtt":\[")[^"]+/) ?? [];
            expect(target !== undefined && own.has(target)).toBe(true);
          }
        }
      },
    );

    it('email.send: its own queue and DLQ, the ledger, and sending as the sender only', () => {
      const statements = workerStatements('email.send');
      const { queue, deadLetterQueue } = queueOf('email.send');
      expect(actionsOn(statements, arnOf(queue))).toEqual([...new Set([...CONSUME, ...SEND])].sort());
      expect(actionsOn(statements, arnOf(deadLetterQueue))).toEqual(SEND);
      expect(actionsOn(statements, arnOf(stack.ledger.table))).toEqual(TABLE_READ_WRITE);
      expect(actionsOn(statements, arnWithSuffix(stack.ledger.table, '/index/*'))).toEqual(TABLE_READ_WRITE);
      const ses = statements.filter((s) => s.actions.some((a) => a.startsWith('ses:')));
      expect(ses).toEqual([
        {
          Effect: 'Allow',
          actions: [...SEND_ACTIONS],
          resources: required(stack.sender).identityArns.map((arn) => stack.resolve(arn)),
          Condition: { StringEquals: { 'ses:FromAddress': 'jobs@example.com' } },
        },
      ]);
      expect(allActions(statements)).toEqual(
        [...new Set([...CONSUME, ...SEND, ...TABLE_READ_WRITE, ...SEND_ACTIONS, ...LOGS, ...XRAY])].sort(),
      );
    });

    it('sync.run: parameters of its stage, and one-time schedules passing only the scheduler role', () => {
      const statements = workerStatements('sync.run');
      expect(actionsOn(statements, stack.resolve(stack.parameters.parameterArns))).toEqual([
        'ssm:GetParameter',
        'ssm:GetParameters',
        'ssm:GetParametersByPath',
      ]);
      expect(actionsOn(statements, stack.resolve(stack.parameters.secretArns))).toEqual([
        'secretsmanager:GetSecretValue',
      ]);
      expect(JSON.stringify(stack.resolve(stack.parameters.parameterArns))).toContain(
        ':parameter/hangar/dev/*',
      );
      expect(JSON.stringify(stack.resolve(stack.parameters.secretArns))).toContain(':secret:hangar/dev/*');
      expect(actionsOn(statements, stack.resolve(stack.schedules.oneTimeScheduleArns))).toEqual([
        'scheduler:CreateSchedule',
      ]);
      expect(statements.filter((s) => s.actions.includes('iam:PassRole'))).toEqual([
        {
          Effect: 'Allow',
          actions: ['iam:PassRole'],
          resources: [arnOf(stack.schedules.role)],
          Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        },
      ]);
      expect(allActions(statements).filter((a) => a.startsWith('ses:'))).toEqual([]);
    });

    it('cleanup.run: its queues and the ledger, nothing else', () => {
      const statements = workerStatements('cleanup.run');
      expect(allActions(statements)).toEqual(
        [...new Set([...CONSUME, ...SEND, ...TABLE_READ_WRITE, ...LOGS, ...XRAY])].sort(),
      );
    });

    it('API: enqueue to every job queue, the ledger, and one-time schedules: nothing more', () => {
      for (const job of jobs) {
        expect(actionsOn(apiStatements, arnOf(queueOf(job.jobName).queue))).toEqual(['sqs:SendMessage']);
        expect(actionsOn(apiStatements, arnOf(queueOf(job.jobName).deadLetterQueue))).toEqual([]);
      }
      expect(actionsOn(apiStatements, arnOf(stack.ledger.table))).toEqual(TABLE_READ_WRITE);
      expect(actionsOn(apiStatements, stack.resolve(stack.schedules.oneTimeScheduleArns))).toEqual([
        'scheduler:CreateSchedule',
        'scheduler:DeleteSchedule',
      ]);
      expect(actionsOn(apiStatements, arnOf(stack.schedules.role))).toEqual(['iam:PassRole']);
      expect(allActions(apiStatements)).toEqual(
        [
          ...new Set([
            'sqs:SendMessage',
            ...TABLE_READ_WRITE,
            'scheduler:CreateSchedule',
            'scheduler:DeleteSchedule',
            'iam:PassRole',
            ...LOGS,
            ...XRAY,
          ]),
        ].sort(),
      );
    });

    it('limits one-time schedules to the stage group and to job-<id>-<n> names', () => {
      expect(stack.resolve(stack.schedules.oneTimeScheduleArns)).toEqual({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':scheduler:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            `:schedule/${stack.schedules.group.scheduleGroupName}/job-*-*`,
          ],
        ],
      });
    });
  });

  describe('Scheduler', () => {
    it('delivers the nightly cleanup to its queue with time zone, window, retries and a DLQ', () => {
      const cleanup = stack.settings.job('cleanup.run').schedules[0];
      expect(cleanup).toBeDefined();
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: cleanup?.name,
        GroupName: stack.schedules.group.scheduleGroupName,
        ScheduleExpression: 'cron(0 3 * * ? *)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: {
          Mode: 'FLEXIBLE',
          MaximumWindowInMinutes: SETTINGS_RULES.scheduleFlexibleWindowMinutes,
        },
        State: 'ENABLED',
        Target: {
          Arn: arnOf(queueOf('cleanup.run').queue),
          RoleArn: arnOf(stack.schedules.role),
          Input: cleanup?.input,
          RetryPolicy: {
            MaximumRetryAttempts: SETTINGS_RULES.scheduleMaxRetryAttempts,
            MaximumEventAgeInSeconds: SETTINGS_RULES.scheduleMaxEventAgeSeconds,
          },
          DeadLetterConfig: { Arn: arnOf(stack.schedules.deadLetterQueue) },
        },
      });
    });

    it('passes the firing template verbatim, so that each firing becomes a distinct job', () => {
      const input = template.findResources('AWS::Scheduler::Schedule');
      for (const schedule of Object.values(input)) {
        const text = schedule.Properties.Target.Input as string;
        expect(text).toContain(FIRING_PLACEHOLDERS.scheduledTime);
        expect(text).toContain(FIRING_PLACEHOLDERS.executionId);
        expect(JSON.parse(text)).not.toHaveProperty('jobId');
      }
    });

    it('trusts Scheduler only for schedules of this group and account', () => {
      expect(properties(stack.schedules.role).AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: {
                'aws:SourceAccount': { Ref: 'AWS::AccountId' },
                'aws:SourceArn': stack.resolve(stack.schedules.group.scheduleGroupArn),
              },
            },
          },
        ],
      });
    });

    it("lets the scheduler role send to every job queue, each job's DLQ (undeliverable one-time schedules) and the delivery DLQ, nothing else", () => {
      const statements = roleStatements(template, logicalId(stack.schedules.role));
      expect(allActions(statements)).toEqual(['sqs:SendMessage']);
      const targets = statements.flatMap((s) => s.resources.map((r) => JSON.stringify(r)));
      expect(new Set(targets)).toEqual(
        new Set(
          [
            ...jobs.map((j) => arnOf(queueOf(j.jobName).queue)),
            ...jobs.map((j) => arnOf(queueOf(j.jobName).deadLetterQueue)),
            arnOf(stack.schedules.deadLetterQueue),
          ].map((r) => JSON.stringify(r)),
        ),
      );
    });

    it('schedules each configured sync source in its FIFO group, in the stage time zone', () => {
      // Arrange
      const { stack: synced, template: syncedTemplate } = synthApp({
        context: {
          timeZone: 'Europe/Berlin',
          syncSources: [
            { id: 'crm', url: 'https://crm.example.com/items', pageSize: 100, schedule: 'cron(0 * * * ? *)' },
            { id: 'erp', url: 'https://erp.example.com/items', pageSize: 50 },
          ],
        },
      });

      // Assess
      syncedTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: 'sync-run-crm',
        ScheduleExpression: 'cron(0 * * * ? *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
        Target: {
          Arn: arnOf(required(synced.queues.get('sync.run')).queue),
          SqsParameters: { MessageGroupId: 'crm' },
          DeadLetterConfig: Match.objectLike({}),
        },
      });
      syncedTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: 'cleanup-run-nightly',
        ScheduleExpression: 'cron(0 3 * * ? *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
      });
      expect(Object.keys(syncedTemplate.findResources('AWS::Scheduler::Schedule'))).toHaveLength(2);
      expect(synced.schedules.schedules.has('sync-run-erp')).toBe(false);
    });
  });

  describe('Ledger table', () => {
    it('is on demand with point-in-time recovery, TTL and the indexes of the spec', () => {
      expect(properties(stack.ledger.table)).toEqual({
        KeySchema: [
          { AttributeName: TABLE_SPEC.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: TABLE_SPEC.sortKey.name, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: expect.arrayContaining([
          { AttributeName: TABLE_SPEC.partitionKey.name, AttributeType: TABLE_SPEC.partitionKey.type },
          { AttributeName: TABLE_SPEC.sortKey.name, AttributeType: TABLE_SPEC.sortKey.type },
          ...TABLE_SPEC.indexes.flatMap((index) => [
            { AttributeName: index.partitionKey.name, AttributeType: index.partitionKey.type },
            { AttributeName: index.sortKey.name, AttributeType: index.sortKey.type },
          ]),
        ]),
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TABLE_SPEC.timeToLiveAttribute, Enabled: true },
        DeletionProtectionEnabled: false,
        GlobalSecondaryIndexes: TABLE_SPEC.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: index.projection },
        })),
      });
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
      });
    });

    it('is protected from deletion and retained on a production stage', () => {
      const { template: prod } = synthApp({ context: { stage: 'prod', production: true } });
      prod.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      });
    });
  });

  describe('HTTP API', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));

    it('serves exactly the documented routes', () => {
      expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
        HTTP_ROUTES.map((r) => `${r.method} ${r.path}`).sort(),
      );
    });

    it('authorizes every route with IAM (SigV4)', () => {
      expect(routes.length).toBeGreaterThan(0);
      for (const route of routes) expect(route.Properties.AuthorizationType).toBe('AWS_IAM');
    });

    it('throttles the stage and logs every request as JSON without bodies', () => {
      const stage = properties(stack.api.stage);
      expect(stage).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: {
          ThrottlingRateLimit: API_DEFAULTS.throttle.rateLimit,
          ThrottlingBurstLimit: API_DEFAULTS.throttle.burstLimit,
        },
        AccessLogSettings: { DestinationArn: arnOf(stack.api.accessLogs) },
      });
      const format = JSON.parse((stage.AccessLogSettings as { Format: string }).Format) as Record<
        string,
        string
      >;
      expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
      expect(Object.values(format).join(' ')).not.toMatch(/body/i);
    });

    it('hands the API every queue, the table and the scheduler', () => {
      const env = (
        properties(stack.api.handler.function).Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(Object.keys(env).sort()).toEqual(
        [
          ENV_VARS.queues,
          ENV_VARS.tableName,
          ENV_VARS.scheduleGroupName,
          ENV_VARS.schedulerRoleArn,
          ENV_VARS.stage,
          'POWERTOOLS_SERVICE_NAME',
          'POWERTOOLS_METRICS_NAMESPACE',
        ].sort(),
      );
      const queues = JSON.stringify(env[ENV_VARS.queues]);
      for (const job of jobs) {
        expect(queues).toContain(`\\"${job.jobName}\\":{\\"url\\":\\"`);
        expect(queues).toContain(JSON.stringify(ref(queueOf(job.jobName).queue)));
      }
    });
  });

  describe('SES', () => {
    it('references the sender identity by default', () => {
      template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    });

    it('creates it on request, and grants sending on the created identity', () => {
      const { stack: created, template: createdTemplate } = synthApp({
        context: { createSesIdentity: true },
      });
      createdTemplate.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'jobs@example.com' });
      const role = required(created.workers.get('email.send')).handler.role;
      const ses = roleStatements(createdTemplate, logicalId(role)).find((s) =>
        s.actions.includes('ses:SendEmail'),
      );
      expect(JSON.stringify(ses?.resources[0])).toContain(
        logicalId(required(required(created.sender).emailIdentity)),
      );
    });

    it('gives the workers that send e-mail the stage’s emailSendRate, and no other worker', () => {
      // Act
      const { template: rated } = synthApp({ context: { emailSendRate: '14' } });
      const withRate = rated.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: Match.objectLike({ [ENV_VARS.emailSendRate]: '14' }) } },
      });

      // Assess: email.send is the one job declaring `ses`; without the key, no worker gets it.
      expect(
        Object.values(withRate).map(
          (r) =>
            (r as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties
              .Environment.Variables[ENV_VARS.jobName],
        ),
      ).toEqual(['email.send']);
      expect(
        template.findResources('AWS::Lambda::Function', {
          Properties: {
            Environment: { Variables: Match.objectLike({ [ENV_VARS.emailSendRate]: Match.anyValue() }) },
          },
        }),
      ).toEqual({});
    });
  });

  describe('Producer policy', () => {
    it('sends to job queues, creates and deletes one-time schedules, passes the scheduler role, calls the API', () => {
      const statements = managedPolicyStatements(template, logicalId(stack.producerPolicy.policy));
      for (const job of jobs) {
        expect(actionsOn(statements, arnOf(queueOf(job.jobName).queue))).toEqual(['sqs:SendMessage']);
      }
      expect(actionsOn(statements, stack.resolve(stack.schedules.oneTimeScheduleArns))).toEqual([
        'scheduler:CreateSchedule',
        'scheduler:DeleteSchedule',
      ]);
      expect(actionsOn(statements, arnOf(stack.schedules.role))).toEqual(['iam:PassRole']);
      expect(allActions(statements)).toEqual([
        'execute-api:Invoke',
        'iam:PassRole',
        'scheduler:CreateSchedule',
        'scheduler:DeleteSchedule',
        'sqs:SendMessage',
      ]);
      const invoke = statements.find((s) => s.actions.includes('execute-api:Invoke'));
      expect(invoke?.resources).toHaveLength(HTTP_ROUTES.length);
    });
  });

  describe('Alarms and dashboard', () => {
    const topic = ref(stack.monitoring.topic);

    it('encrypts the alarm topic with a rotated key CloudWatch may use, and forces TLS', () => {
      expect(properties(stack.monitoring.topic)).toMatchObject({
        KmsMasterKeyId: arnOf(stack.monitoring.topicKey),
      });
      expect(properties(stack.monitoring.topicKey)).toMatchObject({ EnableKeyRotation: true });
      const keyPolicy = JSON.stringify(properties(stack.monitoring.topicKey).KeyPolicy);
      expect(keyPolicy).toContain('cloudwatch.amazonaws.com');
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      template.resourceCountIs('AWS::SNS::Subscription', 0);
    });

    it('subscribes the alarm address when one is configured', () => {
      const { template: subscribed } = synthApp({ context: { alarmEmail: 'ops@example.com' } });
      subscribed.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
      });
    });

    it.each(jobs.map((job) => [job.jobName, job] as const))(
      '%s: DLQ not empty, oldest message too old, worker errors and throttles, each notifying the topic',
      (jobName, job) => {
        const alarms = stack.monitoring.jobAlarms.get(jobName);
        const { queue, deadLetterQueue } = queueOf(jobName);
        const fn = workerOf(jobName).handler.function;
        const common = {
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
          AlarmActions: [topic],
          OKActions: [topic],
        };
        expect(alarms).toBeDefined();
        if (!alarms) return;
        expect(properties(alarms.deadLetterQueueNotEmpty)).toMatchObject({
          ...common,
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [
            { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(deadLetterQueue), 'QueueName'] } },
          ],
          Statistic: 'Maximum',
          Period: MONITORING_DEFAULTS.dlqPeriod.toSeconds(),
          Threshold: 1,
        });
        expect(properties(alarms.oldestMessageAge)).toMatchObject({
          ...common,
          MetricName: 'ApproximateAgeOfOldestMessage',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue), 'QueueName'] } }],
          Threshold: oldestMessageAgeThresholdSeconds(job),
        });
        for (const [alarm, metric] of [
          [alarms.workerErrors, 'Errors'],
          [alarms.workerThrottles, 'Throttles'],
        ] as const) {
          expect(properties(alarm)).toMatchObject({
            ...common,
            Namespace: 'AWS/Lambda',
            MetricName: metric,
            Dimensions: [{ Name: 'FunctionName', Value: ref(fn) }],
            Statistic: 'Sum',
            Threshold: 1,
          });
        }
      },
    );

    it('sets the age threshold above the longest wait a healthy message can have', () => {
      const email = stack.settings.job('email.send');
      // 5 attempts × 181 s visibility + backoffs 5+10+20+40 s + 900 s of producer delay.
      expect(oldestMessageAgeThresholdSeconds(email)).toBe(5 * 181 + 75 + 900);
    });

    it('alarms on the scheduler delivery DLQ and on API errors', () => {
      expect(properties(stack.monitoring.scheduleDeadLetterQueueNotEmpty)).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [logicalId(stack.schedules.deadLetterQueue), 'QueueName'] },
          },
        ],
        AlarmActions: [topic],
      });
      expect(properties(stack.monitoring.apiErrors)).toMatchObject({
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: ref(stack.api.handler.function) }],
      });
      template.resourceCountIs('AWS::CloudWatch::Alarm', jobs.length * 4 + 2);
    });

    it('graphs depth, age, DLQs, job outcomes and durations of every job', () => {
      const body = JSON.stringify(properties(stack.monitoring.dashboard).DashboardBody);
      for (const name of Object.values(METRIC_NAMES))
        expect(body).toContain(`MetricName=\\\\\\"${name}\\\\\\"`);
      for (const job of jobs) {
        expect(body).toContain(`service=\\\\\\"${workerOf(job.jobName).serviceName}\\\\\\"`);
        expect(body).toContain(`${job.jobName}: queue depth`);
      }
      for (const metric of [
        'ApproximateNumberOfMessagesVisible',
        'ApproximateAgeOfOldestMessage',
        'Duration',
      ]) {
        expect(body).toContain(metric);
      }
      expect(body).toContain(`Namespace=\\\\\\"${METRICS_NAMESPACE}\\\\\\"`);
    });
  });

  describe('Pause across deploys', () => {
    const mappings = (of: JobsStack) =>
      Object.fromEntries(
        of.settings.jobs.map((job) => {
          const worker = required(of.workers.get(job.jobName));
          return [
            job.jobName,
            Template.fromStack(of).toJSON().Resources[logicalId(worker.eventSource)].Properties,
          ];
        }),
      ) as Record<string, Record<string, unknown>>;

    it('leaves Enabled out of every event source mapping, so a deploy does not set what hangar pause set', () => {
      for (const props of Object.values(mappings(stack))) expect(props).not.toHaveProperty('Enabled');
    });

    it('deploys the jobs and schedules the stage lists as paused disabled, and writes every other schedule ENABLED', () => {
      // Act
      const paused = bareStack({
        context: { pausedJobs: '["email.send"]', pausedSchedules: '["cleanup-run"]' },
      });
      const pausedTemplate = Template.fromStack(paused);

      // Assess
      const deployed = mappings(paused);
      expect(deployed['email.send']).toHaveProperty('Enabled', false);
      expect(deployed['sync.run']).not.toHaveProperty('Enabled');
      pausedTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: 'cleanup-run',
        State: 'DISABLED',
      });
      template.hasResourceProperties('AWS::Scheduler::Schedule', { Name: 'cleanup-run', State: 'ENABLED' });
    });

    it.each([
      [
        { pausedJobs: '["email.sned"]' },
        new ConfigError(
          'Invalid stage configuration (CDK context):\n  - pausedJobs: "email.sned" not registered; jobs: email.send, sync.run, cleanup.run',
        ),
      ],
      [
        { pausedSchedules: '["nightly"]' },
        new ConfigError('pausedSchedules: "nightly" is not a schedule of this stage; schedules: cleanup-run'),
      ],
    ])('fails synth naming an unknown name in %j', (context, error) => {
      expect(() => bareStack({ context })).toThrow(error);
    });
  });

  describe('Stage', () => {
    it('names the stack after the stage and tags its resources with it', () => {
      expect(stack.stackName).toBe('Hangar-dev');
      expect(resources[logicalId(stack.ledger.table)]?.Properties.Tags).toEqual([
        { Key: 'hangar:stage', Value: 'dev' },
      ]);
    });

    it('names every missing function entry in one message', () => {
      expect(() => synthApp({ context: { functionsDir: 'test/fixtures/no-functions' } })).toThrow(
        new ConfigError(
          [
            'Missing function entry files (each exports "handler"):',
            '  - test/fixtures/no-functions/email/handler.ts (job email.send)',
            '  - test/fixtures/no-functions/sync/handler.ts (job sync.run)',
            '  - test/fixtures/no-functions/cleanup/handler.ts (job cleanup.run)',
            '  - test/fixtures/no-functions/api/handler.ts (the HTTP API)',
          ].join('\n'),
        ),
      );
    });

    it('fails synth without senderEmail when a registered job sends e-mail, naming the job', () => {
      expect(() => synthApp({ context: { senderEmail: undefined } })).toThrow(ConfigError);
      expect(() => synthApp({ context: { senderEmail: undefined } })).toThrow(
        new ConfigError(
          `Invalid stage configuration (CDK context):\n  - senderEmail: is required: "${emailSend.name}" sends e-mail (resource "ses"); -c senderEmail=<verified address>`,
        ),
      );
    });

    it('needs no senderEmail, and has no sender or SES permission, when no registered job sends e-mail', () => {
      // Prepare: a team that sends no e-mail leaves email.send out of its registry.
      const noMail = createRegistry(builtinJobs.filter((job) => !job.resources.includes('ses')));

      // Act
      const { stack: quiet, template: quietTemplate } = synthApp({
        registry: noMail,
        context: { senderEmail: undefined },
      });

      // Assess
      const json = JSON.stringify(quietTemplate.toJSON());
      expect(quiet.sender).toBeUndefined();
      expect(quiet.settings.jobs.map((job) => job.jobName)).toEqual(noMail.names);
      expect(json).not.toContain('ses:');
      expect(json).not.toContain(ENV_VARS.senderEmail);
      quietTemplate.resourceCountIs('AWS::SES::EmailIdentity', 0);
    });

    it('fails synth naming the stage key that is wrong', () => {
      expect(() => synthApp({ context: { senderEmail: 'nobody' } })).toThrow(
        new ConfigError(
          'Invalid stage configuration (CDK context):\n  - senderEmail: must be an e-mail address',
        ),
      );
    });
  });

  describe('Outputs', () => {
    it('exports every stack-wide and per-job key of the lib constants', () => {
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      const perJob = jobs.flatMap((job) =>
        (Object.keys(JOB_OUTPUT_SUFFIXES) as JobOutput[]).map((output) => jobOutputKey(job.jobName, output)),
      );
      // `LedgerIndexes` only while a stage steps to the current ledger indexes (ledger-index-steps.test.ts).
      const stackWide = Object.values(OUTPUT_KEYS).filter((key) => key !== OUTPUT_KEYS.ledgerIndexes);
      expect(Object.keys(outputs).sort()).toEqual([...stackWide, ...perJob].sort());
      expect(outputs[OUTPUT_KEYS.tableName]?.Value).toEqual(ref(stack.ledger.table));
      expect(outputs[OUTPUT_KEYS.schedulerRoleArn]?.Value).toEqual(arnOf(stack.schedules.role));
      expect(outputs[OUTPUT_KEYS.scheduleGroupName]?.Value).toBe(stack.schedules.group.scheduleGroupName);
      expect(outputs[OUTPUT_KEYS.producerPolicyArn]?.Value).toEqual(ref(stack.producerPolicy.policy));
      expect(JSON.stringify(outputs[OUTPUT_KEYS.apiUrl]?.Value)).toContain(logicalId(stack.api.httpApi));
      const email = queueOf('email.send');
      expect(outputs[jobOutputKey('email.send', 'queueUrl')]?.Value).toEqual(ref(email.queue));
      expect(outputs[jobOutputKey('email.send', 'queueArn')]?.Value).toEqual(arnOf(email.queue));
      expect(outputs[jobOutputKey('email.send', 'dlqUrl')]?.Value).toEqual(ref(email.deadLetterQueue));
      expect(outputs[jobOutputKey('email.send', 'dlqArn')]?.Value).toEqual(arnOf(email.deadLetterQueue));
    });
  });
});

/**
 * `hangar dashboard --stage <name>`: every page and action against mocked AWS clients, asserting
 * the calls each makes — what a refresh costs on a deployed stage — through the dashboard's own
 * HTTP app, as the page calls it.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveTarget, type Target } from '../../../../cli/target.js';
import { createApp } from '../../../../dashboard/server/app.js';
import { DASHBOARD_DEFAULTS } from '../../../../dashboard/server/constants.js';
import { CloudWatchMetrics, outcomeQuery } from '../../../../dashboard/server/metrics/cloudwatch-metrics.js';
import { cachedMetrics } from '../../../../dashboard/server/metrics/metrics-source.js';
import { DashboardOperations } from '../../../../dashboard/server/operations.js';
import { targetFlowControl } from '../../../../dashboard/server/target-flow-control.js';
import {
  API_PATHS,
  apiPath,
  type DeadLettersData,
  type JobDetail,
  type JobsPage,
  type MetricsData,
  type OverviewData,
  type SchedulesData,
  type TaskView,
  TOKEN_HEADER,
} from '../../../../dashboard/shared/api.js';
import {
  DEAD_LETTER_ATTRIBUTES,
  encodeEnvelope,
  jobOutputKey,
  OUTPUT_KEYS,
  resourceStem,
} from '../../../../lib/deploy/index.js';
import { JOB_STATUSES } from '../../../../lib/index.js';
import { encodeFiringTemplate } from '../../../../lib/jobs/envelope.js';
import type { JobRecord } from '../../../../lib/ledger/index.js';
import { dashboardTestRegistry, faultRun, tickRun } from '../../../fixtures/dashboard/jobs.js';
import { stackOutputs } from '../../../helpers/cli.js';
import { waitFor } from '../../../helpers/wait.js';

const cfnMock = mockClient(CloudFormationClient);
const sqsMock = mockClient(SQSClient);
const cwMock = mockClient(CloudWatchClient);
const schedulerMock = mockClient(SchedulerClient);
const ddbMock = mockClient(DynamoDBDocumentClient);
const lambdaMock = mockClient(LambdaClient);

const region = 'eu-west-1';
const outputs = stackOutputs(region, '123456789012', dashboardTestRegistry);
const NOW = new Date('2026-11-23T12:00:30.000Z');
const HOST = '127.0.0.1:3003';
const TOKEN = 'a'.repeat(64);
const JOB_ID = '01KRAW0000000000000000000A';

let target: Target;
let operations: DashboardOperations;
let app: ReturnType<typeof createApp>;

beforeEach(async () => {
  cfnMock.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'Hangar-prod',
        CreationTime: NOW,
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  const cloudwatch = new CloudWatchClient({ region });
  target = await resolveTarget({
    stage: 'prod',
    registry: dashboardTestRegistry,
    cloudFormation: new CloudFormationClient({ region }),
    sqs: new SQSClient({ region }),
    cloudwatch,
    scheduler: new SchedulerClient({ region }),
    lambda: new LambdaClient({ region }),
    dynamodb: new DynamoDBClient({ region }),
  });
  // Each job's queue has its worker's mapping; fault.run's is paused.
  lambdaMock.on(ListEventSourceMappingsCommand).callsFake((input: { EventSourceArn: string }) => ({
    EventSourceMappings: [
      {
        UUID: `uuid-${input.EventSourceArn.split(':').pop()}`,
        EventSourceArn: input.EventSourceArn,
        State:
          input.EventSourceArn === outputs[jobOutputKey(faultRun.name, 'queueArn')] ? 'Disabled' : 'Enabled',
      },
    ],
  }));
  operations = new DashboardOperations({
    target,
    registry: dashboardTestRegistry,
    metrics: cachedMetrics(
      new CloudWatchMetrics(cloudwatch, 'prod', dashboardTestRegistry),
      DASHBOARD_DEFAULTS.cloudWatchCacheMs,
    ),
    now: () => NOW,
    flowControl: targetFlowControl(target, dashboardTestRegistry),
  });
  app = createApp({
    operations,
    ui: { assets: new Map(), html: () => '<!doctype html>' },
    token: TOKEN,
    host: () => HOST,
    readOnly: false,
    refreshMs: DASHBOARD_DEFAULTS.refreshMs,
  });
  cfnMock.resetHistory();
});

afterEach(async () => {
  await operations.stop();
  target.destroy();
  for (const mock of [cfnMock, sqsMock, cwMock, schedulerMock, ddbMock, lambdaMock]) mock.reset();
});

const get = (path: string) => app.request(`http://${HOST}${path}`, { headers: { host: HOST } });
const post = (path: string, body: unknown = {}) =>
  app.request(`http://${HOST}${path}`, {
    method: 'POST',
    headers: {
      host: HOST,
      origin: `http://${HOST}`,
      [TOKEN_HEADER]: TOKEN,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });

async function json<T>(answer: Response | Promise<Response>): Promise<T> {
  return (await (await answer).json()) as T;
}

/** Every AWS call made so far, as `Service.Command` counts. */
function calls(): Record<string, number> {
  const counted: Record<string, number> = {};
  const mocks = {
    SQS: sqsMock,
    CloudWatch: cwMock,
    Scheduler: schedulerMock,
    DynamoDB: ddbMock,
    CloudFormation: cfnMock,
    Lambda: lambdaMock,
  };
  for (const [service, mock] of Object.entries(mocks)) {
    for (const call of mock.calls()) {
      const name = `${service}.${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`;
      counted[name] = (counted[name] ?? 0) + 1;
    }
  }
  return counted;
}

const queueUrl = outputs[jobOutputKey(faultRun.name, 'queueUrl')] ?? '';
const dlqUrl = outputs[jobOutputKey(faultRun.name, 'dlqUrl')] ?? '';

/** A dead message as the worker leaves it in the DLQ. */
function deadMessage(jobId: string) {
  return {
    MessageId: `m-${jobId}`,
    ReceiptHandle: `r-${jobId}`,
    Body: encodeEnvelope({
      version: 1,
      jobId,
      name: faultRun.name,
      payload: { label: 'x' },
      enqueuedAt: '2026-11-23T11:00:00.000Z',
      attempt: 2,
      continuation: 0,
    }),
    Attributes: { SentTimestamp: String(Date.parse('2026-11-23T11:00:01.000Z')) },
    MessageAttributes: {
      [DEAD_LETTER_ATTRIBUTES.errorCode]: { DataType: 'String', StringValue: 'FAULT_ON' },
      [DEAD_LETTER_ATTRIBUTES.errorMessage]: { DataType: 'String', StringValue: 'The fault is on' },
    },
  };
}

/** A task once it has ended. */
const finished = (id: string) =>
  waitFor('the task to end', () => {
    const task = operations.task(id);
    return task.state === 'running' ? undefined : task;
  });

/** The group holds one recurring schedule, of `tick.run`, as Scheduler returns it. */
function oneSchedule() {
  const name = resourceStem(tickRun.name);
  schedulerMock
    .on(ListSchedulesCommand)
    .resolves({ Schedules: [] })
    .on(ListSchedulesCommand, { NamePrefix: name })
    .resolves({ Schedules: [{ Name: name }] });
  schedulerMock.on(GetScheduleCommand).resolves({
    Name: name,
    ScheduleExpression: 'cron(0 3 * * ? *)',
    ScheduleExpressionTimezone: 'Europe/Berlin',
    State: 'ENABLED',
    CreationDate: NOW,
    Target: {
      Arn: 'arn:aws:sqs:eu-west-1:123456789012:q',
      RoleArn: 'r',
      Input: encodeFiringTemplate(tickRun, name, {}),
    },
  });
  return name;
}

const record = (status: string) => ({
  pk: `job#${JOB_ID}`,
  sk: 'job',
  jobId: JOB_ID,
  jobName: faultRun.name,
  status,
  attempts: 2,
  claims: 2,
  continuation: 0,
  createdAt: '2026-11-23T11:00:00.000Z',
  updatedAt: '2026-11-23T11:00:01.000Z',
  expiresAt: 1_800_000_000,
});

describe('Dashboard --stage: AWS calls per page refresh', () => {
  it('overview: two GetQueueAttributes and one ListEventSourceMappings per job, one GetMetricData for the ages, one count Query per status', async () => {
    // Prepare
    sqsMock.on(GetQueueAttributesCommand).resolves({
      Attributes: {
        ApproximateNumberOfMessages: '3',
        ApproximateNumberOfMessagesNotVisible: '1',
        ApproximateNumberOfMessagesDelayed: '0',
      },
    });
    cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'q0', Values: [42] }] });
    ddbMock.on(QueryCommand).resolves({ Count: 2 });

    // Act
    const first = await json<OverviewData>(get(API_PATHS.overview));
    const once = calls();
    await get(API_PATHS.overview);

    // Assess
    expect(once).toEqual({
      'SQS.GetQueueAttributes': 2 * dashboardTestRegistry.jobs.length,
      'Lambda.ListEventSourceMappings': dashboardTestRegistry.jobs.length,
      'CloudWatch.GetMetricData': 1,
      'DynamoDB.Query': JOB_STATUSES.length,
    });
    // The second refresh within the count cache reads queues, pauses and ages again, not the counts.
    expect(calls()).toEqual({
      'SQS.GetQueueAttributes': 4 * dashboardTestRegistry.jobs.length,
      'Lambda.ListEventSourceMappings': 2 * dashboardTestRegistry.jobs.length,
      'CloudWatch.GetMetricData': 2,
      'DynamoDB.Query': JOB_STATUSES.length,
    });
    expect(first.paused).toEqual({ [faultRun.name]: true, [tickRun.name]: false });
    expect(first.queues[0]).toEqual({
      job: faultRun.name,
      queue: 'Hangar-prod-FaultRunQueue-X1',
      visible: 3,
      inFlight: 1,
      delayed: 0,
      dlq: 'Hangar-prod-FaultRunDlq-X2',
      dlqDepth: 4,
      oldestAgeSeconds: 42,
      dlqOldestAgeSeconds: null,
    });
    expect(first.counts?.dead).toEqual({ count: 2, capped: false });
    expect(ddbMock.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      IndexName: 'by-status',
      Select: 'COUNT',
      Limit: DASHBOARD_DEFAULTS.countCap + 1,
    });
  });

  it('overview: still answers, without the state, when Lambda refuses to say whether queues are paused', async () => {
    // Prepare
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
    cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    ddbMock.on(QueryCommand).resolves({ Count: 0 });
    lambdaMock
      .on(ListEventSourceMappingsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));

    // Act
    const answer = await get(API_PATHS.overview);

    // Assess
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as OverviewData).paused).toBeNull();
  });

  it('chart: one GetMetricData searching each outcome over the jobs’ services, kept for a minute', async () => {
    // Prepare
    cwMock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'succeeded', Timestamps: [new Date('2026-11-23T12:00:00.000Z')], Values: [7] },
        { Id: 'deadLettered', Timestamps: [new Date('2026-11-23T11:59:00.000Z')], Values: [1] },
      ],
    });

    // Act
    const chart = await json<MetricsData>(get(`${API_PATHS.metrics}?range=hour`));
    await get(`${API_PATHS.metrics}?range=hour`);

    // Assess
    expect(calls()).toEqual({ 'CloudWatch.GetMetricData': 1 });
    expect(cwMock.commandCalls(GetMetricDataCommand)[0]?.args[0].input).toEqual({
      StartTime: new Date('2026-11-23T11:01:00.000Z'),
      EndTime: new Date('2026-11-23T12:01:00.000Z'),
      MetricDataQueries: ['succeeded', 'retried', 'deadLettered'].map((o) =>
        outcomeQuery(o as 'succeeded', 'prod', dashboardTestRegistry),
      ),
    });
    expect(outcomeQuery('succeeded', 'prod', dashboardTestRegistry).Expression).toBe(
      `SUM(SEARCH('Namespace="Hangar" MetricName="JobSucceeded" (service="hangar-prod-fault-run" OR service="hangar-prod-tick-run")', 'Sum', 60))`,
    );
    expect(chart.totals.succeeded.at(-1)).toBe(7);
    expect(chart.totals.deadLettered.at(-2)).toBe(1);
    expect(chart.minutes).toHaveLength(60);
  });

  it('jobs: one Query of the status index; a job: one GetItem; a lookup by key: two GetItems', async () => {
    // Prepare
    ddbMock.on(QueryCommand).resolves({ Items: [record('dead')] });
    // Generic first: a later, more specific definition wins.
    ddbMock.on(GetCommand).resolves({ Item: { jobId: JOB_ID } });
    ddbMock.on(GetCommand, { Key: { pk: `job#${JOB_ID}`, sk: 'job' } }).resolves({ Item: record('dead') });

    // Act
    const list = await json<JobsPage>(get(`${API_PATHS.jobs}?status=dead`));
    const afterList = calls();
    const detail = await json<JobDetail>(get(apiPath(API_PATHS.job, { id: JOB_ID })));
    const afterDetail = calls();
    const found = await json<JobRecord>(get(`${API_PATHS.lookup}?q=order-7`));

    // Assess
    expect(afterList).toEqual({ 'DynamoDB.Query': 1 });
    expect(ddbMock.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      TableName: outputs[OUTPUT_KEYS.tableName],
      IndexName: 'by-status',
      ScanIndexForward: false,
    });
    expect(list.jobs.map((j) => j.jobId)).toEqual([JOB_ID]);
    expect(afterDetail).toEqual({ 'DynamoDB.Query': 1, 'DynamoDB.Get': 1 });
    expect(detail.deadLetterJob).toBe(faultRun.name);
    // The key is not a job id: the job's GetItem finds nothing, the key's item names the job.
    expect(calls()).toEqual({ 'DynamoDB.Query': 1, 'DynamoDB.Get': 4 });
    expect(found.jobId).toBe(JOB_ID);
  });

  it('dead letters: receives the DLQ and gives every message back at once (nothing consumed)', async () => {
    // Prepare
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [deadMessage(JOB_ID)] })
      .resolves({});
    sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [{ Id: '0' }] });

    // Act
    const dead = await json<DeadLettersData>(get(apiPath(API_PATHS.deadLetters, { job: faultRun.name })));

    // Assess
    expect(calls()).toEqual({ 'SQS.ReceiveMessage': 2, 'SQS.ChangeMessageVisibilityBatch': 1 });
    expect(sqsMock.commandCalls(ReceiveMessageCommand)[0]?.args[0].input).toMatchObject({ QueueUrl: dlqUrl });
    expect(sqsMock.commandCalls(ChangeMessageVisibilityBatchCommand)[0]?.args[0].input.Entries).toEqual([
      { Id: '0', ReceiptHandle: `r-${JOB_ID}`, VisibilityTimeout: 0 },
    ]);
    expect(dead.messages).toEqual([expect.objectContaining({ jobId: JOB_ID, errorCode: 'FAULT_ON' })]);
  });

  it('schedules: ListSchedules per job, GetSchedule per schedule, one Query per job with one, one for one-time jobs', async () => {
    // Prepare
    const name = oneSchedule();
    ddbMock.on(QueryCommand).resolves({ Items: [] });

    // Act
    const schedules = await json<SchedulesData>(get(API_PATHS.schedules));

    // Assess
    expect(calls()).toEqual({
      'Scheduler.ListSchedules': dashboardTestRegistry.jobs.length,
      'Scheduler.GetSchedule': 1,
      'DynamoDB.Query': 2,
    });
    expect(schedules.recurring[0]).toMatchObject({
      name,
      next: expect.arrayContaining(['2026-11-24T02:00:00.000Z']),
    });
  });
});

describe('Dashboard --stage: AWS calls per action', () => {
  it('redrive all: SQS’s native move task from the DLQ to the queue, followed to its end', async () => {
    // Prepare
    sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqsMock.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          TaskHandle: 'task-1',
          Status: 'COMPLETED',
          ApproximateNumberOfMessagesMoved: 3,
          ApproximateNumberOfMessagesToMove: 3,
        },
      ],
    });

    // Act
    const started = (await (
      await post(apiPath(API_PATHS.redrive, { job: faultRun.name }), { all: true })
    ).json()) as TaskView;
    const done = await finished(started.id);

    // Assess
    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
      SourceArn: outputs[jobOutputKey(faultRun.name, 'dlqArn')],
      DestinationArn: outputs[jobOutputKey(faultRun.name, 'queueArn')],
    });
    expect(calls()).toEqual({ 'SQS.StartMessageMoveTask': 1, 'SQS.ListMessageMoveTasks': 1 });
    expect(done).toMatchObject({
      mode: 'native',
      state: 'done',
      summary: 'Move task COMPLETED: moved 3 of 3',
    });
  });

  it('redrive selected: receive, re-send with attempt 1, record it in the ledger, then delete', async () => {
    // Prepare
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '1' } });
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [deadMessage(JOB_ID)] })
      .resolves({});
    sqsMock
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [{ Id: '0', MessageId: 'n', MD5OfMessageBody: '' }] });
    sqsMock.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: '0' }] });
    ddbMock.on(UpdateCommand).resolves({});

    // Act
    const started = (await (
      await post(apiPath(API_PATHS.redrive, { job: faultRun.name }), { ids: [JOB_ID] })
    ).json()) as TaskView;
    const done = await finished(started.id);

    // Assess
    expect(calls()).toEqual({
      'SQS.GetQueueAttributes': 1,
      'SQS.ReceiveMessage': 2,
      'SQS.SendMessageBatch': 1,
      'DynamoDB.Update': 1,
      'SQS.DeleteMessageBatch': 1,
    });
    expect(sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.QueueUrl).toBe(queueUrl);
    expect(done).toMatchObject({ mode: 'selective', state: 'done', summary: 'Moved 1, skipped 0, failed 0' });
  });

  it('discard: scans the DLQ holding everything, deletes the selected, gives the rest back', async () => {
    // Prepare
    const other = '01KRAW0000000000000000000B';
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [deadMessage(JOB_ID), deadMessage(other)] })
      .resolves({});
    sqsMock.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: '0' }] });
    sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [{ Id: '0' }] });

    // Act
    const summary = await (
      await post(apiPath(API_PATHS.discard, { job: faultRun.name }), { ids: [JOB_ID] })
    ).json();

    // Assess
    expect(calls()).toEqual({
      'SQS.ReceiveMessage': 2,
      'SQS.DeleteMessageBatch': 1,
      'SQS.ChangeMessageVisibilityBatch': 1,
    });
    expect(sqsMock.commandCalls(DeleteMessageBatchCommand)[0]?.args[0].input.Entries).toEqual([
      { Id: '0', ReceiptHandle: `r-${JOB_ID}` },
    ]);
    expect(summary).toEqual({ deleted: [`m-${JOB_ID}`], failed: [], notFound: [] });
  });

  it('enqueue: the job service — SendMessageBatch to the job’s queue, then the record (PutItem)', async () => {
    // Prepare
    sqsMock
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [{ Id: '0', MessageId: 'n', MD5OfMessageBody: '' }] });
    ddbMock.on(PutCommand).resolves({});

    // Act
    const answer = await post(API_PATHS.enqueue, { name: faultRun.name, payload: { label: 'x' } });

    // Assess
    expect(answer.status).toBe(202);
    expect(calls()).toEqual({ 'SQS.SendMessageBatch': 1, 'DynamoDB.Put': 1 });
    expect(sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.QueueUrl).toBe(queueUrl);
  });

  it('cancel: one conditional UpdateItem per job', async () => {
    // Prepare
    ddbMock.on(UpdateCommand).resolves({ Attributes: { ...record('cancelled'), cancelledFrom: 'queued' } });

    // Act
    const outcome = await (await post(API_PATHS.cancel, { ids: [JOB_ID] })).json();

    // Assess
    expect(calls()).toEqual({ 'DynamoDB.Update': 1 });
    expect(outcome).toEqual([{ jobId: JOB_ID, ok: true, status: 'cancelled' }]);
  });

  it('run now: one SendMessage of the schedule’s rendered input to the job’s queue', async () => {
    // Prepare
    const name = oneSchedule();
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'fired' });

    // Act
    const fired = await (await post(apiPath(API_PATHS.runSchedule, { name }))).json();

    // Assess
    expect(calls()).toEqual({
      'Scheduler.ListSchedules': 2,
      'Scheduler.GetSchedule': 1,
      'SQS.SendMessage': 1,
    });
    expect(sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input.QueueUrl).toBe(
      outputs[jobOutputKey(tickRun.name, 'queueUrl')],
    );
    expect(fired).toMatchObject({ schedule: name, jobName: tickRun.name, messageId: 'fired' });
  });

  it('pause a queue: finds its mapping by the queue ARN, disables it, and does not wait for Lambda to settle', async () => {
    // Prepare
    lambdaMock.on(UpdateEventSourceMappingCommand).resolves({ State: 'Disabling' });

    // Act
    const answer = await post(apiPath(API_PATHS.pauseQueue, { job: tickRun.name }));

    // Assess
    expect(answer.status).toBe(200);
    expect(calls()).toEqual({
      'Lambda.ListEventSourceMappings': 1,
      'Lambda.UpdateEventSourceMapping': 1,
    });
    expect(lambdaMock.commandCalls(ListEventSourceMappingsCommand)[0]?.args[0].input).toEqual({
      EventSourceArn: outputs[jobOutputKey(tickRun.name, 'queueArn')],
    });
    expect(lambdaMock.commandCalls(UpdateEventSourceMappingCommand)[0]?.args[0].input).toEqual({
      UUID: `uuid-${outputs[jobOutputKey(tickRun.name, 'queueArn')]?.split(':').pop()}`,
      Enabled: false,
    });
  });

  it('pause a schedule: finds it, reads it whole, writes it back DISABLED', async () => {
    // Prepare
    const name = oneSchedule();
    schedulerMock.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });

    // Act
    const answer = await post(apiPath(API_PATHS.pauseSchedule, { name }));

    // Assess
    expect(answer.status).toBe(200);
    expect(calls()).toEqual({
      'Scheduler.ListSchedules': 2,
      'Scheduler.GetSchedule': 2,
      'Scheduler.UpdateSchedule': 1,
    });
    expect(schedulerMock.commandCalls(UpdateScheduleCommand)[0]?.args[0].input).toMatchObject({
      Name: name,
      ScheduleExpression: 'cron(0 3 * * ? *)',
      State: 'DISABLED',
    });
  });

  it('pause an unknown schedule: 404 naming the schedules there are, nothing written', async () => {
    // Prepare
    oneSchedule();

    // Act
    const answer = await post(apiPath(API_PATHS.pauseSchedule, { name: 'nightly' }));

    // Assess
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({
      error: { code: 'UNKNOWN_SCHEDULE', message: 'Unknown schedule "nightly"; schedules: tick-run' },
    });
    expect(schedulerMock.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });
});

import { Logger } from '@aws-lambda-powertools/logger';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../../functions/api/create-api-handler.js';
import { decodeEnvelope, SQS_LIMITS } from '../../../../lib/deploy/index.js';
import { AwsScheduler, JobClient } from '../../../../lib/index.js';
import { registry } from '../../../../lib/jobs/builtin/index.js';
import { DynamoJobLedger, JobService } from '../../../../lib/ledger/index.js';
import { requestHash } from '../../../../lib/ledger/request-hash.js';
import { apiEvent, parseResult } from '../../../helpers/api-events.js';
import { fakeContext } from '../../../helpers/lambda-context.js';
import { captureLogs } from '../../../helpers/logs.js';

const sqsMock = mockClient(SQSClient);
const ddbMock = mockClient(DynamoDBDocumentClient);
const schedulerMock = mockClient(SchedulerClient);

const NOW = new Date('2026-11-23T10:00:00.000Z');
const TABLE = 'hangar-ledger';
const QUEUES = Object.fromEntries(
  registry.names.map((name) => [
    name,
    {
      url: `https://sqs.local/0/${name.replace('.', '-')}`,
      arn: `arn:aws:sqs:us-east-1:0:${name.replace('.', '-')}`,
    },
  ]),
);
const email = { to: ['ada@example.com'], subject: 'Hi', text: 'Hello' };
const silent = new Logger({ serviceName: 'hangar-test', logLevel: 'SILENT' });

function makeHandler(logger: Logger = silent) {
  let n = 0;
  const region = 'us-east-1';
  const client = new JobClient({
    registry,
    queues: QUEUES,
    sqs: new SQSClient({ region }),
    scheduler: new AwsScheduler({
      groupName: 'hangar-dev',
      roleArn: 'arn:aws:iam::0:role/scheduler',
      client: new SchedulerClient({ region }),
    }),
    now: () => NOW,
  });
  const store = new DynamoJobLedger({
    tableName: TABLE,
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region })),
    now: () => NOW,
  });
  const service = new JobService({
    client,
    store,
    logger: silent,
    now: () => NOW,
    newJobId: () => `job${String(++n).padStart(3, '0')}`,
  });
  return createApiHandler({ service, registry, logger });
}

async function call(event: APIGatewayProxyEventV2, handler = makeHandler()) {
  return parseResult(await handler(event, fakeContext(29_000)));
}

function acceptAllBatches() {
  sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
    Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: 'x' })),
    Failed: [],
  }));
}

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const sentEnvelopes = () =>
  sqsMock
    .commandCalls(SendMessageBatchCommand)
    .flatMap((c) => c.args[0].input.Entries ?? [])
    .map((e) => decodeEnvelope(e.MessageBody ?? ''));

/** A stored job record as the ledger returns it. */
function stored(overrides: Record<string, unknown> = {}) {
  return {
    pk: 'job#job-1',
    sk: 'job',
    kind: 'job',
    jobId: 'job-1',
    jobName: 'email.send',
    status: 'queued',
    attempts: 0,
    claims: 0,
    continuation: 0,
    createdAt: '2026-11-23T09:00:00.000Z',
    updatedAt: '2026-11-23T09:00:00.000Z',
    enqueuedAt: '2026-11-23T09:00:00.000Z',
    expiresAt: Date.parse('2026-12-23T09:00:00.000Z') / 1000,
    ...overrides,
  };
}
const view = {
  jobId: 'job-1',
  name: 'email.send',
  status: 'queued',
  attempts: 0,
  claims: 0,
  continuation: 0,
  createdAt: '2026-11-23T09:00:00.000Z',
  updatedAt: '2026-11-23T09:00:00.000Z',
  enqueuedAt: '2026-11-23T09:00:00.000Z',
  expiresAt: '2026-12-23T09:00:00.000Z',
};

const error = (code: string, message: string, details: unknown[] = []) => ({
  error: { code, message, details },
});

describe('Function: createApiHandler', () => {
  beforeEach(() => {
    sqsMock.reset();
    ddbMock.reset();
    schedulerMock.reset();
    ddbMock.on(PutCommand).resolves({});
    acceptAllBatches();
  });
  afterEach(() => {
    sqsMock.reset();
    ddbMock.reset();
    schedulerMock.reset();
  });

  describe('Route: GET /health', () => {
    it('answers 200', async () => {
      const res = await call(apiEvent('GET', '/health'));
      expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(ddbMock.calls()).toHaveLength(0);
    });
  });

  describe('Route: POST /jobs', () => {
    it('enqueues the job, records it as queued, and answers 202 with its id', async () => {
      // Act
      const res = await call(apiEvent('POST', '/jobs', { body: { name: 'email.send', payload: email } }));

      // Assess
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ jobId: 'job001', status: 'queued' });
      expect(res.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8' });
      expect(sentEnvelopes()).toEqual([
        expect.objectContaining({ jobId: 'job001', name: 'email.send', payload: email, attempt: 1 }),
      ]);
      expect(ddbMock).toHaveReceivedCommandWith(PutCommand, {
        TableName: TABLE,
        Item: expect.objectContaining({ pk: 'job#job001', status: 'queued', jobName: 'email.send' }),
      });
    });

    it('answers 202 with the run-at time of a delayed job', async () => {
      const res = await call(
        apiEvent('POST', '/jobs', { body: { name: 'email.send', payload: email, delaySeconds: 120 } }),
      );
      expect(res).toMatchObject({
        status: 202,
        body: { jobId: 'job001', status: 'queued', runAt: '2026-11-23T10:02:00.000Z' },
      });
    });

    it('puts a job that runs in more than 15 minutes on a one-time schedule', async () => {
      schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:s' });

      const res = await call(
        apiEvent('POST', '/jobs', {
          body: { name: 'email.send', payload: email, runAt: '2026-12-01T08:00:00Z' },
        }),
      );

      expect(res).toMatchObject({
        status: 202,
        body: { jobId: 'job001', status: 'scheduled', runAt: '2026-12-01T08:00:00.000Z' },
      });
      expect(schedulerMock).toHaveReceivedCommandWith(CreateScheduleCommand, { Name: 'job-job001-0' });
      expect(ddbMock).toHaveReceivedCommandWith(PutCommand, {
        Item: expect.objectContaining({ status: 'scheduled', runAt: '2026-12-01T08:00:00.000Z' }),
      });
    });

    it('accepts a base64-encoded body and a charset parameter', async () => {
      const res = await call(
        apiEvent('POST', '/jobs', {
          body: Buffer.from(JSON.stringify({ name: 'email.send', payload: email })).toString('base64'),
          isBase64Encoded: true,
          headers: { 'content-type': 'Application/JSON; charset=UTF-8' },
        }),
      );
      expect(res.status).toBe(202);
    });

    describe('with an idempotency key', () => {
      const body = { name: 'email.send', payload: email, idempotencyKey: 'order-42' };

      it('reserves the key before sending, and records the job with it', async () => {
        const res = await call(apiEvent('POST', '/jobs', { body }));

        expect(res).toMatchObject({ status: 202, body: { jobId: 'job001', status: 'queued' } });
        const puts = ddbMock.commandCalls(PutCommand).map((c) => c.args[0].input.Item);
        expect(puts).toEqual([
          expect.objectContaining({ kind: 'idempotency', jobId: 'job001', requestHash: expect.any(String) }),
          expect.objectContaining({ kind: 'job', jobId: 'job001', idempotencyKey: 'order-42' }),
        ]);
        expect(sentEnvelopes()[0]?.idempotencyKey).toBe('order-42');
      });

      it('answers a repeat with the original job id and current status, and enqueues nothing', async () => {
        // Prepare
        ddbMock.on(PutCommand).rejects(conditionFailed());
        const hash = requestHash({ job: 'email.send', payload: email });
        ddbMock
          .on(GetCommand)
          .resolvesOnce({
            Item: { jobId: 'job-1', requestHash: hash, createdAt: '2026-11-23T09:00:00.000Z' },
          })
          .resolves({ Item: stored({ status: 'succeeded' }) });

        // Act: the same body, its keys in another order
        const res = await call(
          apiEvent('POST', '/jobs', {
            body: { idempotencyKey: 'order-42', payload: email, name: 'email.send' },
          }),
        );

        // Assess
        expect(res.status).toBe(202);
        expect(res.body).toEqual({ jobId: 'job-1', status: 'succeeded' });
        expect(res.headers).toMatchObject({ 'idempotent-replayed': 'true' });
        expect(sqsMock.calls()).toHaveLength(0);
      });

      it('answers 409 when the key was used with a different body', async () => {
        ddbMock.on(PutCommand).rejects(conditionFailed());
        ddbMock
          .on(GetCommand)
          .resolves({ Item: { jobId: 'job-1', requestHash: 'other', createdAt: NOW.toISOString() } });

        const res = await call(apiEvent('POST', '/jobs', { body }));

        expect(res).toEqual({
          status: 409,
          headers: expect.any(Object),
          body: error(
            'IDEMPOTENCY_KEY_CONFLICT',
            'The idempotency key was already used with a different request',
          ),
        });
        expect(sqsMock.calls()).toHaveLength(0);
      });

      it('answers 409 while the first request with the key is still in flight', async () => {
        ddbMock.on(PutCommand).rejects(conditionFailed());
        const hash = requestHash({ job: 'email.send', payload: email });
        ddbMock
          .on(GetCommand)
          .resolvesOnce({
            Item: { jobId: 'job-1', requestHash: hash, createdAt: '2026-11-23T09:59:50.000Z' },
          })
          .resolves({});

        const res = await call(apiEvent('POST', '/jobs', { body }));

        expect(res.status).toBe(409);
        expect(res.body).toEqual(
          error(
            'IDEMPOTENCY_KEY_IN_USE',
            'A request with this idempotency key is still in progress; retry shortly',
          ),
        );
      });

      it('sends the job of a request that died after reserving its key, under the reserved id', async () => {
        ddbMock.on(PutCommand).rejectsOnce(conditionFailed()).resolves({});
        const hash = requestHash({ job: 'email.send', payload: email });
        ddbMock
          .on(GetCommand)
          .resolvesOnce({
            Item: { jobId: 'job-old', requestHash: hash, createdAt: '2026-11-23T09:58:00.000Z' },
          })
          .resolves({});

        const res = await call(apiEvent('POST', '/jobs', { body }));

        expect(res).toMatchObject({ status: 202, body: { jobId: 'job-old', status: 'queued' } });
        expect(sentEnvelopes().map((e) => e.jobId)).toEqual(['job-old']);
      });

      it('frees the key when the send fails, and answers 503 without details of the cause', async () => {
        sqsMock.on(SendMessageBatchCommand).rejects(new Error('connect ECONNREFUSED 10.0.0.1:443'));
        ddbMock.on(DeleteCommand).resolves({});

        const res = await call(apiEvent('POST', '/jobs', { body }));

        expect(res.status).toBe(503);
        expect(res.body).toEqual(
          error('ENQUEUE_FAILED', 'The service could not complete the request; retry later'),
        );
        expect(ddbMock).toHaveReceivedCommandWith(DeleteCommand, {
          ConditionExpression: '#jobId = :v0',
          ExpressionAttributeValues: { ':v0': 'job001' },
        });
        expect(ddbMock.commandCalls(PutCommand)).toHaveLength(1);
      });
    });

    it.each([
      ['text/plain', 'Content type must be application/json, not text/plain'],
      [
        'application/json; charset=latin1',
        'Content type must be application/json, not application/json; charset=latin1',
      ],
      ['application/jsonx', 'Content type must be application/json, not application/jsonx'],
    ])('answers 415 for %s', async (contentType, message) => {
      const res = await call(
        apiEvent('POST', '/jobs', {
          body: '{"name":"email.send"}',
          headers: { 'content-type': contentType },
        }),
      );
      expect(res).toMatchObject({ status: 415, body: error('UNSUPPORTED_MEDIA_TYPE', message) });
    });

    it('answers 415 without a content type', async () => {
      const res = await call(apiEvent('POST', '/jobs', { body: '{}' }));
      expect(res).toMatchObject({
        status: 415,
        body: error('UNSUPPORTED_MEDIA_TYPE', 'Content type must be application/json'),
      });
    });

    it('answers 413 for a body over one SQS message', async () => {
      const body = JSON.stringify({
        name: 'email.send',
        payload: { ...email, text: 'x'.repeat(SQS_LIMITS.messageBytes) },
      });
      const res = await call(
        apiEvent('POST', '/jobs', { body, headers: { 'content-type': 'application/json' } }),
      );
      expect(res).toMatchObject({
        status: 413,
        body: error(
          'PAYLOAD_TOO_LARGE',
          `Request body is ${Buffer.byteLength(body)} bytes; the limit is 1048576`,
        ),
      });
      expect(sqsMock.calls()).toHaveLength(0);
    });

    it('answers 413 for a body that fits but whose envelope does not', async () => {
      const text = 'x'.repeat(SQS_LIMITS.messageBytes - 100);
      const res = await call(
        apiEvent('POST', '/jobs', { body: { name: 'email.send', payload: { ...email, text } } }),
      );
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', details: [] } });
      expect(sqsMock.calls()).toHaveLength(0);
    });

    it.each([
      ['not JSON', '{"name": "email.send",', 'Request body is not valid JSON'],
      ['empty', '   ', 'Request body is empty'],
      ['too deeply nested', `${'['.repeat(65)}${']'.repeat(65)}`, 'Request body nests deeper than 64 levels'],
    ])('answers 400 for a body that is %s', async (_case, body, message) => {
      const res = await call(
        apiEvent('POST', '/jobs', { body, headers: { 'content-type': 'application/json' } }),
      );
      expect(res).toMatchObject({ status: 400, body: error('INVALID_JSON', message) });
    });

    it('answers 400 for a body that is not UTF-8', async () => {
      const res = await call(
        apiEvent('POST', '/jobs', {
          body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'),
          isBase64Encoded: true,
          headers: { 'content-type': 'application/json' },
        }),
      );
      expect(res).toMatchObject({ status: 400, body: error('INVALID_JSON', 'Request body is not UTF-8') });
    });

    it('answers 400 naming every bad field of the payload and options', async () => {
      const res = await call(
        apiEvent('POST', '/jobs', {
          body: {
            name: 'email.send',
            payload: { to: ['not-an-address'], subject: '' },
            delaySeconds: 'soon',
          },
        }),
      );

      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        error(
          'VALIDATION_FAILED',
          'Invalid job "email.send": delaySeconds: Invalid input: expected number, received string; payload.to.0: Invalid email address; payload.subject: Too small: expected string to have >=1 characters; payload.text: at least one of text or html is required',
          [
            { path: 'delaySeconds', message: 'Invalid input: expected number, received string' },
            { path: 'payload.to.0', message: 'Invalid email address' },
            { path: 'payload.subject', message: 'Too small: expected string to have >=1 characters' },
            { path: 'payload.text', message: 'at least one of text or html is required' },
          ],
        ),
      );
    });

    it.each([
      [
        'an unknown field',
        { name: 'email.send', payload: email, priority: 1 },
        [
          {
            path: 'priority',
            message: 'is not a known key (known: name, payload, delaySeconds, runAt, idempotencyKey)',
          },
        ],
      ],
      [
        'a name that is not a string',
        { name: 7, payload: email },
        [{ path: 'name', message: 'Invalid input: expected string, received number' }],
      ],
      [
        'no payload',
        { name: 'email.send' },
        [{ path: 'payload', message: 'Invalid input: expected nonoptional, received undefined' }],
      ],
      ['an array', [1, 2], [{ path: '(root)', message: 'Invalid input: expected object, received array' }]],
    ])('answers 400 for a body with %s', async (_case, body, details) => {
      const res = await call(apiEvent('POST', '/jobs', { body }));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: expect.stringMatching(/^Invalid job request: /),
          details,
        },
      });
    });

    it('answers 404 for an unknown job name', async () => {
      const res = await call(apiEvent('POST', '/jobs', { body: { name: 'nope.job', payload: {} } }));
      expect(res).toMatchObject({
        status: 404,
        body: error(
          'UNKNOWN_JOB',
          'Unknown job "nope.job"; registered jobs: email.send, sync.run, cleanup.run',
        ),
      });
    });
  });

  describe('Route: POST /jobs/batch', () => {
    it('answers 207 with one result per entry, sending the valid ones', async () => {
      // Prepare
      const hash = requestHash({ job: 'email.send', payload: email });
      const jobs = [
        { name: 'email.send', payload: email },
        { name: 'nope.job', payload: {} },
        { name: 'email.send', payload: { ...email, to: [] } },
        'not a job',
        { name: 'cleanup.run', payload: {}, idempotencyKey: 'k1' },
        { name: 'cleanup.run', payload: {}, idempotencyKey: 'k1' },
        { name: 'cleanup.run', payload: { cutoff: '2026-11-01T00:00:00Z' }, idempotencyKey: 'k1' },
        { name: 'email.send', payload: email, idempotencyKey: 'k-old' },
      ];
      // The key of entry 7 is held by an earlier request for the same body, whose job exists.
      ddbMock.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => {
        if (input.Item.kind === 'idempotency' && input.Item.requestHash === hash) throw conditionFailed();
        return {};
      });
      ddbMock
        .on(GetCommand)
        .resolvesOnce({ Item: { jobId: 'job-1', requestHash: hash, createdAt: NOW.toISOString() } })
        .resolves({ Item: stored() });

      // Act
      const res = await call(apiEvent('POST', '/jobs/batch', { body: { jobs } }));

      // Assess
      expect(res.status).toBe(207);
      expect(res.body).toEqual({
        results: [
          { index: 0, jobId: expect.stringMatching(/^job00\d$/) },
          {
            index: 1,
            error: error(
              'UNKNOWN_JOB',
              'Unknown job "nope.job"; registered jobs: email.send, sync.run, cleanup.run',
            ).error,
          },
          {
            index: 2,
            error: error(
              'VALIDATION_FAILED',
              'Invalid job "email.send": payload.to: Too small: expected array to have >=1 items',
              [{ path: 'payload.to', message: 'Too small: expected array to have >=1 items' }],
            ).error,
          },
          {
            index: 3,
            error: error(
              'VALIDATION_FAILED',
              'Invalid job request: (root): Invalid input: expected object, received string',
              [{ path: '(root)', message: 'Invalid input: expected object, received string' }],
            ).error,
          },
          { index: 4, jobId: expect.stringMatching(/^job00\d$/) },
          { index: 5, jobId: (res.body as { results: { jobId?: string }[] }).results[4]?.jobId },
          {
            index: 6,
            error: error(
              'IDEMPOTENCY_KEY_CONFLICT',
              'The idempotency key was already used with a different request',
            ).error,
          },
          { index: 7, jobId: 'job-1' },
        ],
      });
      expect(
        sentEnvelopes()
          .map((e) => e.name)
          .sort(),
      ).toEqual(['cleanup.run', 'email.send']);
    });

    it.each([
      [{ jobs: [] }, [{ path: 'jobs', message: 'Too small: expected array to have >=1 items' }]],
      [
        { jobs: Array.from({ length: 101 }, () => ({ name: 'email.send', payload: email })) },
        [{ path: 'jobs', message: 'Too big: expected array to have <=100 items' }],
      ],
      [
        { job: [] },
        [
          { path: 'jobs', message: 'Invalid input: expected array, received undefined' },
          { path: 'job', message: 'is not a known key; did you mean "jobs"?' },
        ],
      ],
    ])('answers 400 for a batch that is not one: %j', async (body, details) => {
      const res = await call(apiEvent('POST', '/jobs/batch', { body }));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(/^Invalid batch: /), details },
      });
      expect(sqsMock.calls()).toHaveLength(0);
    });

    it('answers 413 over the batch body limit', async () => {
      const body = JSON.stringify({
        jobs: [{ name: 'email.send', payload: { ...email, text: 'x'.repeat(5 * 1_048_576) } }],
      });
      const res = await call(
        apiEvent('POST', '/jobs/batch', { body, headers: { 'content-type': 'application/json' } }),
      );
      expect(res).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    });
  });

  describe('Route: GET /jobs/{id}', () => {
    it('answers the ledger record, never the payload or claim internals', async () => {
      ddbMock.on(GetCommand).resolves({ Item: stored({ claimToken: 'secret', leaseUntil: 1 }) });

      const res = await call(apiEvent('GET', '/jobs/job-1'));

      expect(res).toMatchObject({ status: 200, body: view });
      expect(res.body).toEqual(view);
      expect(ddbMock).toHaveReceivedCommandWith(GetCommand, {
        Key: { pk: 'job#job-1', sk: 'job' },
        ConsistentRead: true,
      });
    });

    it('answers 404 for an unknown id', async () => {
      ddbMock.on(GetCommand).resolves({});
      const res = await call(apiEvent('GET', '/jobs/job-9'));
      expect(res).toMatchObject({ status: 404, body: error('JOB_NOT_FOUND', 'Job "job-9" was not found') });
    });

    it('answers 404 for an id that cannot exist, without asking the ledger', async () => {
      const res = await call(apiEvent('GET', `/jobs/${encodeURIComponent('a b/../c')}`));
      expect(res).toMatchObject({
        status: 404,
        body: error('JOB_NOT_FOUND', 'Job "a b/../c" was not found'),
      });
      expect(ddbMock.calls()).toHaveLength(0);
    });

    it('serves an explicit API Gateway route with its path parameter', async () => {
      ddbMock.on(GetCommand).resolves({ Item: stored() });
      const res = await call(
        apiEvent('GET', '/jobs/job-1', { routeKey: 'GET /jobs/{id}', pathParameters: { id: 'job-1' } }),
      );
      expect(res.body).toEqual(view);
    });
  });

  describe('Route: GET /jobs', () => {
    it('lists by status through the index, with the next cursor', async () => {
      const dead = stored({ status: 'dead', shelf: 'dead' });
      const last = { pk: 'job#job-0', sk: 'job', shelf: 'dead', createdAt: '2026-11-23T09:00:00.000Z' };
      const entry = { pk: dead.pk, sk: dead.sk, shelf: 'dead', createdAt: dead.createdAt };
      ddbMock.on(QueryCommand).resolves({ Items: [entry], LastEvaluatedKey: last });
      ddbMock.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [dead] } });

      const res = await call(apiEvent('GET', '/jobs', { query: { status: 'dead', limit: '1' } }));

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ jobs: [{ ...view, status: 'dead' }], cursor: expect.any(String) });
      expect(ddbMock).toHaveReceivedCommandWith(QueryCommand, { IndexName: 'jobs-by-status', Limit: 1 });
    });

    it('lists by name', async () => {
      ddbMock.on(QueryCommand).resolves({ Items: [] });
      const res = await call(apiEvent('GET', '/jobs', { query: { name: 'email.send' } }));
      expect(res).toMatchObject({ status: 200, body: { jobs: [] } });
      expect(ddbMock).toHaveReceivedCommandWith(QueryCommand, { IndexName: 'jobs-by-name', Limit: 25 });
    });

    it.each([
      [
        { status: 'lost' },
        'status',
        'Invalid option: expected one of "scheduled"|"queued"|"running"|"succeeded"|"retrying"|"dead"|"cancelled"',
      ],
      [{ limit: '0' }, 'limit', 'must be an integer from 1 to 100'],
      [{ limit: 'ten' }, 'limit', 'must be an integer from 1 to 100'],
      [{ page: '2' }, 'page', 'is not a known key (known: status, name, limit, cursor)'],
    ])('answers 400 for %j', async (query, path, message) => {
      const res = await call(apiEvent('GET', '/jobs', { query }));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: expect.stringMatching(/^Invalid listing: /),
          details: [{ path, message }],
        },
      });
    });

    it('answers 400 for a cursor it did not issue', async () => {
      const res = await call(apiEvent('GET', '/jobs', { query: { status: 'dead', cursor: 'bm9wZQ' } }));
      expect(res).toMatchObject({
        status: 400,
        body: error('VALIDATION_FAILED', 'Invalid cursor: is not a cursor this listing returned', [
          { path: 'cursor', message: 'is not a cursor this listing returned' },
        ]),
      });
    });

    it('answers 404 for an unknown job name', async () => {
      const res = await call(apiEvent('GET', '/jobs', { query: { name: 'nope.job' } }));
      expect(res).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_JOB' } } });
      expect(ddbMock.calls()).toHaveLength(0);
    });
  });

  describe('Route: DELETE /jobs/{id}', () => {
    it('cancels a queued job and answers the cancelled record', async () => {
      ddbMock
        .on(UpdateCommand)
        .resolves({ Attributes: stored({ status: 'cancelled', cancelledFrom: 'queued' }) });

      const res = await call(apiEvent('DELETE', '/jobs/job-1'));

      expect(res).toMatchObject({ status: 200, body: { ...view, status: 'cancelled' } });
      expect(schedulerMock.calls()).toHaveLength(0);
    });

    it('deletes the one-time schedule of a scheduled job', async () => {
      ddbMock
        .on(UpdateCommand)
        .resolves({ Attributes: stored({ status: 'cancelled', cancelledFrom: 'scheduled' }) });
      schedulerMock.on(DeleteScheduleCommand).resolves({});

      const res = await call(apiEvent('DELETE', '/jobs/job-1'));

      expect(res.status).toBe(200);
      expect(schedulerMock).toHaveReceivedCommandWith(DeleteScheduleCommand, {
        Name: 'job-job-1-0',
        GroupName: 'hangar-dev',
      });
    });

    it('still answers 200 when the schedule cannot be deleted: the ledger stops the job', async () => {
      ddbMock
        .on(UpdateCommand)
        .resolves({ Attributes: stored({ status: 'cancelled', cancelledFrom: 'scheduled' }) });
      schedulerMock.on(DeleteScheduleCommand).rejects(new Error('throttled'));

      const res = await call(apiEvent('DELETE', '/jobs/job-1'));

      expect(res.status).toBe(200);
    });

    it('answers 409 when the job already started', async () => {
      ddbMock.on(UpdateCommand).rejects(conditionFailed());
      ddbMock.on(GetCommand).resolves({ Item: stored({ status: 'running' }) });

      const res = await call(apiEvent('DELETE', '/jobs/job-1'));

      expect(res).toMatchObject({
        status: 409,
        body: error('JOB_ALREADY_STARTED', 'Job "job-1" cannot be cancelled: it is running'),
      });
    });

    it('answers 404 for an unknown job', async () => {
      ddbMock.on(UpdateCommand).rejects(conditionFailed());
      ddbMock.on(GetCommand).resolves({});
      const res = await call(apiEvent('DELETE', '/jobs/job-9'));
      expect(res).toMatchObject({ status: 404, body: error('JOB_NOT_FOUND', 'Job "job-9" was not found') });
    });
  });

  describe('Routing', () => {
    it('answers 404 for an unknown path', async () => {
      const res = await call(apiEvent('GET', '/nope'));
      expect(res).toMatchObject({ status: 404, body: error('NOT_FOUND', 'No such route') });
    });

    it('answers 405 with Allow for a known path and another method', async () => {
      const res = await call(apiEvent('PUT', '/jobs'));
      expect(res).toMatchObject({
        status: 405,
        headers: { allow: 'POST, GET' },
        body: error('METHOD_NOT_ALLOWED', 'Method PUT is not allowed here; use POST, GET'),
      });
    });

    it('finds routes under a named stage and with a trailing slash', async () => {
      const res = await call(apiEvent('GET', '/health/', { stage: 'dev' }));
      expect(res.status).toBe(200);
    });
  });

  describe('Failures', () => {
    it('answers 500 with a generic body when the ledger fails, and logs the cause with the request id', async () => {
      // Prepare
      ddbMock.on(GetCommand).rejects(new Error('socket hang up'));
      const logs = captureLogs();
      const logger = new Logger({ serviceName: 'hangar-api', logLevel: 'INFO' });

      // Act
      let res: Awaited<ReturnType<typeof call>>;
      try {
        res = await call(apiEvent('GET', '/jobs/job-1'), makeHandler(logger));
      } finally {
        logs.restore();
      }

      // Assess
      expect(res).toMatchObject({ status: 500, body: error('INTERNAL_ERROR', 'Internal error') });
      expect(JSON.stringify(res.body)).not.toContain('socket');
      expect(logs.entries()).toEqual([
        expect.objectContaining({
          level: 'ERROR',
          message: 'Request failed',
          errorMessage: 'socket hang up',
          requestId: expect.any(String),
        }),
        expect.objectContaining({
          level: 'INFO',
          message: 'Request',
          status: 500,
          jobId: 'job-1',
          errorCode: 'INTERNAL_ERROR',
        }),
      ]);
    });

    it('answers 503 when the invocation is about to time out', async () => {
      ddbMock.on(GetCommand).callsFake(() => new Promise(() => undefined));
      const handler = makeHandler();

      const res = parseResult(await handler(apiEvent('GET', '/jobs/job-1'), fakeContext(1_200)));

      expect(res).toMatchObject({
        status: 503,
        body: error('REQUEST_TIMEOUT', 'The service could not complete the request; retry later'),
      });
    });
  });

  describe('Logs', () => {
    it('carry the request id and job id, and never the payload or an address', async () => {
      // Prepare
      const logs = captureLogs();
      const logger = new Logger({ serviceName: 'hangar-api', logLevel: 'DEBUG' });
      const event = apiEvent('POST', '/jobs', { body: { name: 'email.send', payload: email } });

      // Act
      try {
        await call(event, makeHandler(logger));
      } finally {
        logs.restore();
      }

      // Assess
      expect(logs.entries()).toEqual([
        expect.objectContaining({
          message: 'Request',
          requestId: event.requestContext.requestId,
          jobId: 'job001',
          route: 'enqueue',
          method: 'POST',
          status: 202,
        }),
      ]);
      expect(logs.text()).not.toMatch(/@|Hello|ada/);
    });
  });
});

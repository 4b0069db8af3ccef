/**
 * Property: whatever arrives at the HTTP API — random bytes, wrong content types, huge strings,
 * deep nesting, wrong types per field, unknown names, random routes — the answer is never a 5xx
 * and every error has the documented body. Requests go through a real HTTP server in front of
 * the handler, over a real ledger (dynalite) and real queues (fauxqs).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { createApiHandler } from '../../functions/api/create-api-handler.js';
import type { OneTimeSchedule } from '../../lib/client/scheduler-port.js';
import { API_LIMITS } from '../../lib/deploy/index.js';
import { JOB_STATUSES, JobClient, type QueueAddress, type SchedulerPort } from '../../lib/index.js';
import { builtinJobs, registry } from '../../lib/jobs/builtin/index.js';
import { DynamoJobLedger, JobService } from '../../lib/ledger/index.js';
import { type HttpApi, startHttpApi } from '../../local/http-api.js';
import { createLedgerTable, dynamoClient, startDynamo } from '../helpers/dynamodb.js';
import { createTestQueues, type TestQueues } from '../helpers/queues.js';
import { sqsClient, startSqs } from '../helpers/sqs.js';

/** The documented error body, and nothing else in it. */
const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string().check(z.regex(/^[A-Z][A-Z_]+$/)),
    message: z.string().check(z.minLength(1)),
    details: z.array(z.strictObject({ path: z.string().check(z.minLength(1)), message: z.string() })),
  }),
});
const DOCUMENTED_STATUSES = [200, 202, 207, 400, 404, 405, 409, 413, 415];

/** The local runtime's scheduler will stand here; the API only needs somewhere to put schedules. */
class MemoryScheduler implements SchedulerPort {
  readonly schedules = new Map<string, OneTimeSchedule>();
  async createOneTime(schedule: OneTimeSchedule): Promise<void> {
    this.schedules.set(schedule.name, schedule);
  }
  async deleteOneTime(name: string): Promise<boolean> {
    return this.schedules.delete(name);
  }
}

let sqs: Awaited<ReturnType<typeof startSqs>>;
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let sqsApi: SQSClient;
let ddb: DynamoDBClient;
let queues: TestQueues[];
let table: Awaited<ReturnType<typeof createLedgerTable>>;
let api: HttpApi;

beforeAll(async () => {
  [sqs, dynamo] = await Promise.all([startSqs(), startDynamo()]);
  sqsApi = sqsClient(sqs.endpoint);
  ddb = dynamoClient(dynamo.endpoint);
  queues = await Promise.all(builtinJobs.map((job) => createTestQueues(sqsApi, job)));
  table = await createLedgerTable(ddb);
  const addresses: Record<string, QueueAddress> = Object.fromEntries(
    builtinJobs.map((job, i) => [
      job.name,
      { url: queues[i]?.url ?? '', arn: `arn:aws:sqs:us-east-1:0:${job.name}` },
    ]),
  );
  const client = new JobClient({
    registry,
    queues: addresses,
    sqs: sqsApi,
    scheduler: new MemoryScheduler(),
  });
  const store = new DynamoJobLedger({ tableName: table.tableName, client: ddb });
  api = await startHttpApi({
    handler: createApiHandler({ service: new JobService({ client, store }), registry }),
  });
});
afterAll(async () => {
  await api.stop();
  await Promise.all(queues.map((q) => q.remove()));
  await table.drop();
  sqsApi.destroy();
  ddb.destroy();
  await Promise.all([sqs.stop(), dynamo.stop()]);
});

// ---- Arbitraries --------------------------------------------------------------------------

const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const asciiText = fc.string({ unit: 'grapheme-ascii', maxLength: 40 });
/** Values of every JSON type, to put where a field expects another. */
const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  anyText,
  fc.array(anyText, { maxLength: 3 }),
  fc.dictionary(asciiText, anyText, { maxKeys: 3 }),
);
const huge = (bytes: number) => 'x'.repeat(bytes);
const hugeString = fc.constantFrom(
  huge(API_LIMITS.bodyBytes - 300),
  huge(API_LIMITS.bodyBytes + 1),
  huge(API_LIMITS.batchBodyBytes + 1),
);
const nested = fc
  .integer({ min: 1, max: 20_000 })
  .map((depth) => JSON.parse(`${'['.repeat(Math.min(depth, 1_000))}${']'.repeat(Math.min(depth, 1_000))}`));
const address = fc.oneof(fc.emailAddress(), anyText, wrongType);

const emailPayload = fc.record(
  {
    to: fc.oneof(fc.array(address, { minLength: 0, maxLength: 60 }), wrongType),
    cc: fc.oneof(fc.array(address, { maxLength: 3 }), wrongType),
    subject: fc.oneof(anyText, wrongType, { arbitrary: hugeString, weight: 1 }),
    text: fc.oneof(anyText, wrongType),
    html: fc.oneof(anyText, wrongType),
    replyTo: fc.oneof(fc.array(address, { maxLength: 2 }), wrongType),
    extra: wrongType,
  },
  { requiredKeys: [] },
);
// fc.emailAddress() spans RFC 5322, far wider than the addresses the schema (and SES) accept.
const plainAddress = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), fc.constantFrom('example.com', 'example.org'))
  .map(([local, domain]) => `${local}@${domain}`);
const validEmail = fc.record({
  to: fc.array(plainAddress, { minLength: 1, maxLength: 3 }),
  subject: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
  text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
});

const jobRequest = fc.record(
  {
    name: fc.oneof(
      { arbitrary: fc.constantFrom(...registry.names), weight: 4 },
      fc.constantFrom('nope.job', 'Email.Send', '', 'email.send '),
      anyText,
      wrongType,
    ),
    payload: fc.oneof(
      validEmail,
      emailPayload,
      fc.record({ sourceId: fc.oneof(asciiText, wrongType) }),
      fc.constant({}),
      nested,
      wrongType,
    ),
    delaySeconds: fc.oneof(fc.integer({ min: -10, max: 40_000_000 }), fc.double(), wrongType),
    runAt: fc.oneof(
      fc
        .date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      anyText,
      wrongType,
    ),
    idempotencyKey: fc.oneof(
      fc.constantFrom('k1', 'k2', 'k3'),
      anyText,
      fc.string({ maxLength: 300 }),
      wrongType,
    ),
    surprise: wrongType,
  },
  { requiredKeys: [] },
);

/** A valid request with at most one field replaced by a value of the wrong type. */
const nearlyValid = fc
  .tuple(
    fc.record(
      {
        name: fc.constant('email.send'),
        payload: validEmail,
        delaySeconds: fc.integer({ min: 0, max: 2_000 }),
        // Mostly fresh keys; a few shared ones, reused with other bodies (409).
        idempotencyKey: fc.oneof({ arbitrary: fc.uuid(), weight: 4 }, fc.constantFrom('k1', 'k2')),
      },
      { requiredKeys: ['name', 'payload'] },
    ),
    fc.option(
      fc.tuple(fc.constantFrom('name', 'payload', 'delaySeconds', 'idempotencyKey', 'runAt'), wrongType),
      {
        freq: 2,
      },
    ),
  )
  .map(([request, mutation]) => (mutation ? { ...request, [mutation[0]]: mutation[1] } : request));

/** Batches whose entries are mostly nearly valid, and a few that are not batches. */
const batchBody = fc.oneof(
  {
    arbitrary: fc.record({
      jobs: fc.array(fc.oneof(nearlyValid, jobRequest), { minLength: 1, maxLength: 12 }),
    }),
    weight: 4,
  },
  fc.record(
    { jobs: fc.oneof(fc.array(jobRequest, { maxLength: 3 }), wrongType), other: wrongType },
    { requiredKeys: [] },
  ),
);

const jsonBody = fc.oneof(
  { arbitrary: nearlyValid, weight: 8 },
  { arbitrary: jobRequest, weight: 6 },
  {
    arbitrary: fc.record(
      { jobs: fc.oneof(fc.array(jobRequest, { maxLength: 12 }), wrongType) },
      { requiredKeys: [] },
    ),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      jobs: fc.array(fc.constant({ name: 'cleanup.run', payload: {} }), { minLength: 95, maxLength: 110 }),
    }),
    weight: 1,
  },
  fc.jsonValue({ maxDepth: 4 }),
  nested,
);

/** A request body as bytes: JSON of all sorts, deep nesting, huge strings, or plain garbage. */
const body = fc.oneof(
  { arbitrary: jsonBody.map((v) => JSON.stringify(v) ?? 'null'), weight: 12 },
  {
    arbitrary: fc.integer({ min: 1, max: 100_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
    weight: 1,
  },
  {
    arbitrary: fc.integer({ min: 1, max: 50_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
    weight: 1,
  },
  {
    arbitrary: hugeString.map((s) =>
      JSON.stringify({ name: 'email.send', payload: { to: ['a@b.co'], subject: s, text: 'x' } }),
    ),
    weight: 1,
  },
  { arbitrary: fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 200 }), weight: 2 },
  fc.constantFrom('', ' ', 'null', '{', '{"name":', '\u0000', '\ufeff{}'),
);

const contentType = fc.oneof(
  { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'), weight: 8 },
  fc.constantFrom(
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/json; charset=latin1',
    'APPLICATION/JSON',
    'multipart/form-data; boundary=x',
    'application/jsonp',
  ),
  asciiText,
  fc.constant(undefined),
);

const jobId = fc.oneof(
  fc.stringMatching(/^[0-9A-Z]{26}$/),
  anyText.map(encodeURIComponent),
  fc.constantFrom('batch', '..', '%', '%E0%A4%A'),
);
const query = fc
  .record(
    {
      status: fc.oneof(fc.constantFrom(...JOB_STATUSES), anyText),
      name: fc.oneof(fc.constantFrom(...registry.names), anyText),
      limit: fc.oneof(fc.integer({ min: -5, max: 200 }).map(String), anyText),
      cursor: fc.oneof(fc.base64String({ maxLength: 200 }), anyText),
      page: anyText,
    },
    { requiredKeys: [] },
  )
  .map((q) => new URLSearchParams(q as Record<string, string>).toString());

const path = fc.oneof(
  { arbitrary: fc.constantFrom('/jobs', '/jobs/batch', '/health'), weight: 10 },
  { arbitrary: jobId.map((id) => `/jobs/${id}`), weight: 4 },
  { arbitrary: query.map((q) => `/jobs?${q}`), weight: 4 },
  fc.webPath(),
  fc.constantFrom('/', '/jobs/', '/jobs/a/b', '/health/extra', '//jobs'),
);

const method = fc.oneof(
  { arbitrary: fc.constantFrom('POST', 'GET', 'DELETE'), weight: 10 },
  fc.constantFrom('PUT', 'PATCH', 'OPTIONS', 'HEAD'),
);

const routed = (methods: readonly string[], paths: fc.Arbitrary<string>, bodies = body) =>
  fc.record({ method: fc.constantFrom(...methods), path: paths, body: bodies, contentType });

/** Mostly the documented routes with random bodies, then anything at all. */
const apiRequest = fc.oneof(
  { arbitrary: routed(['POST'], fc.constant('/jobs')), weight: 8 },
  {
    arbitrary: routed(
      ['POST'],
      fc.constant('/jobs/batch'),
      fc.oneof({ arbitrary: batchBody.map((b) => JSON.stringify(b)), weight: 3 }, body),
    ),
    weight: 3,
  },
  {
    arbitrary: routed(
      ['GET'],
      query.map((q) => `/jobs?${q}`),
    ),
    weight: 3,
  },
  {
    arbitrary: routed(
      ['GET', 'DELETE'],
      jobId.map((id) => `/jobs/${id}`),
    ),
    weight: 2,
  },
  { arbitrary: routed(['GET'], fc.constant('/health')), weight: 1 },
  { arbitrary: fc.record({ method, path, body, contentType }), weight: 3 },
);

// ---- The property -----------------------------------------------------------------------

describe('HTTP API under random and malformed requests', () => {
  it('never answers 5xx, and every error has the documented body', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(apiRequest, async (request) => {
        const sendsBody = request.method !== 'GET' && request.method !== 'HEAD';
        const response = await fetch(`${api.url}${request.path}`, {
          method: request.method,
          headers: request.contentType === undefined ? {} : { 'content-type': request.contentType },
          ...(sendsBody ? { body: request.body } : {}),
        });
        const text = await response.text();
        seen.set(response.status, (seen.get(response.status) ?? 0) + 1);

        expect(DOCUMENTED_STATUSES).toContain(response.status);
        expect(text).not.toMatch(/\n\s+at |"stack"/);
        if (request.method === 'HEAD') return;
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        const json: unknown = JSON.parse(text);
        if (response.status >= 400) expect(errorBodySchema.safeParse(json).error?.issues).toBeUndefined();
      }),
      { numRuns: 1_000, endOnFailure: true },
    );
    // The run covered successes and each kind of refusal, not just one of them.
    for (const status of [200, 202, 207, 400, 404, 405, 413, 415])
      expect(seen.get(status) ?? 0).toBeGreaterThan(0);
  });
});

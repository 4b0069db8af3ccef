/**
 * Issue 13's defects, each reproduced by the fault layer failing exactly one call of the real
 * worker, ledger and e-mail handler in the local runtime (fauxqs, dynalite, the SES emulator);
 * each failed before the fix for its defect.
 *
 * A fault that fails "a call" fails every attempt the SDK makes of it (`AWS_CLIENT_TIMEOUTS.maxAttempts`),
 * so the call fails as it would when AWS keeps failing for a few hundred milliseconds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AWS_CLIENT_TIMEOUTS } from '../../../../lib/constants.js';
import { decodeEnvelope } from '../../../../lib/deploy/index.js';
import { JobClient, type JobDefinition } from '../../../../lib/index.js';
import { DynamoJobLedger, type JobRecord } from '../../../../lib/ledger/index.js';
import type { FaultRule } from '../../../../local/faults/fault-plan.js';
import { isLedgerWrite } from '../../../../local/faults/ledger-write.js';
import { type LocalRuntime, startLocal } from '../../../../local/start-local.js';
import {
  faultTestRegistry,
  RUN_EVENT,
  type SETTLE_OUTCOMES,
  SINK_VARIABLE,
  settleLast,
  settleRun,
  settleSlow,
  testEmailSend,
} from '../../../fixtures/local/jobs.js';
import { readSink } from '../../../fixtures/local/sink.js';
import { FIXTURE_FUNCTIONS } from '../../../helpers/local.js';
import { queueDepth } from '../../../helpers/queues.js';
import { LOCAL_AWS } from '../../../helpers/sqs.js';
import { waitFor } from '../../../helpers/wait.js';

/** Long enough for a record left to a 12 s visibility timeout to come back and end; far below 181 s. */
const WAIT_MS = 60_000;

let local: LocalRuntime;
let sink: string;
let client: JobClient;
let ledger: DynamoJobLedger;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  sink = await mkdtemp(join(tmpdir(), 'hangar-defects-'));
  local = await startLocal({
    ports: 'free',
    registry: faultTestRegistry,
    functionsDir: FIXTURE_FUNCTIONS,
    environment: { [SINK_VARIABLE]: sink },
    pollWaitSeconds: 1,
    shutdownGraceMs: 0,
    faults: { seed: 13, rules: [] },
  });
  client = new JobClient({
    registry: faultTestRegistry,
    sqs: local.sqs,
    queues: Object.fromEntries(Object.values(local.queues).map((q) => [q.jobName, { url: q.queue.url }])),
  });
  dynamodb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: local.endpoints.dynamodb });
  ledger = new DynamoJobLedger({ tableName: local.tableName, client: dynamodb });
}, 60_000);
afterEach(() => local.faults?.setRules([]));
afterAll(async () => {
  dynamodb.destroy();
  await local.stop();
  await rm(sink, { recursive: true, force: true });
});

/** Fails one call, every SDK attempt of it, with a 500. */
function failOneCall(rule: Omit<FaultRule, 'rate' | 'kinds' | 'limit'>): FaultRule {
  return { ...rule, rate: 1, kinds: ['error500'], limit: AWS_CLIENT_TIMEOUTS.maxAttempts };
}

/** The DLQ send of a job's worker. */
const toDlqOf = (job: JobDefinition) => (request: { body: string }) =>
  request.body.includes(`/${local.queues[job.name]?.dlq.name}"`);

const queueOf = (job: JobDefinition) => local.queues[job.name]?.queue.url ?? '';

async function settle(job: typeof settleRun, label: string, outcome: (typeof SETTLE_OUTCOMES)[number]) {
  const { jobId } = await client.enqueue(job, { label, outcome });
  return jobId;
}

const record = async (jobId: string): Promise<JobRecord | undefined> => ledger.getJob(jobId);
const runs = (jobId: string) => readSink(sink).filter((e) => e.jobId === jobId && e.job === RUN_EVENT).length;
const effects = (jobId: string) =>
  readSink(sink).filter((e) => e.jobId === jobId && e.job !== RUN_EVENT).length;

/** The job ids in a job's DLQ (received with visibility 0, so they stay). */
async function deadJobIds(job: JobDefinition): Promise<string[]> {
  const out = await local.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: local.queues[job.name]?.dlq.url,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
      WaitTimeSeconds: 0,
    }),
  );
  return (out.Messages ?? []).map((m) => decodeEnvelope(m.Body ?? '').jobId);
}

/** Waits until the job's message has ended somewhere: its queue is empty. */
async function drained(job: JobDefinition, timeoutMs = WAIT_MS): Promise<void> {
  await waitFor(
    `${job.name}'s queue to drain`,
    async () => ((await queueDepth(local.sqs, queueOf(job))) === 0 ? true : undefined),
    timeoutMs,
  );
}

describe('Issue 13 defects under AWS faults (fail until the worker and the ledger are fixed)', {
  timeout: 2 * WAIT_MS,
}, () => {
  it('1. an e-mail whose succeed write fails is not sent again: one e-mail, the job succeeded', async () => {
    // Prepare
    local.faults?.setRules([
      failOneCall({ service: 'dynamodb', operation: 'UpdateItem', match: isLedgerWrite('succeed') }),
    ]);
    const subject = 'defect 1: succeed write fails';

    // Act
    const { jobId } = await client.enqueue(testEmailSend, { to: ['ada@example.com'], subject, text: 'once' });
    await waitFor(
      'the e-mail job to succeed',
      async () => ((await record(jobId))?.status === 'succeeded' ? true : undefined),
      WAIT_MS,
    );
    await drained(testEmailSend);

    // Assess
    const store = (await (await fetch(`${local.endpoints.ses}/store`)).json()) as {
      emails: { subject: string }[];
    };
    expect(store.emails.filter((email) => email.subject === subject)).toHaveLength(1);
  });

  it('2. a job whose dead-lettering write fails on its last attempt ends dead, in the DLQ', async () => {
    // Prepare
    local.faults?.setRules([
      failOneCall({ service: 'dynamodb', operation: 'UpdateItem', match: isLedgerWrite('fail: dead') }),
    ]);

    // Act
    const jobId = await settle(settleLast, 'defect 2: dead write fails', 'fail');
    await drained(settleLast);

    // Assess: DLQ ↔ dead.
    expect(await deadJobIds(settleLast)).toContain(jobId);
    expect((await record(jobId))?.status).toBe('dead');
  });

  it('2. a job whose succeed write fails on its last attempt ends succeeded, its effect once, not in the DLQ', async () => {
    // Prepare
    local.faults?.setRules([
      failOneCall({ service: 'dynamodb', operation: 'UpdateItem', match: isLedgerWrite('succeed') }),
    ]);

    // Act
    const jobId = await settle(settleLast, 'defect 2: succeed write fails', 'succeed');
    await drained(settleLast);

    // Assess
    expect((await record(jobId))?.status).toBe('succeeded');
    expect(effects(jobId)).toBe(1);
    expect(await deadJobIds(settleLast)).not.toContain(jobId);
  });

  it('2. a job whose last attempt is cut off at the function timeout ends dead, in the DLQ', async () => {
    // Act: no fault; the invocation is terminated, as Lambda terminates one at its timeout.
    const jobId = await settle(settleLast, 'defect 2: last attempt terminated', 'block-once');
    await drained(settleLast);

    // Assess: DLQ ↔ dead.
    expect(await deadJobIds(settleLast)).toContain(jobId);
    expect((await record(jobId))?.status).toBe('dead');
  });

  it('3. a dead job whose DLQ send fails does not run again: it ends dead, in the DLQ, having run once', async () => {
    // Prepare
    local.faults?.setRules([
      failOneCall({ service: 'sqs', operation: 'SendMessage', match: toDlqOf(settleRun) }),
    ]);

    // Act
    const jobId = await settle(settleRun, 'defect 3: DLQ send fails', 'permanent-once');
    await drained(settleRun);

    // Assess
    expect(runs(jobId)).toBe(1);
    expect(effects(jobId)).toBe(0);
    expect((await record(jobId))?.status).toBe('dead');
    expect(await deadJobIds(settleRun)).toContain(jobId);
  });

  describe('4. a settle call that fails once is retried within the invocation, not after the visibility timeout (181 s)', () => {
    it('the succeed write', async () => {
      local.faults?.setRules([
        failOneCall({ service: 'dynamodb', operation: 'UpdateItem', match: isLedgerWrite('succeed') }),
      ]);

      const jobId = await settle(settleSlow, 'defect 4: succeed write', 'succeed');

      const ended = await waitFor(
        'the job to succeed',
        async () => {
          const job = await record(jobId);
          return job?.status === 'succeeded' ? job : undefined;
        },
        WAIT_MS,
      );
      expect(ended.claims).toBe(1);
    });

    it('the re-send of a retry', async () => {
      const label = 'defect 4: retry re-send';
      local.faults?.setRules([
        failOneCall({
          service: 'sqs',
          operation: 'SendMessage',
          match: (r) => r.body.includes(label) && !toDlqOf(settleSlow)(r),
        }),
      ]);

      const jobId = await settle(settleSlow, label, 'retry-once');

      await waitFor(
        'the retried job to succeed',
        async () => ((await record(jobId))?.status === 'succeeded' ? true : undefined),
        WAIT_MS,
      );
      expect(runs(jobId)).toBe(2);
    });

    it('the DLQ send', async () => {
      local.faults?.setRules([
        failOneCall({ service: 'sqs', operation: 'SendMessage', match: toDlqOf(settleSlow) }),
      ]);

      const jobId = await settle(settleSlow, 'defect 4: DLQ send', 'permanent-once');

      await waitFor(
        'the job to be dead-lettered',
        async () => ((await deadJobIds(settleSlow)).includes(jobId) ? true : undefined),
        WAIT_MS,
      );
      expect(runs(jobId)).toBe(1);
    });
  });
});

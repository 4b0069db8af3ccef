import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type JOB_STATUSES, JobValidationError } from '../../../../lib/index.js';
import { DynamoJobLedger, JobAlreadyStartedError, JobNotFoundError } from '../../../../lib/ledger/index.js';
import type { AttemptRef } from '../../../../lib/worker/index.js';
import { createLedgerTable, documentClient, dynamoClient, startDynamo } from '../../../helpers/dynamodb.js';

let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let client: DynamoDBClient;
let table: Awaited<ReturnType<typeof createLedgerTable>>;
let clock: Date;

beforeAll(async () => {
  dynamo = await startDynamo();
  client = dynamoClient(dynamo.endpoint);
});
beforeEach(async () => {
  table = await createLedgerTable(client);
  clock = new Date('2026-11-23T10:00:00.000Z');
});
afterEach(async () => {
  await table.drop();
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

function ledger() {
  return new DynamoJobLedger({ tableName: table.tableName, client, now: () => clock });
}

function ref(overrides: Partial<AttemptRef> = {}): AttemptRef {
  return {
    jobId: '01KAJOB0000000000000000001',
    jobName: 'email.send',
    attempt: 1,
    continuation: 0,
    enqueuedAt: '2026-11-23T09:59:00.000Z',
    messageId: 'm-1',
    leaseMs: 40_000,
    ...overrides,
  };
}

describe('Class: DynamoJobLedger (dynalite)', () => {
  it('claims a job sent straight to SQS, creating its record, and records its success', async () => {
    // Act
    const claim = await ledger().claim(ref());
    if (claim.outcome !== 'claimed') throw new Error(`expected a claim, got ${claim.outcome}`);
    await ledger().succeed(ref(), claim.token, { sesMessageId: 'ses-1' });

    // Assess
    expect(await ledger().getJob(ref().jobId)).toEqual({
      jobId: ref().jobId,
      name: 'email.send',
      status: 'succeeded',
      attempts: 1,
      claims: 1,
      continuation: 0,
      createdAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T10:00:00.000Z',
      enqueuedAt: '2026-11-23T09:59:00.000Z',
      startedAt: '2026-11-23T10:00:00.000Z',
      finishedAt: '2026-11-23T10:00:00.000Z',
      result: { sesMessageId: 'ses-1' },
      expiresAt: '2026-12-23T10:00:00.000Z',
    });
    await expect(ledger().claim(ref({ messageId: 'm-2' }))).resolves.toEqual({
      outcome: 'done',
      status: 'succeeded',
    });
  });

  it('lets exactly one of many concurrent deliveries claim, and the rest wait for the lease', async () => {
    // Act
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => ledger().claim(ref({ messageId: `m-${i}` }))),
    );

    // Assess
    expect(results.filter((r) => r.outcome === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'busy')).toEqual(
      Array.from({ length: 7 }, () => ({ outcome: 'busy', retryAfterMs: 40_000 })),
    );
  });

  it('lets a delivery take over a claim whose lease expired, and refuses the old holder', async () => {
    // Prepare
    const first = await ledger().claim(ref());
    if (first.outcome !== 'claimed') throw new Error('expected a claim');
    clock = new Date(clock.getTime() + 40_001);

    // Act
    const second = await ledger().claim(ref({ messageId: 'm-2' }));

    // Assess
    expect(second.outcome).toBe('claimed');
    await expect(ledger().succeed(ref(), first.token)).rejects.toThrow(
      'Job "01KAJOB0000000000000000001": succeed refused, the claim was taken over after its lease expired',
    );
    expect(await ledger().getJob(ref().jobId)).toMatchObject({ status: 'running', claims: 2 });
  });

  it('walks retrying, dead, redrive, continuation and progress through conditional writes', async () => {
    // Prepare
    const l = ledger();
    const a1 = await l.claim(ref());
    if (a1.outcome !== 'claimed') throw new Error('expected a claim');

    // Act + Assess: a failed attempt
    await l.fail(ref(), a1.token, {
      status: 'retrying',
      errorCode: 'SES_THROTTLED',
      errorMessage: 'Maximum sending rate exceeded.',
      retryAt: '2026-11-23T10:00:10.000Z',
    });
    expect(await l.getJob(ref().jobId)).toMatchObject({
      status: 'retrying',
      retryAt: '2026-11-23T10:00:10.000Z',
      lastError: { code: 'SES_THROTTLED', message: 'Maximum sending rate exceeded.' },
    });

    // the second attempt dies
    const a2 = await l.claim(ref({ attempt: 2, messageId: 'm-2' }));
    if (a2.outcome !== 'claimed') throw new Error('expected a claim');
    await l.fail(ref({ attempt: 2 }), a2.token, {
      status: 'dead',
      errorCode: 'MESSAGE_REJECTED',
      errorMessage: 'rejected',
    });
    const dead = await l.getJob(ref().jobId);
    expect(dead).toMatchObject({ status: 'dead', attempts: 2 });
    expect(dead).not.toHaveProperty('retryAt');

    // a delivery that is no redrive (its dead-lettering failed) is told the verdict, and does not run it
    expect(await l.claim(ref({ attempt: 3, messageId: 'm-2b' }))).toEqual({
      outcome: 'dead',
      errorCode: 'MESSAGE_REJECTED',
      errorMessage: 'rejected',
    });

    // a redrive runs it again, it checkpoints and continues
    const a3 = await l.claim(ref({ attempt: 1, messageId: 'm-3', redriven: true }));
    if (a3.outcome !== 'claimed') throw new Error('expected a claim');
    await l.progress(ref(), a3.token, { pages: 3, cursor: 'c-3' });
    await l.continued(ref(), a3.token, 1);
    expect(await l.getJob(ref().jobId)).toMatchObject({
      status: 'queued',
      continuation: 1,
      progress: { pages: 3, cursor: 'c-3' },
    });

    // a duplicate of the finished part is dropped; the continuation runs
    await expect(l.claim(ref({ messageId: 'm-dup' }))).resolves.toEqual({
      outcome: 'done',
      status: 'queued',
    });
    await expect(l.claim(ref({ continuation: 1, messageId: 'm-4' }))).resolves.toMatchObject({
      outcome: 'claimed',
    });
  });

  it('records a message that died on arrival, but never over a job that succeeded', async () => {
    // Prepare
    const l = ledger();
    const done = await l.claim(ref({ jobId: '01KAJOB0000000000000000002' }));
    if (done.outcome !== 'claimed') throw new Error('expected a claim');
    await l.succeed(ref({ jobId: '01KAJOB0000000000000000002' }), done.token);

    // Act
    await l.deadOnArrival(ref({ jobName: 'Not A Name' }), {
      errorCode: 'INVALID_ENVELOPE',
      errorMessage: 'bad',
    });
    await l.deadOnArrival(ref({ jobId: '01KAJOB0000000000000000002' }), {
      errorCode: 'VALIDATION_FAILED',
      errorMessage: 'bad',
    });
    await l.deadOnArrival(ref({ jobId: 'not an id' }), {
      errorCode: 'INVALID_ENVELOPE',
      errorMessage: 'bad',
    });

    // Assess
    expect(await l.getJob(ref().jobId)).toMatchObject({
      name: '(unknown)',
      status: 'dead',
      lastError: { code: 'INVALID_ENVELOPE', message: 'bad' },
    });
    expect(await l.getJob('01KAJOB0000000000000000002')).toMatchObject({ status: 'succeeded' });
  });

  it('records a redrive of a dead job as queued, and leaves any other job alone', async () => {
    // Prepare: one job dead after its only attempt, one that succeeded.
    const l = ledger();
    const dead = await l.claim(ref());
    if (dead.outcome !== 'claimed') throw new Error('expected a claim');
    await l.fail(ref(), dead.token, { status: 'dead', errorCode: 'BOOM', errorMessage: 'failed' });
    const doneRef = ref({ jobId: '01KAJOB0000000000000000003' });
    const done = await l.claim(doneRef);
    if (done.outcome !== 'claimed') throw new Error('expected a claim');
    await l.succeed(doneRef, done.token);
    clock = new Date('2026-11-24T10:00:00.000Z');

    // Act
    const redriven = await l.recordRedrive({ jobId: ref().jobId });
    const again = await l.recordRedrive({ jobId: ref().jobId });
    const untouched = await l.recordRedrive({ jobId: doneRef.jobId });
    const unknown = await l.recordRedrive({ jobId: '01KAJOB0000000000000000009' });

    // Assess
    expect([redriven, again, untouched, unknown]).toEqual([true, false, false, false]);
    expect(await l.getJob(ref().jobId)).toMatchObject({
      status: 'queued',
      updatedAt: '2026-11-24T10:00:00.000Z',
    });
    expect(await l.getJob(doneRef.jobId)).toMatchObject({ status: 'succeeded' });
    // The redriven job is claimable again, as its next delivery needs.
    expect(await l.claim(ref({ attempt: 1, messageId: 'm-2' }))).toMatchObject({ outcome: 'claimed' });
  });

  it('cancels a queued job once, refuses a started one, and answers 404 for an unknown one', async () => {
    // Prepare
    const l = ledger();
    await l.createJob({
      jobId: 'job-a',
      name: 'email.send',
      status: 'scheduled',
      runAt: '2026-12-01T08:00:00.000Z',
    });
    await l.createJob({ jobId: 'job-b', name: 'email.send', status: 'queued' });
    const b = await l.claim(ref({ jobId: 'job-b' }));

    // Act
    const cancelled = await l.cancelJob('job-a');
    const again = await l.cancelJob('job-a');

    // Assess
    expect(b.outcome).toBe('claimed');
    expect(cancelled.previousStatus).toBe('scheduled');
    expect(cancelled.record).toMatchObject({
      jobId: 'job-a',
      status: 'cancelled',
      runAt: '2026-12-01T08:00:00.000Z',
    });
    expect(again.previousStatus).toBe('cancelled');
    await expect(l.cancelJob('job-b')).rejects.toThrow(new JobAlreadyStartedError('job-b', 'running'));
    await expect(l.cancelJob('job-z')).rejects.toThrow(new JobNotFoundError('job-z'));
    await expect(l.claim(ref({ jobId: 'job-a' }))).resolves.toEqual({ outcome: 'cancelled' });
    // The record expires 30 days after its run-at time, not after its creation.
    const raw = await documentClient(client).send(
      new GetCommand({ TableName: table.tableName, Key: { pk: 'job#job-b', sk: 'job' } }),
    );
    expect(raw.Item).toMatchObject({ kind: 'job', expiresAt: Date.parse('2026-12-23T10:00:00.000Z') / 1000 });
  });

  it('does not overwrite a record a worker created first', async () => {
    const l = ledger();
    await l.claim(ref());
    await expect(l.createJob({ jobId: ref().jobId, name: 'email.send', status: 'queued' })).resolves.toBe(
      false,
    );
    expect(await l.getJob(ref().jobId)).toMatchObject({ status: 'running' });
  });

  it('reserves an idempotency key once and releases it only for its own job id', async () => {
    // Prepare
    const l = ledger();

    // Act
    const first = await l.reserveIdempotencyKey({ key: 'order-1', requestHash: 'h1', jobId: 'job-1' });
    const second = await l.reserveIdempotencyKey({ key: 'order-1', requestHash: 'h2', jobId: 'job-2' });
    await l.releaseIdempotencyKey('order-1', 'job-2');
    const third = await l.reserveIdempotencyKey({ key: 'order-1', requestHash: 'h3', jobId: 'job-3' });
    await l.releaseIdempotencyKey('order-1', 'job-1');
    const fourth = await l.reserveIdempotencyKey({ key: 'order-1', requestHash: 'h4', jobId: 'job-4' });

    // Assess
    expect(first).toEqual({ reserved: true });
    expect(second).toEqual({
      reserved: false,
      jobId: 'job-1',
      requestHash: 'h1',
      createdAt: '2026-11-23T10:00:00.000Z',
    });
    expect(third).toMatchObject({ reserved: false, jobId: 'job-1' });
    expect(fourth).toEqual({ reserved: true });
  });

  it('treats an expired key that TTL has not deleted yet as free', async () => {
    const l = ledger();
    await l.reserveIdempotencyKey({ key: 'k', requestHash: 'h1', jobId: 'job-1' });
    clock = new Date(clock.getTime() + 86_401_000);
    await expect(l.reserveIdempotencyKey({ key: 'k', requestHash: 'h2', jobId: 'job-2' })).resolves.toEqual({
      reserved: true,
    });
  });

  describe('Method: listJobs', () => {
    /** 12 jobs, one every minute, in statuses that cycle through a few. */
    async function seed() {
      const l = ledger();
      const statuses = ['queued', 'dead', 'succeeded'] as const;
      for (let i = 0; i < 12; i++) {
        clock = new Date(Date.parse('2026-11-23T10:00:00.000Z') + i * 60_000);
        const jobId = `job-${String(i).padStart(2, '0')}`;
        const name = i % 2 === 0 ? 'email.send' : 'sync.run';
        await l.createJob({ jobId, name, status: 'queued' });
        const status = statuses[i % 3];
        if (status === 'queued') continue;
        const claim = await l.claim(ref({ jobId, jobName: name }));
        if (claim.outcome !== 'claimed') throw new Error('expected a claim');
        if (status === 'dead')
          await l.fail(ref({ jobId }), claim.token, { status, errorCode: 'X', errorMessage: 'x' });
        else await l.succeed(ref({ jobId }), claim.token);
      }
      return l;
    }

    async function all(
      l: DynamoJobLedger,
      query: { status?: (typeof JOB_STATUSES)[number]; name?: string; limit: number },
    ) {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await l.listJobs({ ...query, ...(cursor === undefined ? {} : { cursor }) });
        pages.push(page.jobs.map((j) => j.jobId));
        cursor = page.cursor;
      } while (cursor !== undefined && pages.length < 50);
      return pages;
    }

    it('lists by status through the index, newest first, page by page', async () => {
      const l = await seed();
      expect(await all(l, { status: 'dead', limit: 3 })).toEqual([
        ['job-10', 'job-07', 'job-04'],
        ['job-01'],
      ]);
    });

    it('lists by name, and by name and status, without a scan', async () => {
      const l = await seed();
      const byName = (await all(l, { name: 'email.send', limit: 4 })).flat();
      const byNameAndStatus = (await all(l, { name: 'email.send', status: 'succeeded', limit: 1 })).flat();
      expect(byName).toEqual(['job-10', 'job-08', 'job-06', 'job-04', 'job-02', 'job-00']);
      expect(byNameAndStatus).toEqual(['job-08', 'job-02']);
    });

    it('lists every job across the status partitions, newest first, each once', async () => {
      const l = await seed();
      const pages = await all(l, { limit: 5 });
      expect(pages.flat()).toEqual(
        Array.from({ length: 12 }, (_, i) => `job-${String(11 - i).padStart(2, '0')}`),
      );
      expect(pages.slice(0, 2).map((p) => p.length)).toEqual([5, 5]);
    });

    it('refuses a cursor of another listing and a forged one', async () => {
      const l = await seed();
      const page = await l.listJobs({ status: 'dead', limit: 1 });
      const forged = Buffer.from(
        JSON.stringify({
          v: 1,
          f: 'dead|',
          s: [{ pk: 'job#x', sk: 'job', status: 'queued', createdAt: 'x' }],
        }),
      ).toString('base64url');

      await expect(l.listJobs({ status: 'queued', cursor: page.cursor ?? '' })).rejects.toThrow(
        new JobValidationError('Invalid cursor: belongs to a listing with other filters', [
          { path: 'cursor', message: 'belongs to a listing with other filters' },
        ]),
      );
      await expect(l.listJobs({ status: 'dead', cursor: forged })).rejects.toThrow(
        'Invalid cursor: is not a cursor this listing returned',
      );
    });

    it('only ever queries indexes and reads records by key, never scans', async () => {
      // Prepare
      await seed();
      const spied = dynamoClient(dynamo.endpoint);
      const commands: string[] = [];
      spied.middlewareStack.add(
        (next, context) => async (args) => {
          commands.push(String(context.commandName));
          return next(args);
        },
        { step: 'initialize' },
      );
      const l = new DynamoJobLedger({ tableName: table.tableName, client: spied });

      // Act
      await all(l, { limit: 7 });
      await all(l, { status: 'dead', limit: 2 });
      await all(l, { name: 'sync.run', status: 'dead', limit: 2 });

      // Assess
      expect(new Set(commands)).toEqual(new Set(['QueryCommand', 'BatchGetItemCommand']));
      spied.destroy();
    });
  });
});

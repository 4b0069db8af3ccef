import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, JobValidationError } from '../../../../lib/index.js';
import {
  ClaimLostError,
  DynamoJobLedger,
  type DynamoJobLedgerOptions,
  JobAlreadyStartedError,
  JobNotFoundError,
  LEDGER_DEFAULTS,
} from '../../../../lib/ledger/index.js';
import type { AttemptRef } from '../../../../lib/worker/index.js';
import { readable } from '../../../helpers/expressions.js';

const ddbMock = mockClient(DynamoDBDocumentClient);

const NOW = new Date('2026-11-23T10:00:00.000Z');
const NOW_MS = NOW.getTime();
const NOW_S = NOW_MS / 1000;
const RETENTION_S = 30 * 86_400;
const TABLE = 'ledger-test';
const KEY = { pk: 'job#01KAJOB0000000000000000001', sk: 'job' };

function makeLedger(overrides: Partial<DynamoJobLedgerOptions> = {}) {
  let n = 0;
  return new DynamoJobLedger({
    tableName: TABLE,
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
    now: () => NOW,
    newToken: () => `tok-${++n}`,
    ...overrides,
  });
}

const ref: AttemptRef = {
  jobId: '01KAJOB0000000000000000001',
  jobName: 'email.send',
  attempt: 2,
  continuation: 0,
  enqueuedAt: '2026-11-23T09:59:00.000Z',
  messageId: 'm-1',
  leaseMs: 40_000,
  takeoverAfterMs: 60_000,
};

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const updates = () => ddbMock.commandCalls(UpdateCommand).map((c) => c.args[0].input);

/** A stored job item as DynamoDB would return it. */
function item(overrides: Record<string, unknown> = {}) {
  return {
    ...KEY,
    kind: 'job',
    jobId: ref.jobId,
    jobName: 'email.send',
    status: 'queued',
    attempts: 0,
    claims: 0,
    continuation: 0,
    createdAt: '2026-11-23T09:59:00.000Z',
    updatedAt: '2026-11-23T09:59:00.000Z',
    expiresAt: NOW_S + RETENTION_S,
    ...overrides,
  };
}

describe('Class: DynamoJobLedger', () => {
  beforeEach(() => {
    ddbMock.reset();
  });
  afterEach(() => {
    ddbMock.reset();
  });

  describe('Method: claim', () => {
    it('takes the job in one conditional update that holds a lease and creates a missing record', async () => {
      // Prepare
      ddbMock.on(UpdateCommand).resolves({});

      // Act
      const result = await makeLedger().claim(ref);

      // Assess
      expect(result).toEqual({ outcome: 'claimed', token: 'tok-1' });
      expect(ddbMock.calls()).toHaveLength(1);
      expect(updates()[0]).toEqual({
        TableName: TABLE,
        Key: KEY,
        UpdateExpression:
          'SET #status = :v0, #shelf = :v1, #claimToken = :v2, #leaseUntil = :v3, #claimMessageId = :v4, ' +
          '#attempts = :v5, #continuation = :v6, #jobId = :v7, #startedAt = :v8, #updatedAt = :v9, ' +
          '#kind = if_not_exists(#kind, :v10), #expiresAt = if_not_exists(#expiresAt, :v11), ' +
          '#jobName = if_not_exists(#jobName, :v12), #createdAt = if_not_exists(#createdAt, :v13), ' +
          '#enqueuedAt = if_not_exists(#enqueuedAt, :v14) ADD #claims :v15 REMOVE #retryAt',
        ConditionExpression:
          'attribute_not_exists(#pk) OR (#continuation <= :v16 AND (#status IN (:v17, :v18, :v19) OR ' +
          '(#status = :v23 AND ((#leaseUntil < :v20 AND #claimMessageId = :v21) OR #leaseUntil < :v22))))',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#shelf': 'shelf',
          '#claimToken': 'claimToken',
          '#leaseUntil': 'leaseUntil',
          '#claimMessageId': 'claimMessageId',
          '#attempts': 'attempts',
          '#continuation': 'continuation',
          '#jobId': 'jobId',
          '#startedAt': 'startedAt',
          '#updatedAt': 'updatedAt',
          '#kind': 'kind',
          '#expiresAt': 'expiresAt',
          '#jobName': 'jobName',
          '#createdAt': 'createdAt',
          '#enqueuedAt': 'enqueuedAt',
          '#claims': 'claims',
          '#retryAt': 'retryAt',
          '#pk': 'pk',
        },
        ExpressionAttributeValues: {
          ':v0': 'running',
          ':v1': 'flow',
          ':v2': 'tok-1',
          ':v3': NOW_MS + 40_000,
          ':v4': 'm-1',
          ':v5': 2,
          ':v6': 0,
          ':v7': ref.jobId,
          ':v8': NOW.toISOString(),
          ':v9': NOW.toISOString(),
          ':v10': 'job',
          ':v11': NOW_S + RETENTION_S,
          ':v12': 'email.send',
          ':v13': NOW.toISOString(),
          ':v14': ref.enqueuedAt,
          ':v15': 1,
          ':v16': 0,
          ':v17': 'queued',
          ':v18': 'scheduled',
          ':v19': 'retrying',
          ':v20': NOW_MS,
          ':v21': 'm-1',
          ':v22': NOW_MS - 60_000,
          ':v23': 'running',
        },
      });
      expect(readable(updates()[0] ?? {}).condition).toBe(
        'attribute_not_exists(pk) OR (continuation <= 0 AND (status IN ("queued", "scheduled", "retrying") ' +
          `OR (status = "running" AND ((leaseUntil < ${NOW_MS} AND claimMessageId = "m-1") OR leaseUntil < ${NOW_MS - 60_000}))))`,
      );
    });

    it('lets only a redrive take a dead job', async () => {
      // Prepare
      ddbMock.on(UpdateCommand).resolves({});

      // Act
      await makeLedger().claim({ ...ref, redriven: true });

      // Assess
      expect(readable(updates()[0] ?? {}).condition).toBe(
        'attribute_not_exists(pk) OR (continuation <= 0 AND (status IN ("queued", "scheduled", "retrying", "dead") ' +
          `OR (status = "running" AND ((leaseUntil < ${NOW_MS} AND claimMessageId = "m-1") OR leaseUntil < ${NOW_MS - 60_000}))))`,
      );
    });

    it.each([
      ['a job that succeeded', item({ status: 'succeeded' }), { outcome: 'done', status: 'succeeded' }],
      ['a cancelled job', item({ status: 'cancelled' }), { outcome: 'cancelled' }],
      [
        'a job another delivery runs under a live lease',
        item({ status: 'running', claimToken: 'other', claimMessageId: 'm-0', leaseUntil: NOW_MS + 12_500 }),
        { outcome: 'busy', retryAfterMs: 12_500 + 60_000 },
      ],
      [
        "a job whose holder's lease ended while the holder's own message may still bring its end back",
        item({ status: 'running', claimToken: 'other', claimMessageId: 'm-0', leaseUntil: NOW_MS - 1_000 }),
        { outcome: 'busy', retryAfterMs: 59_000 },
      ],
      [
        'a job its own message holds under a live lease (a redelivery while it still runs)',
        item({ status: 'running', claimToken: 'other', claimMessageId: 'm-1', leaseUntil: NOW_MS + 2_000 }),
        { outcome: 'busy', retryAfterMs: 2_000 },
      ],
      [
        'a dead job, to a delivery that is no redrive (its dead-lettering failed)',
        item({ status: 'dead', lastErrorCode: 'MESSAGE_REJECTED', lastErrorMessage: 'Rejected' }),
        { outcome: 'dead', errorCode: 'MESSAGE_REJECTED', errorMessage: 'Rejected' },
      ],
      [
        'an earlier part of a job that continued',
        item({ status: 'running', continuation: 1, claimToken: 'other', leaseUntil: NOW_MS + 1 }),
        { outcome: 'done', status: 'running' },
      ],
    ])('refuses %s, reading the record to say why', async (_case, stored, expected) => {
      // Prepare
      ddbMock.on(UpdateCommand).rejects(conditionFailed());
      ddbMock.on(GetCommand).resolves({ Item: stored });

      // Act
      const result = await makeLedger().claim(ref);

      // Assess
      expect(result).toEqual(expected);
      expect(ddbMock).toHaveReceivedCommandTimes(UpdateCommand, 1);
      expect(ddbMock).toHaveReceivedCommandWith(GetCommand, {
        TableName: TABLE,
        Key: KEY,
        ConsistentRead: true,
      });
    });

    it('claims again when the holder released the job between the write and the read', async () => {
      // Prepare
      ddbMock.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});
      ddbMock.on(GetCommand).resolves({ Item: item({ status: 'retrying', claimToken: 'old' }) });

      // Act
      const result = await makeLedger().claim(ref);

      // Assess
      expect(result).toEqual({ outcome: 'claimed', token: 'tok-2' });
      expect(ddbMock).toHaveReceivedCommandTimes(UpdateCommand, 2);
    });

    it('answers busy after a bounded number of rounds', async () => {
      ddbMock.on(UpdateCommand).rejects(conditionFailed());
      ddbMock.on(GetCommand).resolves({ Item: item({ status: 'retrying' }) });

      await expect(makeLedger().claim(ref)).resolves.toEqual({ outcome: 'busy', retryAfterMs: 1_000 });
      expect(ddbMock).toHaveReceivedCommandTimes(UpdateCommand, 3);
    });

    it('keeps a claim whose first answer was lost and whose SDK retry then failed the condition', async () => {
      ddbMock.on(UpdateCommand).rejects(conditionFailed());
      ddbMock.on(GetCommand).resolves({
        Item: item({ status: 'running', claimToken: 'tok-1', leaseUntil: NOW_MS + 40_000 }),
      });

      await expect(makeLedger().claim(ref)).resolves.toEqual({ outcome: 'claimed', token: 'tok-1' });
    });

    it('passes on errors other than a failed condition', async () => {
      const error = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
      ddbMock.on(UpdateCommand).rejects(error);

      await expect(makeLedger().claim(ref)).rejects.toThrow(error);
      expect(ddbMock).toHaveReceivedCommandTimes(GetCommand, 0);
    });

    it('needs a positive lease', async () => {
      await expect(makeLedger().claim({ ...ref, leaseMs: 0 })).rejects.toThrow(
        new ConfigError('A claim needs a positive lease; got 0 ms'),
      );
      expect(ddbMock.calls()).toHaveLength(0);
    });
  });

  describe('Method: succeed', () => {
    it('ends the claim with the result, under the claim token', async () => {
      // Prepare
      ddbMock.on(UpdateCommand).resolves({});

      // Act
      await makeLedger().succeed(ref, 'tok-1', { sesMessageId: 'ses-1' });

      // Assess
      expect(updates()).toEqual([
        {
          TableName: TABLE,
          Key: KEY,
          // Neither the status index's partition nor the expiry moves: no index is written.
          UpdateExpression:
            'SET #status = :v0, #result = :v1, #finishedAt = :v2, #updatedAt = :v3 REMOVE #leaseUntil',
          ConditionExpression: '#claimToken = :v4 AND #status IN (:v5, :v6)',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#result': 'result',
            '#finishedAt': 'finishedAt',
            '#updatedAt': 'updatedAt',
            '#leaseUntil': 'leaseUntil',
            '#claimToken': 'claimToken',
          },
          ExpressionAttributeValues: {
            ':v0': 'succeeded',
            ':v1': { sesMessageId: 'ses-1' },
            ':v2': NOW.toISOString(),
            ':v3': NOW.toISOString(),
            ':v4': 'tok-1',
            ':v5': 'running',
            ':v6': 'succeeded',
          },
        },
      ]);
    });

    it('refuses a holder whose claim was taken over', async () => {
      ddbMock.on(UpdateCommand).rejects(conditionFailed());

      await expect(makeLedger().succeed(ref, 'tok-old')).rejects.toThrow(
        new ClaimLostError(ref.jobId, 'succeed'),
      );
      await expect(makeLedger().succeed(ref, 'tok-old')).rejects.toThrow(
        'Job "01KAJOB0000000000000000001": succeed refused, the claim was taken over after its lease expired',
      );
    });
  });

  it('costs exactly two writes for a successful attempt: claim and succeed', async () => {
    // Prepare
    ddbMock.on(UpdateCommand).resolves({});
    const ledger = makeLedger();

    // Act
    const claim = await ledger.claim(ref);
    if (claim.outcome !== 'claimed') throw new Error('expected a claim');
    await ledger.succeed(ref, claim.token, { sesMessageId: 'ses-1' });

    // Assess
    expect(ddbMock.calls().map((c) => c.args[0].constructor.name)).toEqual([
      'UpdateCommand',
      'UpdateCommand',
    ]);
  });

  describe('Method: fail', () => {
    it('records a retry with its time and error', async () => {
      ddbMock.on(UpdateCommand).resolves({});

      await makeLedger().fail(ref, 'tok-1', {
        status: 'retrying',
        errorCode: 'SES_THROTTLED',
        errorMessage: 'Maximum sending rate exceeded.',
        retryAt: '2026-11-23T10:00:20.000Z',
      });

      expect(readable(updates()[0] ?? {})).toEqual({
        update:
          'SET status = "retrying", shelf = "retrying", lastErrorCode = "SES_THROTTLED", lastErrorMessage = "Maximum sending rate exceeded.", ' +
          `lastErrorAt = "${NOW.toISOString()}", retryAt = "2026-11-23T10:00:20.000Z", updatedAt = "${NOW.toISOString()}", ` +
          `expiresAt = ${NOW_S + RETENTION_S} REMOVE leaseUntil`,
        condition: 'claimToken = "tok-1" AND status IN ("running", "retrying")',
      });
    });

    it('records a dead job with its finish time and cuts a long message', async () => {
      ddbMock.on(UpdateCommand).resolves({});

      await makeLedger().fail(ref, 'tok-1', {
        status: 'dead',
        errorCode: 'X',
        errorMessage: 'e'.repeat(5_000),
      });

      const values = updates()[0]?.ExpressionAttributeValues ?? {};
      expect(updates()[0]?.UpdateExpression).toContain('#finishedAt = :v5');
      expect(String(values[':v3'])).toHaveLength(LEDGER_DEFAULTS.errorMessageLength);
      expect(String(values[':v3']).endsWith('e…')).toBe(true);
    });

    it('refuses a holder whose claim was taken over', async () => {
      ddbMock.on(UpdateCommand).rejects(conditionFailed());
      await expect(
        makeLedger().fail(ref, 'tok-old', { status: 'dead', errorCode: 'X', errorMessage: 'x' }),
      ).rejects.toThrow(new ClaimLostError(ref.jobId, 'fail'));
    });
  });

  describe('Method: continued', () => {
    it('queues the next continuation under the same job id', async () => {
      ddbMock.on(UpdateCommand).resolves({});

      await makeLedger().continued(ref, 'tok-1', 3);

      expect(updates()[0]).toMatchObject({
        UpdateExpression:
          'SET #status = :v0, #continuation = :v1, #updatedAt = :v2, #expiresAt = :v3 REMOVE #leaseUntil',
        ConditionExpression:
          '#claimToken = :v4 AND (#status = :v5 OR (#status = :v6 AND #continuation = :v7))',
        ExpressionAttributeValues: { ':v0': 'queued', ':v1': 3, ':v4': 'tok-1', ':v7': 3 },
      });
    });

    it('refuses a holder whose claim was taken over', async () => {
      ddbMock.on(UpdateCommand).rejects(conditionFailed());
      await expect(makeLedger().continued(ref, 'tok-old', 1)).rejects.toThrow(
        new ClaimLostError(ref.jobId, 'continue'),
      );
    });
  });

  describe('Method: progress', () => {
    it('replaces the progress of a running job without changing its status', async () => {
      ddbMock.on(UpdateCommand).resolves({});

      await makeLedger().progress(ref, 'tok-1', { pages: 4, cursor: 'abc' });

      expect(updates()[0]).toMatchObject({
        UpdateExpression: 'SET #progress = :v0, #updatedAt = :v1',
        ConditionExpression: '#claimToken = :v2 AND #status = :v3',
        ExpressionAttributeValues: { ':v0': { pages: 4, cursor: 'abc' }, ':v2': 'tok-1', ':v3': 'running' },
      });
    });

    it('refuses a holder whose claim was taken over', async () => {
      ddbMock.on(UpdateCommand).rejects(conditionFailed());
      await expect(makeLedger().progress(ref, 'tok-old', { pages: 1 })).rejects.toThrow(
        new ClaimLostError(ref.jobId, 'progress'),
      );
    });
  });

  describe('Method: deadOnArrival', () => {
    const failure = { errorCode: 'INVALID_ENVELOPE', errorMessage: 'Invalid envelope: payload: Required' };

    it('records the job dead unless it runs, ran or was cancelled', async () => {
      ddbMock.on(UpdateCommand).resolves({});

      await makeLedger().deadOnArrival(ref, failure);

      expect(readable(updates()[0] ?? {})).toEqual({
        update:
          'SET status = "dead", shelf = "dead", jobId = "01KAJOB0000000000000000001", kind = "job", attempts = 2, continuation = 0, ' +
          'lastErrorCode = "INVALID_ENVELOPE", lastErrorMessage = "Invalid envelope: payload: Required", ' +
          `lastErrorAt = "${NOW.toISOString()}", finishedAt = "${NOW.toISOString()}", updatedAt = "${NOW.toISOString()}", ` +
          `expiresAt = ${NOW_S + RETENTION_S}, jobName = if_not_exists(jobName, "email.send"), ` +
          `createdAt = if_not_exists(createdAt, "${NOW.toISOString()}"), ` +
          'enqueuedAt = if_not_exists(enqueuedAt, "2026-11-23T09:59:00.000Z") REMOVE leaseUntil',
        condition:
          'attribute_not_exists(pk) OR (continuation <= 0 AND (status IN ("queued", "scheduled", "retrying", "dead") ' +
          `OR (status = "running" AND ((leaseUntil < ${NOW_MS} AND claimMessageId = "m-1") OR leaseUntil < ${NOW_MS - 60_000}))))`,
      });
    });

    it('records a name that is not a job name as "(unknown)"', async () => {
      ddbMock.on(UpdateCommand).resolves({});
      await makeLedger().deadOnArrival({ ...ref, jobName: '' }, failure);
      expect(readable(updates()[0] ?? {}).update).toContain('jobName = if_not_exists(jobName, "(unknown)")');
    });

    it('writes nothing for a job id that is not one', async () => {
      await expect(makeLedger().deadOnArrival({ ...ref, jobId: '../etc' }, failure)).resolves.toEqual({
        outcome: 'recorded',
      });
      expect(ddbMock.calls()).toHaveLength(0);
    });

    it.each([
      [
        'a job that succeeded meanwhile',
        item({ status: 'succeeded' }),
        { outcome: 'done', status: 'succeeded' },
      ],
      ['a cancelled job', item({ status: 'cancelled' }), { outcome: 'cancelled' }],
      [
        'a job a live delivery of its own message holds',
        item({ status: 'running', claimToken: 'other', claimMessageId: 'm-1', leaseUntil: NOW_MS + 2_000 }),
        { outcome: 'busy', retryAfterMs: 2_000 },
      ],
    ])('leaves %s alone and says why', async (_case, stored, expected) => {
      ddbMock.on(UpdateCommand).rejects(conditionFailed());
      ddbMock.on(GetCommand).resolves({ Item: stored });

      await expect(makeLedger().deadOnArrival(ref, failure)).resolves.toEqual(expected);
      expect(ddbMock).toHaveReceivedCommandTimes(UpdateCommand, 1);
    });
  });

  describe('Method: createJob', () => {
    it('puts a queued record unless one exists, expiring after its run-at time', async () => {
      ddbMock.on(PutCommand).resolves({});

      const created = await makeLedger().createJob({
        jobId: ref.jobId,
        name: 'email.send',
        status: 'scheduled',
        runAt: '2026-12-01T08:00:00.000Z',
        idempotencyKey: 'order-1',
      });

      expect(created).toBe(true);
      expect(ddbMock).toHaveReceivedCommandWith(PutCommand, {
        TableName: TABLE,
        Item: {
          ...KEY,
          kind: 'job',
          jobId: ref.jobId,
          jobName: 'email.send',
          status: 'scheduled',
          shelf: 'scheduled',
          attempts: 0,
          claims: 0,
          continuation: 0,
          createdAt: NOW.toISOString(),
          updatedAt: NOW.toISOString(),
          enqueuedAt: NOW.toISOString(),
          runAt: '2026-12-01T08:00:00.000Z',
          idempotencyKey: 'order-1',
          expiresAt: Date.parse('2026-12-01T08:00:00.000Z') / 1000 + RETENTION_S,
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': 'pk' },
      });
    });

    it('leaves a record a worker created first', async () => {
      ddbMock.on(PutCommand).rejects(conditionFailed());
      await expect(
        makeLedger().createJob({ jobId: 'j', name: 'email.send', status: 'queued' }),
      ).resolves.toBe(false);
    });
  });

  describe('Method: getJob', () => {
    it('returns the public view of a record: no claim internals', async () => {
      ddbMock.on(GetCommand).resolves({
        Item: item({
          status: 'retrying',
          attempts: 2,
          claims: 3,
          claimToken: 'secret',
          leaseUntil: 1,
          claimMessageId: 'm',
          lastErrorCode: 'SES_THROTTLED',
          lastErrorMessage: 'slow down',
          lastErrorAt: NOW.toISOString(),
          retryAt: '2026-11-23T10:01:00.000Z',
        }),
      });

      await expect(makeLedger().getJob(ref.jobId)).resolves.toEqual({
        jobId: ref.jobId,
        name: 'email.send',
        status: 'retrying',
        attempts: 2,
        claims: 3,
        continuation: 0,
        createdAt: '2026-11-23T09:59:00.000Z',
        updatedAt: '2026-11-23T09:59:00.000Z',
        retryAt: '2026-11-23T10:01:00.000Z',
        lastError: { code: 'SES_THROTTLED', message: 'slow down', at: NOW.toISOString() },
        expiresAt: '2026-12-23T10:00:00.000Z',
      });
    });

    it('returns undefined for an unknown id, and does not ask DynamoDB about an id that cannot exist', async () => {
      ddbMock.on(GetCommand).resolves({});

      await expect(makeLedger().getJob(ref.jobId)).resolves.toBeUndefined();
      await expect(makeLedger().getJob('x'.repeat(5_000))).resolves.toBeUndefined();

      expect(ddbMock).toHaveReceivedCommandTimes(GetCommand, 1);
    });
  });

  describe('Method: cancelJob', () => {
    it('moves a queued or scheduled job to cancelled in one conditional update, keeping where it came from', async () => {
      ddbMock
        .on(UpdateCommand)
        .resolves({ Attributes: item({ status: 'cancelled', cancelledFrom: 'scheduled' }) });

      const result = await makeLedger().cancelJob(ref.jobId);

      expect(result.previousStatus).toBe('scheduled');
      expect(result.record.status).toBe('cancelled');
      expect(updates()[0]).toMatchObject({
        UpdateExpression:
          'SET #cancelledFrom = #status, #status = :v0, #shelf = :v1, #finishedAt = :v2, #updatedAt = :v3, #expiresAt = :v4',
        ConditionExpression: '#status IN (:v5, :v6)',
        ExpressionAttributeValues: { ':v1': 'cancelled', ':v5': 'queued', ':v6': 'scheduled' },
        ReturnValues: 'ALL_NEW',
      });
    });

    it.each([
      ['running', new JobAlreadyStartedError(ref.jobId, 'running')],
      ['succeeded', new JobAlreadyStartedError(ref.jobId, 'succeeded')],
      ['retrying', new JobAlreadyStartedError(ref.jobId, 'retrying')],
    ])('refuses a job that is %s', async (status, expected) => {
      ddbMock.on(UpdateCommand).rejects(conditionFailed());
      ddbMock.on(GetCommand).resolves({ Item: item({ status }) });

      await expect(makeLedger().cancelJob(ref.jobId)).rejects.toThrow(expected);
    });

    it('answers a second cancel with the cancelled record', async () => {
      ddbMock.on(UpdateCommand).rejects(conditionFailed());
      ddbMock.on(GetCommand).resolves({ Item: item({ status: 'cancelled' }) });

      await expect(makeLedger().cancelJob(ref.jobId)).resolves.toMatchObject({
        previousStatus: 'cancelled',
        record: { status: 'cancelled' },
      });
    });

    it('throws JobNotFoundError for an unknown job', async () => {
      ddbMock.on(UpdateCommand).rejects(conditionFailed());
      ddbMock.on(GetCommand).resolves({});

      await expect(makeLedger().cancelJob(ref.jobId)).rejects.toThrow(new JobNotFoundError(ref.jobId));
      await expect(makeLedger().cancelJob(ref.jobId)).rejects.toThrow(
        'Job "01KAJOB0000000000000000001" was not found',
      );
    });
  });

  describe('Method: listJobs', () => {
    /** What the keys-only index returns for a stored item: the table's and the index's keys. */
    const entry = (stored: Record<string, unknown>, index: readonly string[]) =>
      Object.fromEntries(['pk', 'sk', ...index].map((name) => [name, stored[name]]));

    it('queries the status index newest first, reads the records, and returns a cursor when DynamoDB stopped early', async () => {
      // Prepare
      const a = item({ jobId: 'a', pk: 'job#a', status: 'dead', shelf: 'dead' });
      const last = { pk: 'job#b', sk: 'job', shelf: 'dead', createdAt: '2026-11-23T09:00:00.000Z' };
      ddbMock
        .on(QueryCommand)
        .resolves({ Items: [entry(a, ['shelf', 'createdAt'])], LastEvaluatedKey: last });
      ddbMock.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [a] } });

      // Act
      const page = await makeLedger().listJobs({ status: 'dead', limit: 1 });

      // Assess
      expect(ddbMock).toHaveReceivedCommandWith(QueryCommand, {
        TableName: TABLE,
        IndexName: 'jobs-by-status',
        KeyConditionExpression: '#shelf = :v0',
        ExpressionAttributeNames: { '#shelf': 'shelf' },
        ExpressionAttributeValues: { ':v0': 'dead' },
        ScanIndexForward: false,
        Limit: 1,
      });
      expect(ddbMock).toHaveReceivedCommandWith(BatchGetCommand, {
        RequestItems: { [TABLE]: { Keys: [{ pk: 'job#a', sk: 'job' }] } },
      });
      expect(page.jobs.map((j) => j.jobId)).toEqual(['a']);
      const cursor = JSON.parse(Buffer.from(page.cursor ?? '', 'base64url').toString('utf8'));
      expect(cursor).toEqual({ v: 1, f: 'dead|', s: [last] });
    });

    it('reads the name partition until the page holds enough records in the status asked for', async () => {
      // Prepare
      const stored = (id: string, status: string) =>
        item({ jobId: id, pk: `job#${id}`, status, shelf: 'flow' });
      const [a, b, c] = [stored('a', 'queued'), stored('b', 'running'), stored('c', 'queued')];
      const keys = ['jobName', 'createdAt'];
      const stop = { pk: 'job#b', sk: 'job', jobName: 'email.send', createdAt: 'c' };
      ddbMock
        .on(QueryCommand)
        .resolvesOnce({ Items: [entry(a, keys), entry(b, keys)], LastEvaluatedKey: stop })
        .resolvesOnce({ Items: [entry(c, keys)] });
      ddbMock
        .on(BatchGetCommand)
        .resolvesOnce({ Responses: { [TABLE]: [b, a] } })
        .resolvesOnce({ Responses: { [TABLE]: [c] } });

      // Act
      const page = await makeLedger().listJobs({ name: 'email.send', status: 'queued', limit: 2 });

      // Assess
      expect(page).toEqual({
        jobs: [expect.objectContaining({ jobId: 'a' }), expect.objectContaining({ jobId: 'c' })],
      });
      const inputs = ddbMock.commandCalls(QueryCommand).map((call) => call.args[0].input);
      expect(inputs.map((i) => [i.IndexName, i.ExclusiveStartKey])).toEqual([
        ['jobs-by-name', undefined],
        ['jobs-by-name', stop],
      ]);
    });

    it.each([0, 101, 2.5])('refuses a limit of %s', async (limit) => {
      await expect(makeLedger().listJobs({ status: 'dead', limit })).rejects.toThrow(
        new JobValidationError('Invalid listing: limit: must be an integer from 1 to 100', [
          { path: 'limit', message: 'must be an integer from 1 to 100' },
        ]),
      );
      expect(ddbMock.calls()).toHaveLength(0);
    });

    it.each([
      ['not base64url', '%%%'],
      ['not JSON', Buffer.from('nope').toString('base64url')],
      [
        'a key of another partition',
        Buffer.from(
          JSON.stringify({
            v: 1,
            f: 'dead|',
            s: [{ pk: 'job#a', sk: 'job', shelf: 'flow', createdAt: 'c' }],
          }),
        ).toString('base64url'),
      ],
      [
        'a key with extra attributes',
        Buffer.from(
          JSON.stringify({
            v: 1,
            f: 'dead|',
            s: [{ pk: 'job#a', sk: 'job', shelf: 'dead', createdAt: 'c', x: 'y' }],
          }),
        ).toString('base64url'),
      ],
      ['too long', 'A'.repeat(5_000)],
    ])('refuses a cursor that is %s without querying', async (_case, cursor) => {
      await expect(makeLedger().listJobs({ status: 'dead', cursor })).rejects.toThrow(
        new JobValidationError('Invalid cursor: is not a cursor this listing returned', [
          { path: 'cursor', message: 'is not a cursor this listing returned' },
        ]),
      );
      expect(ddbMock.calls()).toHaveLength(0);
    });

    it('turns a start key DynamoDB refuses into a cursor error', async () => {
      const error = new Error('The provided starting key is invalid');
      error.name = 'ValidationException';
      ddbMock.on(QueryCommand).rejects(error);
      const cursor = Buffer.from(
        JSON.stringify({ v: 1, f: 'dead|', s: [{ pk: 'job#a', sk: 'job', shelf: 'dead', createdAt: 'c' }] }),
      ).toString('base64url');

      await expect(makeLedger().listJobs({ status: 'dead', cursor })).rejects.toThrow(JobValidationError);
    });
  });

  describe('Method: reserveIdempotencyKey', () => {
    it('puts the key, hashed, unless a live one exists', async () => {
      ddbMock.on(PutCommand).resolves({});

      await expect(
        makeLedger().reserveIdempotencyKey({ key: 'order-1', requestHash: 'h', jobId: 'job-1' }),
      ).resolves.toEqual({ reserved: true });

      const input = ddbMock.commandCalls(PutCommand)[0]?.args[0].input;
      expect(input?.Item).toEqual({
        pk: expect.stringMatching(/^idempotency#[0-9a-f]{64}$/),
        sk: 'idempotency',
        kind: 'idempotency',
        jobId: 'job-1',
        requestHash: 'h',
        createdAt: NOW.toISOString(),
        expiresAt: NOW_S + 86_400,
      });
      expect(input?.ConditionExpression).toBe('attribute_not_exists(#pk) OR #expiresAt < :v0');
      expect(input?.ExpressionAttributeValues).toEqual({ ':v0': NOW_S });
    });

    it('returns the holder of a key in use', async () => {
      ddbMock.on(PutCommand).rejects(conditionFailed());
      ddbMock.on(GetCommand).resolves({ Item: { jobId: 'job-0', requestHash: 'h0', createdAt: 'then' } });

      await expect(
        makeLedger().reserveIdempotencyKey({ key: 'order-1', requestHash: 'h', jobId: 'job-1' }),
      ).resolves.toEqual({ reserved: false, jobId: 'job-0', requestHash: 'h0', createdAt: 'then' });
    });
  });

  describe('Method: releaseIdempotencyKey', () => {
    it('deletes the key only while it still names the job', async () => {
      ddbMock.on(DeleteCommand).rejects(conditionFailed());

      await expect(makeLedger().releaseIdempotencyKey('order-1', 'job-1')).resolves.toBeUndefined();

      expect(ddbMock).toHaveReceivedCommandWith(DeleteCommand, {
        ConditionExpression: '#jobId = :v0',
        ExpressionAttributeValues: { ':v0': 'job-1' },
      });
    });
  });

  describe('Constructor', () => {
    it('rejects unknown options and a missing table name', () => {
      expect(() => new DynamoJobLedger({ tableName: 't', table: 'x' } as never)).toThrow(
        new ConfigError(
          'Invalid DynamoJobLedger options: table: is not a known key; did you mean "tableName"?',
        ),
      );
      expect(() => new DynamoJobLedger({ tableName: '' })).toThrow(
        new ConfigError("Invalid DynamoJobLedger options: tableName: is required: the ledger table's name"),
      );
    });
  });
});

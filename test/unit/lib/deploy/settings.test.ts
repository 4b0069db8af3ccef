import { describe, expect, it } from 'vitest';
import {
  deriveJobSettings,
  deriveSettings,
  SETTINGS_RULES,
  sqsQueueAttributes,
  TABLE_SPEC,
} from '../../../../lib/deploy/index.js';
import { createRegistry, JobDefinitionError, UnknownJobError } from '../../../../lib/index.js';
import { registry } from '../../../../lib/jobs/builtin/index.js';
import { noteJob, orderJob } from '../../../helpers/jobs.js';

describe('Function: deriveJobSettings', () => {
  describe.each([
    { timeoutSeconds: 30, windowSeconds: 0, visibility: 180 },
    { timeoutSeconds: 30, windowSeconds: 5, visibility: 185 },
    { timeoutSeconds: 900, windowSeconds: 300, visibility: 5700 },
  ])(
    'with a $timeoutSeconds s timeout and a $windowSeconds s window',
    ({ timeoutSeconds, windowSeconds, visibility }) => {
      it(`sets the visibility timeout to ${SETTINGS_RULES.visibilityTimeoutFactor} × timeout + window = ${visibility} s`, () => {
        const settings = deriveJobSettings(noteJob({ timeoutSeconds, batch: { windowSeconds } }));
        expect(settings.queue.visibilityTimeoutSeconds).toBe(visibility);
        expect(settings.queue.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * timeoutSeconds);
      });
    },
  );

  it('derives names, retention, redrive and event-source values for a standard job', () => {
    // Act
    const settings = deriveJobSettings(
      noteJob({ retry: { maxAttempts: 4 }, batch: { size: 25, maxConcurrency: 7 } }),
    );

    // Assess
    expect(settings).toMatchObject({
      jobName: 'test.note',
      fifo: false,
      queue: {
        name: 'test-note',
        fifo: false,
        messageRetentionSeconds: 4 * 86_400,
        receiveWaitTimeSeconds: 20,
        contentBasedDeduplication: false,
        maxReceiveCount: 4 + SETTINGS_RULES.receiveAllowance,
      },
      dlq: { name: 'test-note-dlq', fifo: false, messageRetentionSeconds: 14 * 86_400 },
      eventSource: {
        batchSize: 25,
        maxBatchingWindowSeconds: 1,
        maxConcurrency: 7,
        reportBatchItemFailures: true,
      },
      function: { timeoutSeconds: 30, memoryMiB: 512, deadlineMarginMs: 3000, recordConcurrency: 10 },
      schedules: [],
    });
    expect(settings.queue.maxReceiveCount).toBe(9);
  });

  it('makes FIFO pairs with content-based deduplication, which Scheduler targets need', () => {
    const settings = deriveJobSettings(orderJob());
    expect(settings.queue).toMatchObject({
      name: 'test-order.fifo',
      fifo: true,
      contentBasedDeduplication: true,
    });
    expect(settings.dlq).toMatchObject({
      name: 'test-order-dlq.fifo',
      fifo: true,
      contentBasedDeduplication: true,
    });
    expect(settings.eventSource.maxBatchingWindowSeconds).toBe(0);
  });

  it('keeps every derived queue name within the 80-character SQS limit', () => {
    const name = `a${'.b'.repeat(35)}`;
    const settings = deriveJobSettings(orderJob({ name }));
    expect(settings.dlq.name.length).toBeLessThanOrEqual(80);
  });

  it('derives the declared recurring schedule with a firing envelope and its group', () => {
    const job = orderJob({
      schedule: {
        expression: 'cron(15 2 * * ? *)',
        timeZone: 'Europe/Berlin',
        payload: { orderId: 'o', customerId: 'c-1' },
      },
    });
    const [schedule, ...rest] = deriveJobSettings(job).schedules;
    expect(rest).toEqual([]);
    expect(schedule).toEqual({
      name: 'test-order',
      jobName: 'test.order',
      expression: 'cron(15 2 * * ? *)',
      timeZone: 'Europe/Berlin',
      flexibleWindowMinutes: SETTINGS_RULES.scheduleFlexibleWindowMinutes,
      maxRetryAttempts: SETTINGS_RULES.scheduleMaxRetryAttempts,
      maxEventAgeSeconds: SETTINGS_RULES.scheduleMaxEventAgeSeconds,
      input: JSON.stringify({
        version: 1,
        name: 'test.order',
        payload: { orderId: 'o', customerId: 'c-1' },
        enqueuedAt: '<aws.scheduler.scheduled-time>',
        attempt: 1,
        continuation: 0,
        firing: { schedule: 'test-order', executionId: '<aws.scheduler.execution-id>' },
      }),
      messageGroupId: 'c-1',
    });
    // No fixed job id: each firing must become its own job.
    expect(schedule?.input).not.toContain('jobId');
  });

  it('replaces the declared schedule with configured ones, keeping the declared time zone', () => {
    const job = noteJob({
      schedule: { expression: 'rate(1 day)', timeZone: 'Asia/Tokyo', payload: { text: 'default' } },
    });
    const settings = deriveJobSettings(job, {
      schedules: { 'test.note': [{ id: 'crm', expression: 'rate(2 hours)', payload: { text: 'crm' } }] },
    });
    expect(settings.schedules.map((s) => [s.name, s.expression, s.timeZone])).toEqual([
      ['test-note-crm', 'rate(2 hours)', 'Asia/Tokyo'],
    ]);
    expect(deriveJobSettings(job, { schedules: { 'test.note': [] } }).schedules).toEqual([]);
  });

  it.each([
    [
      { id: 'bad id', expression: 'rate(1 day)' },
      'Invalid schedule "bad id" of job "test.note": id must be 1–32 letters, digits, "-" or "_"',
    ],
    [
      { id: 'a', expression: 'every day' },
      'Invalid schedule "a" of job "test.note": expression: must be "cron(<6 fields>)" or "rate(<n> <unit>)"',
    ],
    [
      { id: 'a', expression: 'rate(1 day)', timeZone: 'Nowhere/Land' },
      'Invalid schedule "a" of job "test.note": timeZone: must be an IANA time zone such as "Europe/Berlin"',
    ],
    [
      { id: 'a', expression: 'rate(1 day)', payload: { text: 1 } },
      'Invalid schedule "a" of job "test.note": payload.text: Invalid input: expected string, received number',
    ],
  ])('rejects a bad configured schedule %#', (schedule, message) => {
    expect(() => deriveJobSettings(noteJob(), { schedules: { 'test.note': [schedule] } })).toThrow(
      new JobDefinitionError(message),
    );
  });

  it('rejects a duplicate schedule id', () => {
    const schedules = {
      'test.note': [
        { id: 'a', expression: 'rate(1 day)', payload: { text: 'x' } },
        { id: 'a', expression: 'rate(2 days)', payload: { text: 'y' } },
      ],
    };
    expect(() => deriveJobSettings(noteJob(), { schedules })).toThrow(
      new JobDefinitionError('Invalid schedule "a" of job "test.note": the id is used twice'),
    );
  });

  it('rejects a visibility timeout beyond the SQS maximum', () => {
    // 6 × 900 + 300 = 5 700 is fine; the cap can only be hit through the factor, so check the guard directly.
    expect(() => deriveJobSettings({ ...noteJob(), timeoutSeconds: 7_300 })).toThrow(
      new JobDefinitionError(
        'Job "test.note": visibility timeout 43801 s exceeds the SQS maximum of 43200 s',
      ),
    );
  });
});

describe('Function: deriveSettings', () => {
  it('derives the built-in jobs and the table', () => {
    const settings = deriveSettings(registry);
    expect(
      settings.jobs.map((j) => [
        j.queue.name,
        j.dlq.name,
        j.queue.maxReceiveCount,
        j.queue.visibilityTimeoutSeconds,
      ]),
    ).toEqual([
      ['email-send', 'email-send-dlq', 10, 181],
      ['sync-run.fifo', 'sync-run-dlq.fifo', 10, 720],
      ['cleanup-run', 'cleanup-run-dlq', 8, 1801],
    ]);
    expect(settings.job('cleanup.run').schedules.map((s) => [s.name, s.expression, s.timeZone])).toEqual([
      ['cleanup-run', 'cron(0 3 * * ? *)', 'UTC'],
    ]);
    expect(settings.table).toBe(TABLE_SPEC);
  });

  it("derives per-source sync schedules from configuration, each in the source's group", () => {
    const settings = deriveSettings(registry, {
      schedules: { 'sync.run': [{ id: 'crm', expression: 'rate(1 hour)', payload: { sourceId: 'crm' } }] },
    });
    expect(settings.job('sync.run').schedules).toMatchObject([
      { name: 'sync-run-crm', messageGroupId: 'crm' },
    ]);
  });

  it('rejects configuration for a job that is not registered', () => {
    expect(() => deriveSettings(createRegistry([noteJob()]), { schedules: { 'nope.job': [] } })).toThrow(
      UnknownJobError,
    );
  });

  it('indexes status, name and expiry, keys only, so no listing needs a scan', () => {
    expect(
      TABLE_SPEC.indexes.map((i) => [i.name, i.partitionKey.name, i.sortKey.name, i.projection]),
    ).toEqual([
      ['jobs-by-status', 'shelf', 'createdAt', 'KEYS_ONLY'],
      ['jobs-by-name', 'jobName', 'createdAt', 'KEYS_ONLY'],
      ['records-by-expiry', 'kind', 'expiresAt', 'KEYS_ONLY'],
    ]);
    expect(TABLE_SPEC).toMatchObject({
      billingMode: 'PAY_PER_REQUEST',
      pointInTimeRecovery: true,
      timeToLiveAttribute: 'expiresAt',
    });
  });
});

describe('Function: sqsQueueAttributes', () => {
  it('renders a FIFO source queue with its redrive policy', () => {
    const settings = deriveJobSettings(orderJob({ retry: { maxAttempts: 2 } }));
    expect(
      sqsQueueAttributes(settings.queue, {
        dlqArn: 'arn:aws:sqs:us-east-1:0:test-order-dlq.fifo',
        maxReceiveCount: settings.queue.maxReceiveCount,
      }),
    ).toEqual({
      VisibilityTimeout: '180',
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '20',
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
      RedrivePolicy:
        '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:0:test-order-dlq.fifo","maxReceiveCount":7}',
    });
  });

  it('renders a standard DLQ without FIFO or redrive attributes', () => {
    expect(sqsQueueAttributes(deriveJobSettings(noteJob()).dlq)).toEqual({
      VisibilityTimeout: '181',
      MessageRetentionPeriod: '1209600',
      ReceiveMessageWaitTimeSeconds: '20',
    });
  });
});

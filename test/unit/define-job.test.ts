import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { defineJob, JOB_DEFAULTS, JobDefinitionError } from '../../lib/index.js';
import { noteJob, notePayload, orderJob } from '../helpers/jobs.js';

describe('Function: defineJob', () => {
  it('fills every default from JOB_DEFAULTS', () => {
    // Act
    const job = noteJob();

    // Assess
    expect(job).toMatchObject({
      name: 'test.note',
      retry: {
        maxAttempts: JOB_DEFAULTS.maxAttempts,
        baseDelaySeconds: JOB_DEFAULTS.baseDelaySeconds,
        maxDelaySeconds: JOB_DEFAULTS.maxDelaySeconds,
      },
      timeoutSeconds: JOB_DEFAULTS.timeoutSeconds,
      memoryMiB: JOB_DEFAULTS.memoryMiB,
      deadlineMarginMs: JOB_DEFAULTS.deadlineMarginMs,
      batch: {
        size: JOB_DEFAULTS.batchSize,
        windowSeconds: JOB_DEFAULTS.maxBatchingWindowSeconds,
        maxConcurrency: JOB_DEFAULTS.maxConcurrency,
        recordConcurrency: JOB_DEFAULTS.recordConcurrency,
      },
      fifo: undefined,
      schedule: undefined,
      resources: [],
      useLedger: true,
    });
    expect(Object.isFrozen(job)).toBe(true);
  });

  it('gives FIFO jobs no batching window, since Lambda allows none for FIFO sources', () => {
    expect(orderJob().batch.windowSeconds).toBe(0);
  });

  it('fills a schedule with UTC and an empty payload', () => {
    const job = defineJob({
      name: 'report.daily',
      schema: z.strictObject({}),
      schedule: { expression: 'cron(0 6 * * ? *)' },
    });
    expect(job.schedule).toEqual({ expression: 'cron(0 6 * * ? *)', timeZone: 'UTC', payload: {} });
  });

  it.each([
    [
      'an unknown key (a typo)',
      { timeout: 60 },
      'Invalid job "test.note": timeout: is not a known key; did you mean "timeoutSeconds"?',
    ],
    [
      'an upper-case name',
      { name: 'Email.Send' },
      'Invalid job "Email.Send": name: must be lower case words joined by "." or "-", e.g. "email.send"',
    ],
    [
      'a name with a trailing dot',
      { name: 'email.' },
      'Invalid job "email.": name: must be lower case words joined by "." or "-", e.g. "email.send"',
    ],
    [
      "a timeout beyond Lambda's 900 s",
      { timeoutSeconds: 901 },
      'Invalid job "test.note": timeoutSeconds: Too big: expected number to be <=900',
    ],
    [
      'a fractional timeout',
      { timeoutSeconds: 1.5 },
      'Invalid job "test.note": timeoutSeconds: Invalid input: expected int, received number',
    ],
    [
      'zero attempts',
      { retry: { maxAttempts: 0 } },
      'Invalid job "test.note": retry.maxAttempts: Too small: expected number to be >=1',
    ],
    [
      'a base delay above the cap',
      { retry: { baseDelaySeconds: 60, maxDelaySeconds: 30 } },
      'Invalid job "test.note": retry.baseDelaySeconds (60) exceeds retry.maxDelaySeconds (30)',
    ],
    [
      'a margin as long as the timeout',
      { timeoutSeconds: 3, deadlineMarginMs: 3000 },
      'Invalid job "test.note": deadlineMarginMs (3000) must be shorter than timeoutSeconds (3 s)',
    ],
    [
      'a batch above 10 without a window',
      { batch: { size: 50, windowSeconds: 0 } },
      'Invalid job "test.note": batch.size above 10 needs a standard queue and batch.windowSeconds ≥ 1',
    ],
    [
      'an unknown resource',
      { resources: ['s3'] },
      'Invalid job "test.note": resources.0: Invalid option: expected one of "ledger"|"ses"|"parameters"',
    ],
    [
      "a concurrency below Lambda's minimum of 2",
      { batch: { maxConcurrency: 1 } },
      'Invalid job "test.note": batch.maxConcurrency: Too small: expected number to be >=2',
    ],
    [
      'a five-field cron',
      { schedule: { expression: 'cron(0 3 * * ?)' } },
      'Invalid job "test.note": schedule.expression: must be "cron(<6 fields>)" or "rate(<n> <unit>)"',
    ],
    [
      'a plural rate of one',
      { schedule: { expression: 'rate(1 hours)' } },
      'Invalid job "test.note": schedule.expression: must be "cron(<6 fields>)" or "rate(<n> <unit>)"',
    ],
    [
      'an unknown time zone',
      { schedule: { expression: 'rate(5 minutes)', timeZone: 'Mars/Olympus' } },
      'Invalid job "test.note": schedule.timeZone: must be an IANA time zone such as "Europe/Berlin"',
    ],
    [
      'a schedule payload its schema rejects',
      { schedule: { expression: 'rate(1 day)', payload: { text: '' } } },
      'Invalid job "test.note": schedule.payload.text: Too small: expected string to have >=1 characters',
    ],
  ])('rejects %s with a message naming it', (_case, overrides, message) => {
    // Act & Assess
    const act = () => defineJob({ name: 'test.note', schema: notePayload, ...(overrides as object) });
    expect(act).toThrow(JobDefinitionError);
    expect(act).toThrow(message);
  });

  it('rejects a FIFO job with a batching window', () => {
    expect(() => orderJob({ batch: { windowSeconds: 5 } })).toThrow(
      new JobDefinitionError('Invalid job "test.order": batch.windowSeconds must be 0 for a FIFO job'),
    );
  });

  it('rejects a schema that is not a zod schema', () => {
    expect(() => defineJob({ name: 'x.y', schema: {} as never })).toThrow(
      new JobDefinitionError('Invalid job "x.y": schema: must be a zod schema'),
    );
  });

  it('accepts classic zod schemas as well as zod/mini', async () => {
    const { z: classic } = await import('zod');
    const job = defineJob({ name: 'classic.job', schema: classic.object({ n: classic.number() }) });
    expect(job.schema.safeParse({ n: 1 }).success).toBe(true);
  });
});

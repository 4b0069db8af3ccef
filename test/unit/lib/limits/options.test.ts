import { describe, expect, it } from 'vitest';
import { defineJob, JobDefinitionError, LIMIT_DEFAULTS, LIMIT_RULES } from '../../../../lib/index.js';
import { emailSend } from '../../../../lib/jobs/builtin/index.js';
import { withRateLimit } from '../../../../lib/limits/with-rate-limit.js';
import { noteJob, notePayload, orderJob } from '../../../helpers/jobs.js';

/** A key function for the cases where the key does not matter. */
const fixedKey = (): string => 'k';

describe('Function: defineJob (limits)', () => {
  it('declares no limits by default, so the worker and the client skip them in one test', () => {
    expect(noteJob().limits).toBeUndefined();
  });

  it('derives each limit once: the rate limit’s whole-job key and the unique window’s default', () => {
    // Act
    const job = noteJob({
      concurrency: { key: (p) => p.text, limit: 2 },
      rateLimit: { limit: 5, perSeconds: 1 },
      unique: { key: (p) => p.text },
    });

    // Assess
    expect(job.limits).toMatchObject({
      concurrency: { limit: 2 },
      rateLimit: { limit: 5, perSeconds: 1 },
      debounce: undefined,
      unique: { seconds: LIMIT_DEFAULTS.uniqueSeconds },
    });
    expect(job.limits?.rateLimit?.key({ text: 'a' })).toBe(LIMIT_RULES.wholeJobKey);
    expect(job.limits?.concurrency?.key({ text: 'tenant-7' })).toBe('tenant-7');
    expect(Object.isFrozen(job.limits)).toBe(true);
  });

  it.each([
    [
      'a misspelt limit option, naming the key it likely meant',
      { concurency: { key: fixedKey, limit: 2 } },
      'Invalid job "test.note": concurency: is not a known key; did you mean "concurrency"?',
    ],
    [
      'a concurrency limit of 0',
      { concurrency: { key: fixedKey, limit: 0 } },
      'Invalid job "test.note": concurrency.limit: Too small: expected number to be >=1',
    ],
    [
      'a key that is not a function',
      { concurrency: { key: 'tenant', limit: 2 } },
      'Invalid job "test.note": concurrency.key: must be a function of the payload returning the key',
    ],
    [
      'a rate limit without its window',
      { rateLimit: { limit: 5 } },
      'Invalid job "test.note": rateLimit.perSeconds: Invalid input: expected number, received undefined',
    ],
    [
      'a debounce whose maximum wait is shorter than its quiet time',
      { debounce: { key: fixedKey, seconds: 10, maxWaitSeconds: 5 } },
      'Invalid job "test.note": debounce.maxWaitSeconds (5) must be at least debounce.seconds (10)',
    ],
    [
      'debounce and unique together',
      { debounce: { key: fixedKey, seconds: 1, maxWaitSeconds: 1 }, unique: { key: fixedKey } },
      'Invalid job "test.note": declare debounce or unique, not both: a debounced key already forms one job at a time',
    ],
    [
      'a unique key on a job without the ledger',
      { unique: { key: fixedKey }, useLedger: false },
      'Invalid job "test.note": unique needs useLedger: a key is held while its job waits or runs, as the ledger says',
    ],
  ])('rejects %s', (_case, overrides, message) => {
    // Act & Assess
    const act = () => defineJob({ name: 'test.note', schema: notePayload, ...(overrides as object) });
    expect(act).toThrow(new JobDefinitionError(message));
  });

  it('rejects limits that defer on a FIFO job: only a receive that counts as an attempt could defer it', () => {
    expect(() => orderJob({ concurrency: { key: (p) => p.customerId, limit: 2 } })).toThrow(
      new JobDefinitionError(
        'Invalid job "test.order": concurrency, rateLimit and debounce need a standard queue (a FIFO job is deferred only by a receive that counts as an attempt; its groupKey already limits each group to one job at a time)',
      ),
    );
  });

  it('accepts a unique key on a FIFO job (it defers nothing)', () => {
    expect(orderJob({ unique: { key: (p) => p.orderId, seconds: 60 } }).limits?.unique?.seconds).toBe(60);
  });
});

describe('Function: withRateLimit', () => {
  it('sets a rate limit from configuration on a declaration, keeping the rest', () => {
    // Act
    const job = withRateLimit(emailSend, { limit: 14, perSeconds: 1 });

    // Assess
    expect(job.limits?.rateLimit).toMatchObject({ limit: 14, perSeconds: 1 });
    expect(job.limits?.rateLimit?.key({ to: ['a@example.com'], subject: 's', text: 't' })).toBe(
      LIMIT_RULES.wholeJobKey,
    );
    expect({ ...job, limits: undefined }).toEqual({ ...emailSend, limits: undefined });
    expect(emailSend.limits).toBeUndefined();
  });

  it('checks the rate as a declared one is checked', () => {
    expect(() => withRateLimit(emailSend, { limit: 0, perSeconds: 1 })).toThrow(
      new JobDefinitionError(
        'Invalid job "email.send": rateLimit.limit: Too small: expected number to be >=1',
      ),
    );
    expect(() => withRateLimit(orderJob(), { limit: 5, perSeconds: 1 })).toThrow(JobDefinitionError);
  });
});

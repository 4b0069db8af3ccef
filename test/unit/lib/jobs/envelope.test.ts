import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  encodeEnvelope,
  envelopeSchema,
  firingEnvelopeSchema,
  firingJobId,
  jobEnvelopeSchema,
  renderFiring,
} from '../../../../lib/deploy/index.js';
import { EnvelopeError, type JobEnvelope } from '../../../../lib/index.js';
import { encodeFiringTemplate } from '../../../../lib/jobs/envelope.js';
import { check } from '../../../../lib/validation.js';

const envelope: JobEnvelope = {
  version: 1,
  jobId: '01JD4Z7Q8X0000000000000000',
  name: 'email.send',
  payload: { to: ['a@example.com'], subject: 'Hi', text: 'Hello' },
  enqueuedAt: '2026-11-23T10:00:00.000Z',
  attempt: 1,
  continuation: 0,
};

describe('Function: decodeEnvelope', () => {
  it('round-trips an encoded envelope', () => {
    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
  });

  it.each([
    ['plain text', 'hello world', 'Message body is not JSON'],
    ['base64', Buffer.from(JSON.stringify(envelope)).toString('base64'), 'Message body is not JSON'],
    ['truncated JSON', encodeEnvelope(envelope).slice(0, 40), 'Message body is not JSON'],
    ['an empty body', '', 'Message body is not JSON'],
    ['a JSON array', '[1,2]', 'Message body is not a JSON object'],
    ['a JSON string', '"x"', 'Message body is not a JSON object'],
    ['null', 'null', 'Message body is not a JSON object'],
    [
      'version 2',
      JSON.stringify({ ...envelope, version: 2 }),
      'Unknown envelope version 2; this worker reads version 1',
    ],
    [
      'a string version',
      JSON.stringify({ ...envelope, version: '1' }),
      'Unknown envelope version "1"; this worker reads version 1',
    ],
  ])('rejects %s', (_case, body, message) => {
    expect(() => decodeEnvelope(body)).toThrow(new EnvelopeError(message));
  });

  it('names every bad field with its path', () => {
    // Prepare
    const body = JSON.stringify({ ...envelope, attempt: 0, name: 'Bad Name', extra: true });

    // Act
    let caught: unknown;
    try {
      decodeEnvelope(body);
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(EnvelopeError);
    const error = caught as EnvelopeError;
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^Invalid envelope \(job form\): /);
    expect(error.message).toContain('name: must be a job name such as "email.send"');
    expect(error.message).toContain('attempt: Too small: expected number to be >=1');
  });

  // Every invalid fixture, and the reason a producer reads in the DLQ's error-message attribute.
  const JOB_KEYS = Object.keys(jobEnvelopeSchema.shape).join(', ');
  const FIRING_KEYS = Object.keys(firingEnvelopeSchema.shape).join(', ');
  const INVALID_FIXTURE_REASONS: Record<string, string> = {
    'array-body.json': 'Message body is not a JSON object',
    'attempt-fraction.json':
      'Invalid envelope (job form): attempt: Invalid input: expected int, received number',
    'attempt-zero.json': 'Invalid envelope (job form): attempt: Too small: expected number to be >=1',
    'empty-idempotency-key.json':
      'Invalid envelope (job form): idempotencyKey: Too small: expected string to have >=1 characters',
    'enqueued-at-feb-30.json': 'Invalid envelope (job form): enqueuedAt: Invalid ISO datetime',
    'enqueued-at-no-zone.json': 'Invalid envelope (job form): enqueuedAt: Invalid ISO datetime',
    'firing-with-job-id.json': `Invalid envelope (firing form): jobId: is not a known key (known: ${FIRING_KEYS})`,
    'firing-without-execution-id.json': 'Invalid envelope (firing form): firing.executionId: is missing',
    'job-id-with-space.json': 'Invalid envelope (job form): jobId: must be 1–64 letters, digits, "-" or "_"',
    'missing-job-id.json': 'Invalid envelope (job form): jobId: is missing',
    'missing-payload.json': 'Invalid envelope (job form): payload: is missing',
    'name-upper-case.json': 'Invalid envelope (job form): name: must be a job name such as "email.send"',
    'negative-continuation.json':
      'Invalid envelope (job form): continuation: Too small: expected number to be >=0',
    'unknown-field.json': `Invalid envelope (job form): priority: is not a known key (known: ${JOB_KEYS})`,
    'version-2.json': 'Unknown envelope version 2; this worker reads version 1',
    'version-string.json': 'Unknown envelope version "1"; this worker reads version 1',
  };
  const invalidDir = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'envelopes', 'invalid');

  it('has a reason for every invalid fixture', () => {
    expect(readdirSync(invalidDir).sort()).toEqual(Object.keys(INVALID_FIXTURE_REASONS).sort());
  });

  it.each(Object.entries(INVALID_FIXTURE_REASONS))(
    'names what is wrong with %s, against the closest envelope form',
    (file, reason) => {
      const error = catchError(() => decodeEnvelope(readFileSync(join(invalidDir, file), 'utf8')));

      expect(error).toBeInstanceOf(EnvelopeError);
      expect(error).toHaveProperty('message', reason);
    },
  );

  it('names the missing and unknown fields of a first try in another naming style, with field paths', () => {
    // Prepare: snake_case keys, and one the envelope does not have.
    const { jobId, enqueuedAt, ...rest } = envelope;
    const body = JSON.stringify({ ...rest, job_id: jobId, enqueued_at: enqueuedAt, priority: 'high' });

    // Act
    const error = catchError(() => decodeEnvelope(body));

    // Assess
    expect(error).toBeInstanceOf(EnvelopeError);
    expect(error).toMatchObject({
      message: `Invalid envelope (job form): enqueuedAt: is missing; jobId: is missing; job_id: is not a known key; did you mean "jobId"?; enqueued_at: is not a known key; did you mean "enqueuedAt"?; priority: is not a known key (known: ${JOB_KEYS})`,
      issues: [
        { path: 'enqueuedAt', message: 'is missing' },
        { path: 'jobId', message: 'is missing' },
        { path: 'job_id', message: 'is not a known key; did you mean "jobId"?' },
        { path: 'enqueued_at', message: 'is not a known key; did you mean "enqueuedAt"?' },
        { path: 'priority', message: `is not a known key (known: ${JOB_KEYS})` },
      ],
    });
  });

  it('names a nested missing field of a firing by its path', () => {
    const firing = {
      ...envelope,
      jobId: undefined,
      firing: { schedule: 'cleanup-run', execution_id: 'e-1' },
    };

    const error = catchError(() => decodeEnvelope(JSON.stringify(firing)));

    expect(error).toBeInstanceOf(EnvelopeError);
    expect(error).toMatchObject({
      message:
        'Invalid envelope (firing form): firing.executionId: is missing; firing.execution_id: is not a known key; did you mean "executionId"?',
    });
  });

  it('does not overflow on deeply nested payloads', () => {
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const body = encodeEnvelope(envelope).replace('{"to"', `{"deep":${deep},"to"`);
    expect(decodeEnvelope(body).payload).toHaveProperty('deep');
  });
});

describe('Function: encodeEnvelope', () => {
  it('escapes every code unit SQS or fauxqs refuses, and decodes back to the same payload', () => {
    // Prepare
    const subject = 'Launch 🚀 \uFFFE\uFFFF \u0001 lone \uD800 ✓';
    const withUnicode: JobEnvelope = { ...envelope, payload: { subject } };

    // Act
    const body = encodeEnvelope(withUnicode);

    // Assess
    expect(body).not.toMatch(/[^ -\uD7FF\uE000-\uFFFD]/);
    expect(body).toContain('Launch \\ud83d\\ude80 \\ufffe\\uffff \\u0001 lone \\ud800 ✓');
    expect(decodeEnvelope(body).payload).toEqual({ subject });
  });

  it('leaves ordinary text as JSON.stringify writes it', () => {
    expect(encodeEnvelope(envelope)).toBe(JSON.stringify(envelope));
  });
});

describe('Function: firingJobId', () => {
  const scheduledAt = '2026-11-24T03:00:00Z';

  it('is a ULID whose time part is the scheduled time', () => {
    const id = firingJobId(scheduledAt, 'exec-1');
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(id.slice(0, 10)).toBe(firingJobId(scheduledAt, 'exec-2').slice(0, 10));
  });

  it('maps one firing to one id and distinct firings to distinct, time-ordered ids', () => {
    expect(firingJobId(scheduledAt, 'exec-1')).toBe(firingJobId(scheduledAt, 'exec-1'));
    expect(firingJobId(scheduledAt, 'exec-1')).not.toBe(firingJobId(scheduledAt, 'exec-2'));
    expect(firingJobId('2026-11-25T03:00:00Z', 'exec-0') > firingJobId(scheduledAt, 'exec-9')).toBe(true);
  });
});

describe('Function: renderFiring', () => {
  it('fills the template as Scheduler does, and the worker derives the job id from it', () => {
    // Prepare
    const template = encodeFiringTemplate({ name: 'cleanup.run' }, 'cleanup-run', {});
    const at = new Date('2026-11-24T03:00:00.000Z');

    // Act
    const decoded = decodeEnvelope(renderFiring(template, at, 'exec-42'));

    // Assess
    expect(decoded).toEqual({
      version: 1,
      jobId: firingJobId('2026-11-24T03:00:00.000Z', 'exec-42'),
      name: 'cleanup.run',
      payload: {},
      enqueuedAt: '2026-11-24T03:00:00.000Z',
      attempt: 1,
      continuation: 0,
      runAt: '2026-11-24T03:00:00.000Z',
    });
  });
});

describe('Function: decodeEnvelope (fast path)', () => {
  it('accepts exactly what the envelope schema accepts, over generated near-valid envelopes', () => {
    const valid: Record<string, unknown> = { ...envelope };
    // Each field is either a valid value or a plausible mistake, so most cases sit near the boundary.
    const field = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<unknown>) =>
      fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: invalid });
    const stamp = fc
      .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString());
    const envelopeLike = fc.record(
      {
        version: field(fc.constant(1), fc.constantFrom(2, '1', 1.5, null)),
        jobId: field(
          fc.stringMatching(/^[0-9A-Za-z_-]{1,64}$/),
          fc.constantFrom('', 'a b', 'x'.repeat(65), 7),
        ),
        name: field(
          fc.constantFrom('email.send', 'a', 'sync-run.x'),
          fc.constantFrom('Email', 'a.', '.a', 'x'.repeat(72)),
        ),
        payload: fc.jsonValue(),
        enqueuedAt: field(
          stamp,
          fc.constantFrom('2026-02-30T00:00:00Z', '2026-11-23T10:00:00', 'yesterday', 0),
        ),
        attempt: field(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(0, 10_001, 1.5, '1', -1)),
        continuation: field(
          fc.integer({ min: 0, max: 1_000_000 }),
          fc.constantFrom(-1, 1_000_001, 0.5, null),
        ),
        idempotencyKey: field(
          fc.string({ minLength: 1, maxLength: 256 }),
          fc.constantFrom('', 'k'.repeat(257), 5),
        ),
        correlationId: field(fc.string({ minLength: 1, maxLength: 256 }), fc.constantFrom('', 5)),
        runAt: field(stamp, fc.constantFrom('soon', '2026-13-01T00:00:00Z')),
        firing: fc.record({ schedule: fc.constant('cleanup-run'), executionId: fc.uuid() }),
        extra: fc.string(),
      },
      // Usually with every required key (valid cases), sometimes with any subset (missing keys).
      { requiredKeys: [] },
    );
    const required = [
      'version',
      'jobId',
      'name',
      'payload',
      'enqueuedAt',
      'attempt',
      'continuation',
    ] as const;
    const mostlyComplete = fc
      .tuple(envelopeLike, fc.constantFrom(1, 1, 1, 0), fc.boolean(), fc.boolean())
      .map(([candidate, complete, keepFiring, keepExtra]) => {
        const filled: Record<string, unknown> = { ...candidate };
        if (complete) for (const key of required) filled[key] ??= valid[key];
        if (!keepFiring) delete filled.firing;
        if (!keepExtra) delete filled.extra;
        return filled;
      });
    let accepted = 0;
    fc.assert(
      fc.property(mostlyComplete, (candidate) => {
        const body = JSON.stringify(candidate);
        const expected = check(envelopeSchema, JSON.parse(body)).ok;
        let decoded = true;
        try {
          decodeEnvelope(body);
        } catch {
          decoded = false;
        }
        expect(decoded).toBe(expected);
        if (decoded) accepted += 1;
      }),
      { numRuns: 5_000 },
    );
    // The accept path must be exercised, not only the reject path.
    expect(accepted).toBeGreaterThan(250);
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

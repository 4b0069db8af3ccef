import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  EnvelopeError,
  encodeEnvelope,
  encodeFiringTemplate,
  firingJobId,
  type JobEnvelope,
  renderFiring,
} from '../../lib/index.js';

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
    expect(error.message).toMatch(/^Invalid envelope: /);
    expect(error.message).toContain('name: must be a job name such as "email.send"');
    expect(error.message).toContain('attempt: Too small: expected number to be >=1');
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
    });
  });
});

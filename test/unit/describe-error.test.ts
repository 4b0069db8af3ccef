import { describe, expect, it } from 'vitest';
import { ERROR_CODES, JobError, PermanentJobError } from '../../lib/index.js';
import { describeError } from '../../lib/worker/describe-error.js';
import { WORKER_RULES } from '../../lib/worker/index.js';

describe('Function: describeError', () => {
  it.each([
    {
      thrown: new PermanentJobError('rejected', { code: 'MESSAGE_REJECTED' }),
      code: 'MESSAGE_REJECTED',
      message: 'rejected',
    },
    { thrown: new JobError('plain'), code: ERROR_CODES.job, message: 'plain' },
    { thrown: new TypeError('not a function'), code: 'TypeError', message: 'not a function' },
    { thrown: 'a string', code: 'NonErrorThrown', message: 'a string' },
    { thrown: { status: 503 }, code: 'NonErrorThrown', message: '{"status":503}' },
  ])('names $code for $thrown', ({ thrown, code, message }) => {
    // Act
    const described = describeError(thrown);

    // Assess
    expect(described).toEqual({ code, message });
  });

  it('stands in for an empty name and an empty message', () => {
    // Prepare
    const error = new Error('');
    error.name = '';

    // Act
    const described = describeError(error);

    // Assess
    expect(described).toEqual({ code: 'Error', message: '(no message)' });
  });

  it('describes a value JSON cannot serialize by its string form', () => {
    // Prepare
    const circular: { self?: unknown } = {};
    circular.self = circular;

    // Act
    const described = describeError(circular);

    // Assess
    expect(described).toEqual({ code: 'NonErrorThrown', message: '[object Object]' });
  });

  it('cuts the message and the code to their named limits', () => {
    // Prepare
    const error = new Error('m'.repeat(WORKER_RULES.maxReasonLength + 10));
    error.name = 'N'.repeat(WORKER_RULES.maxErrorCodeLength + 10);

    // Act
    const described = describeError(error);

    // Assess
    expect(described).toEqual({
      code: 'N'.repeat(WORKER_RULES.maxErrorCodeLength),
      message: 'm'.repeat(WORKER_RULES.maxReasonLength),
    });
  });
});

import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ConfigError } from '../../lib/index.js';
import { backoffDelay } from '../../lib/retry/backoff.js';
import { readEnv } from '../../lib/worker/index.js';

describe('Function: backoffDelay', () => {
  it.each([
    [1, 1, 2],
    [2, 2, 4],
    [3, 4, 8],
    [4, 8, 16],
  ])('puts retry %i between %i and %i with base 2', (retry, low, high) => {
    expect(backoffDelay(retry, 2, 300, () => 0)).toBe(low);
    expect(backoffDelay(retry, 2, 300, () => 1)).toBe(high);
  });

  it('never exceeds the cap', () => {
    expect(backoffDelay(30, 2, 300, () => 1)).toBe(300);
    expect(backoffDelay(30, 2, 300, () => 0)).toBe(150);
  });
});

describe('Function: readEnv', () => {
  const shape = { TABLE: z.string().check(z.minLength(1)), PORT: z.pipe(z.string(), z.transform(Number)) };

  it('returns typed values', () => {
    expect(readEnv(shape, { TABLE: 't', PORT: '8000' })).toEqual({ TABLE: 't', PORT: 8000 });
  });

  it('names every missing or malformed variable', () => {
    expect(() => readEnv(shape, { TABLE: '' })).toThrow(
      new ConfigError(
        'Invalid environment: TABLE is invalid: Too small: expected string to have >=1 characters; PORT is not set',
      ),
    );
  });
});

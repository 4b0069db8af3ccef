import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { globalConfig } from 'zod/v4/core';
import { ConfigError } from '../../../lib/errors.js';
import { anyOption, checkOptions, functionOption, type OptionsShape } from '../../../lib/options.js';
import { check } from '../../../lib/validation.js';

interface SampleOptions {
  readonly tableName: string;
  readonly retentionSeconds?: number;
  readonly client?: object;
  readonly now?: () => Date;
  readonly nested?: { readonly timeoutSeconds?: number };
}

const SCHEMA = z.strictObject({
  tableName: z.string(),
  retentionSeconds: z.optional(z.int()),
  client: anyOption,
  now: functionOption,
  nested: z.optional(z.strictObject({ timeoutSeconds: z.optional(z.int()) })),
} satisfies OptionsShape<SampleOptions>);

describe('Function: checkOptions', () => {
  it('returns the options as given, instances untouched', () => {
    // Prepare
    const client = { send: () => undefined };
    const options: SampleOptions = { tableName: 't', client };

    // Act
    const checked = checkOptions('Sample', SCHEMA, options);

    // Assess
    expect(checked).toBe(options);
    expect(checked.client).toBe(client);
  });

  it.each([
    [{ tableName: 't', tableNme: 'x' }, 'tableNme: is not a known key; did you mean "tableName"?'],
    // A prefix of a known key is its likeliest meaning, though edit distance ranks "client" nearer.
    [{ tableName: 't', retention: 1 }, 'retention: is not a known key; did you mean "retentionSeconds"?'],
    [
      { tableName: 't', nested: { timeout: 1 } },
      'nested.timeout: is not a known key; did you mean "timeoutSeconds"?',
    ],
    [
      { tableName: 't', zzz: 1 },
      'zzz: is not a known key (known: tableName, retentionSeconds, client, now, nested)',
    ],
    [{ tableName: 't', now: 'yesterday' }, 'now: must be a function'],
  ])('rejects %j naming the key', (options, problem) => {
    expect(() => checkOptions('Sample', SCHEMA, options as SampleOptions)).toThrow(
      new ConfigError(`Invalid Sample options: ${problem}`),
    );
  });
});

describe('Function: check', () => {
  it('names each unknown key of a non-strict caller at its own path', () => {
    // Act
    const result = check(z.strictObject({ a: z.string() }), { a: 'x', b: 1, c: 2 }, 'payload');

    // Assess
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: 'payload.b', message: 'is not a known key (known: a)' },
        { path: 'payload.c', message: 'is not a known key (known: a)' },
      ],
    });
  });
});

describe('Zod configuration (lib/validation.ts)', () => {
  it('parses without generated code: no parser is compiled at a cold start', () => {
    expect(globalConfig.jitless).toBe(true);
  });
});

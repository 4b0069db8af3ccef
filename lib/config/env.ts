import type { $ZodType, output } from 'zod/v4/core';
import { ConfigError } from '../errors.js';
import { check } from '../validation.js';

type EnvShape = Record<string, $ZodType<unknown, string | undefined>>;

/**
 * Reads and validates environment variables once, at module scope, so a missing or malformed
 * value fails the cold start with the variable's name instead of the first request.
 *
 * @throws {ConfigError} naming every missing or malformed variable.
 * @example
 * const env = readEnv({ SENDER_EMAIL: z.email(), LEDGER_TABLE: z.string().check(z.minLength(1)) });
 */
export function readEnv<S extends EnvShape>(
  shape: S,
  source: Readonly<Record<string, string | undefined>> = process.env,
): { [K in keyof S]: output<S[K]> } {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(shape)) {
    const raw = source[name];
    const result = check(schema, raw);
    if (result.ok) values[name] = result.value;
    else
      problems.push(
        raw === undefined
          ? `${name} is not set`
          : `${name} is invalid: ${result.issues.map((i) => i.message).join('; ')}`,
      );
  }
  if (problems.length > 0) throw new ConfigError(`Invalid environment: ${problems.join('; ')}`);
  return values as { [K in keyof S]: output<S[K]> };
}

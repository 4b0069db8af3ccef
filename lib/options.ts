/**
 * Options objects of the framework's classes and functions (`JobClient`, `DynamoJobLedger`,
 * `JobService`, `startLocal`, …) are checked by one strict schema each, as Middy checks its
 * options: an unknown key fails loudly and names the closest known one, so `tableNme` cannot
 * silently fall back to a default. The schema's keys are held to the options type by the compiler.
 */
import * as z from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import { ConfigError } from './errors.js';
import { check, describeIssues } from './validation.js';

/**
 * The shape of an options schema: exactly the keys of `T`. Written as `{ … } satisfies
 * OptionsShape<T>`, a key added to the type and not to the schema, or the other way round, does
 * not compile — so there is no list of keys to keep beside the type.
 */
export type OptionsShape<T> = { readonly [K in keyof Required<T>]: $ZodType };

/** An option checked only for being there (a client, a logger): its type is the options type's. */
export const anyOption = z.optional(z.unknown());

/** An optional function option (a clock, an id factory). */
export const functionOption = z.optional(
  z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'must be a function'),
);

/**
 * Checks `options` against its strict schema and returns them as given (instances stay the same
 * objects; defaults are applied by the owner).
 *
 * @throws {ConfigError} naming every unknown key (with the closest known one) and every bad value.
 * @example
 * const SHAPE = { tableName: z.string(), now: functionOption } satisfies OptionsShape<LedgerOptions>;
 * checkOptions('DynamoJobLedger', z.strictObject(SHAPE), options);
 */
export function checkOptions<T>(owner: string, schema: $ZodType, options: T): T {
  const result = check(schema, options ?? {});
  if (!result.ok) throw new ConfigError(`Invalid ${owner} options: ${describeIssues(result.issues)}`);
  return options;
}

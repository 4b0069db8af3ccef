import { config, safeParse } from 'zod/mini';
import type { $ZodIssue, $ZodType } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';
import type { ValidationIssue } from './errors.js';

// zod/mini ships without messages ("Invalid input" for everything); our errors name what is wrong,
// so load the English locale once. Classic zod loads the same one by default.
config(en());

/** Turns a zod issue path into the dotted field path our errors carry (`to.0`, or `(root)`). */
export function formatPath(path: readonly PropertyKey[], prefix?: string): string {
  const parts = [prefix, ...path.map(String)].filter((p): p is string => p !== undefined && p !== '');
  return parts.length === 0 ? '(root)' : parts.join('.');
}

export function toValidationIssues(issues: readonly $ZodIssue[], prefix?: string): ValidationIssue[] {
  return issues.map((issue) => ({ path: formatPath(issue.path, prefix), message: issue.message }));
}

export type CheckResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/** Parses `data` with any zod schema (classic or mini) and returns issues with dotted paths. */
export function check<T>(schema: $ZodType<T>, data: unknown, prefix?: string): CheckResult<T> {
  const result = safeParse(schema, data);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, issues: toValidationIssues(result.error.issues, prefix) };
}

/** One line naming every issue: `to.0: Invalid email; subject: Required`. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

import { closest, distance } from 'fastest-levenshtein';
import { config, safeParse } from 'zod/mini';
import type { $ZodIssue, $ZodType } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';
import type { ValidationIssue } from './errors.js';

// zod/mini ships without messages ("Invalid input" for everything); our errors name what is wrong,
// so load the English locale once. Classic zod loads the same one by default.
config(en());
// No generated parsers: zod otherwise writes and compiles (`new Function`) a parser for each object
// schema at its first parse. A function's cold start parses half a dozen schemas once each (job
// declaration, options, envelope, payload) and paid for every one; warm, the generic parser costs
// the same per record on our payloads (bench: workerOverhead 2.32 vs 2.32 µs per record).
config({ jitless: true });

/** Turns a zod issue path into the dotted field path our errors carry (`to.0`, or `(root)`). */
export function formatPath(path: readonly PropertyKey[], prefix?: string): string {
  const parts = [prefix, ...path.map(String)].filter((p): p is string => p !== undefined && p !== '');
  return parts.length === 0 ? '(root)' : parts.join('.');
}

/**
 * Our issues from zod's. An unknown key becomes an issue of its own at its path, naming the closest
 * key the object does know when `schema` is given — a typo such as `timeout` says `timeoutSeconds`.
 */
export function toValidationIssues(
  issues: readonly $ZodIssue[],
  prefix?: string,
  schema?: $ZodType,
): ValidationIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'unrecognized_keys') {
      return [{ path: formatPath(issue.path, prefix), message: issue.message }];
    }
    const known = schema === undefined ? [] : knownKeys(schema, issue.path);
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key], prefix),
      message: unknownKeyMessage(key, known),
    }));
  });
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  if (known.length === 0) return 'is not a known key';
  const suggestion = closestKey(key, known);
  return suggestion === undefined
    ? `is not a known key (known: ${known.join(', ')})`
    : `is not a known key; did you mean "${suggestion}"?`;
}

/**
 * The known key a typo most likely meant: one that contains it or is contained in it (`timeout` →
 * `timeoutSeconds`, which edit distance alone would rank below `name`), else the nearest by edit
 * distance when it is near enough to be a typo at all.
 */
function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const related = known.filter((k) => k.toLowerCase().includes(lower) || lower.includes(k.toLowerCase()));
  if (related.length > 0) return closest(key, related);
  const nearest = closest(key, [...known]);
  const edits = distance(key, nearest);
  return edits < key.length && edits <= Math.max(1, Math.floor(key.length / 3)) ? nearest : undefined;
}

/** The keys of the object schema found at `path` inside `schema` (through arrays, records and wrappers). */
function knownKeys(schema: $ZodType, path: readonly PropertyKey[]): string[] {
  let current = unwrap(schema);
  for (const segment of path) current = unwrap(child(current, String(segment)));
  const def = current?._zod.def as SchemaDef | undefined;
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

/** The parts of zod's schema definitions this walk reads. */
interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, $ZodType>;
  readonly element?: $ZodType;
  readonly valueType?: $ZodType;
  readonly innerType?: $ZodType;
  readonly in?: $ZodType;
}

function child(schema: $ZodType | undefined, segment: string): $ZodType | undefined {
  const def = schema?._zod.def as SchemaDef | undefined;
  if (def?.type === 'object') return def.shape?.[segment];
  if (def?.type === 'array') return def.element;
  if (def?.type === 'record') return def.valueType;
  return undefined;
}

/** Through optional, nullable, default and pipe (`z.extend`, transforms) to the schema that holds the shape. */
function unwrap(schema: $ZodType | undefined): $ZodType | undefined {
  let current = schema;
  for (;;) {
    const def = current?._zod.def as SchemaDef | undefined;
    const inner = def?.innerType ?? def?.in;
    if (inner === undefined) return current;
    current = inner;
  }
}

export type CheckResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/** Parses `data` with any zod schema (classic or mini) and returns issues with dotted paths. */
export function check<T>(schema: $ZodType<T>, data: unknown, prefix?: string): CheckResult<T> {
  const result = safeParse(schema, data);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, issues: toValidationIssues(result.error.issues, prefix, schema) };
}

/** One line naming every issue: `to.0: Invalid email; subject: Required`. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

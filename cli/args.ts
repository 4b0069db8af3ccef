/** Parsers for option values: each fails with a `UsageError` (exit 2) that names the option. */
import { readFile } from 'node:fs/promises';
import { JOB_STATUSES, type JobDefinition, type JobRegistry, type JobStatus } from '../lib/index.js';
import { UsageError } from './errors.js';

export function parseInteger(option: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(`${option} must be a whole number from ${min} to ${max}; got "${raw}"`);
  return value;
}

export function parsePositiveNumber(option: string, raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0)
    throw new UsageError(`${option} must be a number above 0; got "${raw}"`);
  return value;
}

const DURATION = /^(\d+(?:\.\d+)?)(s|m|h|d)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/**
 * `--older-than`: a duration back from now (`90s`, `30m`, `2h`, `7d`) or an ISO 8601 instant.
 * @returns the cut-off instant.
 */
export function parseOlderThan(raw: string, now: Date): Date {
  const match = DURATION.exec(raw.trim());
  if (match) {
    const seconds = Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
    return new Date(now.getTime() - seconds * 1000);
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(raw)) {
    const at = Date.parse(raw);
    if (!Number.isNaN(at)) return new Date(at);
  }
  throw new UsageError(
    `--older-than must be a duration such as 30m, 2h or 7d, or an ISO time such as 2026-11-23T10:00:00Z; got "${raw}"`,
  );
}

export function parseInstant(option: string, raw: string): string {
  const at = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(at))
    throw new UsageError(`${option} must be an ISO 8601 time such as 2026-11-23T10:00:00Z; got "${raw}"`);
  return new Date(at).toISOString();
}

/** Repeatable, comma-separated list options (`--ids a,b --ids c`). */
export function splitList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const items = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

export function parseStatus(raw: string): JobStatus {
  if (!(JOB_STATUSES as readonly string[]).includes(raw))
    throw new UsageError(`--status must be one of ${JOB_STATUSES.join(', ')}; got "${raw}"`);
  return raw as JobStatus;
}

/** A job argument: a registered job name (`email.send`). */
export function parseJob(registry: JobRegistry, raw: string): JobDefinition {
  const job = registry.find(raw);
  if (!job) {
    throw new UsageError(`Unknown job "${raw}"; jobs: ${registry.names.join(', ')}`);
  }
  return job;
}

/** `send`'s payload: inline JSON, or `@path` to read it from a file. */
export async function readJsonArgument(raw: string): Promise<unknown> {
  let text = raw;
  let source = 'the payload argument';
  if (raw.startsWith('@')) {
    source = raw.slice(1);
    try {
      text = await readFile(source, 'utf8');
    } catch (cause) {
      throw new UsageError(`Cannot read payload file "${source}": ${(cause as Error).message}`, { cause });
    }
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new UsageError(`${source} is not JSON: ${(cause as Error).message}`, { cause });
  }
}

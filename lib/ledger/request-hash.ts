import { createHash } from 'node:crypto';
import type { EnqueueRequest } from '../jobs/enqueue.js';

/**
 * The fingerprint an idempotency key guards: job name, payload and timing, with object keys in
 * a canonical order, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. The key itself
 * and the correlation id are not part of it (a retry may carry a new correlation id).
 */
export function requestHash(request: EnqueueRequest): string {
  const name = typeof request.job === 'string' ? request.job : request.job.name;
  const runAt =
    request.runAt === undefined
      ? undefined
      : // Validated before hashing; normalised so that `…00Z` and `…00.000Z` are one time.
        new Date(request.runAt).toISOString();
  const fingerprint = canonicalJson({
    name,
    payload: request.payload,
    delaySeconds: request.delaySeconds,
    runAt,
  });
  return createHash('sha256').update(fingerprint).digest('hex');
}

/** JSON with object keys sorted at every level; `undefined` members are left out, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

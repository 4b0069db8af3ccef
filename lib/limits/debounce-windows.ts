/**
 * Debounce windows: one item per key holding the pending job's id, the last payload and when it
 * starts. An enqueue while the window is open (its job not yet started) replaces the payload and
 * pushes the start back by `seconds`, never beyond `maxWaitSeconds` after the first enqueue; an
 * enqueue after the start opens a new window with a new job. The worker takes the window when its
 * start has come (one conditional write) and runs the last payload. Every write is conditional on
 * the version read, so concurrent producers and the worker never lose each other's writes.
 */
import { EnqueueError } from '../errors.js';
import { Expression } from '../ledger/expressions.js';
import type { RecordTable } from '../ledger/record-table.js';
import {
  LIMIT_ATTRIBUTES as A,
  expiryAfter,
  LIMIT_KINDS,
  limitKey,
  numberOf,
  textOf,
} from './limit-items.js';
import { LIMIT_RULES } from './options.js';

export interface DebounceEnqueue {
  readonly jobName: string;
  readonly key: string;
  /** The id a new window's job gets. */
  readonly jobId: string;
  readonly payload: unknown;
  readonly seconds: number;
  readonly maxWaitSeconds: number;
}

export interface DebounceAnswer {
  /** The window's job: the new one, or the one this enqueue joined. */
  readonly jobId: string;
  /** Whether this enqueue opened the window (its message must be sent). */
  readonly opened: boolean;
  /** Epoch ms the job starts at, as of this enqueue. */
  readonly runAt: number;
}

export async function joinWindow(
  table: RecordTable,
  request: DebounceEnqueue,
  pause: () => Promise<void>,
): Promise<DebounceAnswer> {
  const key = limitKey(request.jobName, request.key, LIMIT_KINDS.debounce);
  const payload = JSON.stringify(request.payload);
  for (let round = 1; round <= LIMIT_RULES.contentionRounds; round++) {
    const item = await table.get(key);
    const now = table.now().getTime();
    const version = numberOf(item, A.version);
    const open = item !== undefined && numberOf(item, A.startedAt) === undefined;
    const e = new Expression();
    if (open) {
      const jobId = textOf(item, A.jobId) ?? '';
      const firstAt = numberOf(item, A.firstAt) ?? now;
      const runAt = Math.min(now + request.seconds * 1000, firstAt + request.maxWaitSeconds * 1000);
      e.set(A.payload, payload).set(A.runAt, runAt).set(A.expiresAt, expiryAfter(runAt)).add(A.version, 1);
      if (await table.update(key, e, e.eq(A.version, version))) return { jobId, opened: false, runAt };
    } else {
      const runAt = now + request.seconds * 1000;
      const next = {
        ...key,
        [A.jobId]: request.jobId,
        [A.firstAt]: now,
        [A.runAt]: runAt,
        [A.payload]: payload,
        [A.version]: (version ?? 0) + 1,
        [A.expiresAt]: expiryAfter(runAt),
      };
      const condition = version === undefined ? e.notExists(A.partitionKey) : e.eq(A.version, version);
      if (await table.put(next, condition, e)) return { jobId: request.jobId, opened: true, runAt };
    }
    await pause();
  }
  throw new EnqueueError(
    `Debounce key of job "${request.jobName}" is contended by other producers; try again`,
    { retryable: true },
  );
}

export type WindowState =
  /** No window names this job (sent straight to SQS, or a later window replaced it): run it as sent. */
  | { readonly state: 'none' }
  /** The window's start is still `waitMs` away. */
  | { readonly state: 'waiting'; readonly waitMs: number }
  /** Taken (now or by an earlier delivery): run the window's last payload. */
  | { readonly state: 'started'; readonly payload: unknown };

/** Takes the window of `jobId` once its start has come; undefined when another write raced it (read again). */
export async function takeWindow(
  table: RecordTable,
  jobName: string,
  key: string,
  jobId: string,
): Promise<WindowState | undefined> {
  const itemKey = limitKey(jobName, key, LIMIT_KINDS.debounce);
  const item = await table.get(itemKey);
  if (item === undefined || textOf(item, A.jobId) !== jobId) return { state: 'none' };
  const payload: unknown = JSON.parse(textOf(item, A.payload) ?? 'null');
  if (numberOf(item, A.startedAt) !== undefined) return { state: 'started', payload };
  const now = table.now().getTime();
  const runAt = numberOf(item, A.runAt) ?? now;
  if (runAt > now) return { state: 'waiting', waitMs: runAt - now };
  const e = new Expression();
  e.set(A.startedAt, now).add(A.version, 1);
  const taken = await table.update(itemKey, e, e.eq(A.version, numberOf(item, A.version)));
  return taken ? { state: 'started', payload } : undefined;
}

/**
 * The chaos job's side-effect log, kept apart from the ledger: one JSON line per event, appended
 * synchronously, so an event either landed before a thread was terminated or never did. Each
 * thread writes its own file, so concurrent appends never interleave.
 */
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { ChaosFault } from './job.js';

/**
 * `effect`: the job's one side effect. `keyed-start`/`keyed-end`: a keyed job's run holds its
 * slot between the two. Every other kind notes that a planned fault fired.
 */
export type ChaosEventKind = 'effect' | 'keyed-start' | 'keyed-end' | Exclude<ChaosFault, 'none'>;

export interface ChaosEvent {
  readonly kind: ChaosEventKind;
  readonly jobId: string;
  readonly n: number;
  readonly attempt: number;
  /** Keyed jobs: the key, and when (epoch ms, one clock for all threads of the run). */
  readonly key?: string;
  readonly at?: number;
}

const PREFIX = 'events-';

export function recordEvent(dir: string, event: ChaosEvent): void {
  appendFileSync(join(dir, `${PREFIX}${process.pid}-${threadId}.jsonl`), `${JSON.stringify(event)}\n`);
}

export function readEvents(dir: string): ChaosEvent[] {
  const events: ChaosEvent[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.startsWith(PREFIX)) continue;
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line !== '') events.push(JSON.parse(line) as ChaosEvent);
    }
  }
  return events;
}

/**
 * True the first time it is asked for a job and kind, false ever after (an exclusive create of a
 * marker file, so two threads cannot both be first). A planned fault fires on the job's first run,
 * which is not always its attempt 1: an attempt is also spent by a receive whose answer was lost.
 */
export function firstRun(dir: string, jobId: string, kind: Exclude<ChaosFault, 'none'>): boolean {
  try {
    writeFileSync(join(dir, `first-${kind}-${jobId}`), '', { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * The chaos job's side-effect log, kept apart from the ledger: one JSON line per event, appended
 * synchronously, so an event either landed before a thread was terminated or never did. Each
 * thread writes its own file, so concurrent appends never interleave.
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { ChaosFault } from './job.js';

/** `effect`: the job's one side effect. Every other kind notes that a planned fault fired. */
export type ChaosEventKind = 'effect' | Exclude<ChaosFault, 'none'>;

export interface ChaosEvent {
  readonly kind: ChaosEventKind;
  readonly jobId: string;
  readonly n: number;
  readonly attempt: number;
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

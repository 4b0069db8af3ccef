/**
 * A job's timeline, built from what its ledger record holds — its timestamps, last error,
 * progress and continuation count. Nothing extra is written for it; a record keeps only the latest
 * of each kind of moment, so the timeline shows those (not every attempt).
 */
import type { JobRecord } from '../../lib/ledger/index.js';
import type { TimelineEvent } from '../shared/api.js';

const FINISHED: Readonly<Record<string, { label: string; tone: TimelineEvent['tone'] }>> = {
  succeeded: { label: 'Succeeded', tone: 'good' },
  dead: { label: 'Dead-lettered', tone: 'bad' },
  cancelled: { label: 'Cancelled', tone: 'info' },
};

/** Oldest first; moments without a time are left out. */
export function buildTimeline(record: JobRecord): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const add = (at: string | undefined, event: Omit<TimelineEvent, 'at'>) => {
    if (at) events.push({ at, ...event });
  };
  add(record.createdAt, { label: 'Recorded', tone: 'info' });
  if (record.enqueuedAt !== record.createdAt) add(record.enqueuedAt, { label: 'Enqueued', tone: 'info' });
  add(record.runAt, { label: 'Runs at', detail: 'one-time schedule', tone: 'wait' });
  add(record.startedAt, {
    label: record.attempts > 1 ? `Attempt ${record.attempts} started` : 'Started',
    ...(record.continuation > 0 ? { detail: `continuation ${record.continuation}` } : {}),
    tone: 'info',
  });
  if (record.lastError) {
    add(record.lastError.at, {
      label: 'Failed',
      detail: `${record.lastError.code}: ${record.lastError.message}`,
      tone: 'bad',
    });
  }
  add(record.retryAt, { label: 'Retries at', detail: `attempt ${record.attempts + 1}`, tone: 'wait' });
  const finished = FINISHED[record.status];
  if (finished) {
    add(record.finishedAt ?? record.updatedAt, {
      ...finished,
      ...(record.status === 'cancelled' ? {} : { detail: `after ${record.attempts} attempt(s)` }),
    });
  } else if (record.updatedAt !== record.createdAt) {
    add(record.updatedAt, {
      label: `Now ${record.status}`,
      ...(record.progress ? { detail: `progress ${JSON.stringify(record.progress)}` } : {}),
      tone: record.status === 'retrying' ? 'wait' : 'info',
    });
  }
  return events.sort((a, b) => a.at.localeCompare(b.at));
}

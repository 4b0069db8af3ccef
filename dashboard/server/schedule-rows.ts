/**
 * What the schedules page adds to a recurring schedule: its next firings, computed by the same
 * evaluator the local scheduler fires by, and its last firing's job. A firing's job id is a ULID
 * whose time is the scheduled time (`firingJobId`), so the last firing is the newest record of the
 * job whose id's time is one of the schedule's firing times. No extra ledger writes are needed; the
 * search covers the job's newest records only, and a "run now" (fired off the schedule's grid) does
 * not count as a scheduled firing.
 */
import { decodeTime } from 'ulid';
import type { RecurringScheduleView } from '../../cli/schedules.js';
import type { JobRecord } from '../../lib/ledger/index.js';
import { type CompiledSchedule, compileSchedule } from '../../local/schedule-expression.js';
import type { ScheduleRow } from '../shared/api.js';

export function scheduleRow(
  schedule: RecurringScheduleView,
  newestRecords: readonly JobRecord[],
  now: Date,
  nextCount: number,
): ScheduleRow {
  const { input: _input, messageGroupId: _group, ...view } = schedule;
  let compiled: CompiledSchedule;
  try {
    compiled = compileSchedule(schedule.expression, schedule.timeZone, new Date(schedule.createdAt ?? now));
  } catch (error) {
    return {
      ...view,
      next: [],
      lastFiring: null,
      problem: error instanceof Error ? error.message : String(error),
    };
  }
  const next: string[] = [];
  for (let at = compiled.next(now); at && next.length < nextCount; at = compiled.next(at)) {
    next.push(at.toISOString());
  }
  const last = newestRecords.find((record) => isFiringOf(compiled, record.jobId));
  return {
    ...view,
    next,
    lastFiring: last ? { at: new Date(decodeTime(last.jobId)).toISOString(), job: last } : null,
  };
}

function isFiringOf(schedule: CompiledSchedule, jobId: string): boolean {
  let at: number;
  try {
    at = decodeTime(jobId);
  } catch {
    return false;
  }
  return schedule.next(new Date(at - 1))?.getTime() === at;
}

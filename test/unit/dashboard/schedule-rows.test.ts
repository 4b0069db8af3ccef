import { describe, expect, it } from 'vitest';
import type { RecurringScheduleView } from '../../../cli/schedules.js';
import { scheduleRow } from '../../../dashboard/server/schedule-rows.js';
import { firingJobId } from '../../../lib/deploy/index.js';
import type { JobRecord } from '../../../lib/ledger/index.js';

const NOW = new Date('2026-11-23T12:00:30.000Z');
const view = (expression: string, timeZone = 'UTC', createdAt?: string): RecurringScheduleView => ({
  name: 'tick-run',
  job: 'tick.run',
  expression,
  timeZone,
  state: 'ENABLED',
  payload: {},
  input: '{}',
  messageGroupId: undefined,
  createdAt,
});
const recordOf = (jobId: string, status: JobRecord['status'] = 'succeeded'): JobRecord => ({
  jobId,
  name: 'tick.run',
  status,
  attempts: 1,
  claims: 1,
  continuation: 0,
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
  expiresAt: NOW.toISOString(),
});

describe('Function: scheduleRow', () => {
  it('lists the next firings as Scheduler fires them: cron in its zone, rate from its creation', () => {
    // Act
    const cron = scheduleRow(view('cron(0 3 * * ? *)', 'Europe/Berlin'), [], NOW, 3);
    const rate = scheduleRow(view('rate(2 hours)', 'UTC', '2026-11-23T11:15:00.000Z'), [], NOW, 2);

    // Assess
    expect(cron.next).toEqual([
      '2026-11-24T02:00:00.000Z',
      '2026-11-25T02:00:00.000Z',
      '2026-11-26T02:00:00.000Z',
    ]);
    expect(rate.next).toEqual(['2026-11-23T13:15:00.000Z', '2026-11-23T15:15:00.000Z']);
    expect(cron).not.toHaveProperty('input');
  });

  it('finds the last scheduled firing among the newest records by its job id’s time, not a run-now', () => {
    // Prepare: newest first — a run-now (off the grid), an API job, then last night's firing.
    const firing = firingJobId('2026-11-23T02:00:00.000Z', 'exec-1');
    const records = [
      recordOf(firingJobId('2026-11-23T11:59:59.123Z', 'run-now')),
      recordOf('01KRAW0000000000000000000A'),
      recordOf(firing, 'dead'),
    ];

    // Act
    const row = scheduleRow(view('cron(0 3 * * ? *)', 'Europe/Berlin'), records, NOW, 1);

    // Assess
    expect(row.lastFiring).toEqual({ at: '2026-11-23T02:00:00.000Z', job: records[2] });
  });

  it('says why, when the expression cannot be evaluated', () => {
    // Act
    const row = scheduleRow(view('cron(0 3 * * * *)'), [], NOW, 5);

    // Assess
    expect(row.next).toEqual([]);
    expect(row.lastFiring).toBeNull();
    expect(row.problem).toMatch(/^Unsupported schedule expression "cron\(0 3 \* \* \* \*\)": /);
  });
});

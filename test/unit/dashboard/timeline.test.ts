import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../dashboard/server/timeline.js';
import type { JobRecord } from '../../../lib/ledger/index.js';

const base: JobRecord = {
  jobId: '01KRAW0000000000000000000A',
  name: 'fault.run',
  status: 'queued',
  attempts: 0,
  claims: 0,
  continuation: 0,
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
  enqueuedAt: '2026-11-23T10:00:00.000Z',
  expiresAt: '2026-12-23T10:00:00.000Z',
};

describe('Function: buildTimeline', () => {
  it.each([
    ['a queued job', base, [['2026-11-23T10:00:00.000Z', 'Recorded', undefined]]],
    [
      'a job dead after two attempts',
      {
        ...base,
        status: 'dead',
        attempts: 2,
        claims: 2,
        startedAt: '2026-11-23T10:00:05.000Z',
        finishedAt: '2026-11-23T10:00:06.000Z',
        updatedAt: '2026-11-23T10:00:06.000Z',
        lastError: { code: 'FAULT_ON', message: 'The fault is on', at: '2026-11-23T10:00:06.000Z' },
      },
      [
        ['2026-11-23T10:00:00.000Z', 'Recorded', undefined],
        ['2026-11-23T10:00:05.000Z', 'Attempt 2 started', undefined],
        ['2026-11-23T10:00:06.000Z', 'Failed', 'FAULT_ON: The fault is on'],
        ['2026-11-23T10:00:06.000Z', 'Dead-lettered', 'after 2 attempt(s)'],
      ],
    ],
    [
      'a retrying job with progress, continued once',
      {
        ...base,
        status: 'retrying',
        attempts: 1,
        continuation: 1,
        startedAt: '2026-11-23T10:00:05.000Z',
        retryAt: '2026-11-23T10:00:10.000Z',
        updatedAt: '2026-11-23T10:00:07.000Z',
        progress: { page: 3 },
        lastError: { code: 'TIMEOUT', message: 'slow', at: '2026-11-23T10:00:07.000Z' },
      },
      [
        ['2026-11-23T10:00:00.000Z', 'Recorded', undefined],
        ['2026-11-23T10:00:05.000Z', 'Started', 'continuation 1'],
        ['2026-11-23T10:00:07.000Z', 'Failed', 'TIMEOUT: slow'],
        ['2026-11-23T10:00:07.000Z', 'Now retrying', 'progress {"page":3}'],
        ['2026-11-23T10:00:10.000Z', 'Retries at', 'attempt 2'],
      ],
    ],
    [
      'a job waiting for its run-at time',
      { ...base, status: 'scheduled', runAt: '2026-11-24T08:00:00.000Z' },
      [
        ['2026-11-23T10:00:00.000Z', 'Recorded', undefined],
        ['2026-11-24T08:00:00.000Z', 'Runs at', 'one-time schedule'],
      ],
    ],
  ] as const)('builds %s from its record alone, oldest first', (_label, record, expected) => {
    // Act
    const timeline = buildTimeline(record as JobRecord);

    // Assess
    expect(timeline.map((e) => [e.at, e.label, e.detail])).toEqual(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { EmfCollector, metricsLog } from '../../../dashboard/server/metrics/emf-collector.js';
import { METRIC_NAMES, serviceName } from '../../../lib/deploy/index.js';
import { InvocationMetrics } from '../../../lib/worker/emf.js';
import { dashboardTestRegistry, faultRun, tickRun } from '../../fixtures/dashboard/jobs.js';

const NOW = new Date('2026-11-23T12:00:30.000Z');
const minute = (iso: string) => Date.parse(iso);

/** The EMF lines a worker of `job` writes for one invocation, as `lib/worker/emf.ts` writes them. */
function linesOf(
  job: string,
  counts: { succeeded?: number; retried?: number; deadLettered?: number },
  at: number,
  withJobName = true,
) {
  const lines: string[] = [];
  const metrics = new InvocationMetrics({
    service: serviceName('local', job),
    jobName: withJobName ? job : undefined,
    disabled: false,
    write: (line) => lines.push(line.trimEnd()),
  });
  for (let i = 0; i < (counts.succeeded ?? 0); i++) metrics.count(METRIC_NAMES.succeeded);
  for (let i = 0; i < (counts.retried ?? 0); i++) metrics.count(METRIC_NAMES.retried);
  for (let i = 0; i < (counts.deadLettered ?? 0); i++) metrics.count(METRIC_NAMES.deadLettered);
  metrics.duration(12);
  metrics.flush(at);
  return lines;
}

describe('Class: EmfCollector', () => {
  it('counts the workers’ EMF lines per minute, summed over jobs, by jobName or else by service', async () => {
    // Prepare
    const collector = new EmfCollector(dashboardTestRegistry, 'local');
    const lines = [
      ...linesOf(faultRun.name, { succeeded: 2, retried: 1 }, minute('2026-11-23T11:59:10.000Z')),
      ...linesOf(tickRun.name, { succeeded: 1 }, minute('2026-11-23T11:59:50.000Z'), false),
      ...linesOf(faultRun.name, { deadLettered: 1 }, minute('2026-11-23T12:00:01.000Z')),
      // Not ours: a log line, another namespace, another stage's service, broken JSON.
      '{"level":"INFO","message":"hello"}',
      '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"Other","Metrics":[]}]},"JobSucceeded":9}',
      ...linesOf('fault.run', { succeeded: 5 }, minute('2026-11-23T12:00:02.000Z'), false).map((l) =>
        l.replace(serviceName('local', faultRun.name), serviceName('prod', faultRun.name)),
      ),
      '{"_aws":',
    ];

    // Act
    for (const line of lines) collector.ingest(line);
    const hour = await collector.series('hour', NOW);

    // Assess
    expect(hour.minutes).toHaveLength(60);
    expect(hour.minutes.at(-1)).toBe(minute('2026-11-23T12:00:00.000Z') / 1000);
    expect(hour.totals.succeeded.slice(-2)).toEqual([3, 0]);
    expect(hour.totals.retried.slice(-2)).toEqual([1, 0]);
    expect(hour.totals.deadLettered.slice(-2)).toEqual([0, 1]);
    expect(hour.totals.succeeded.slice(0, -2).every((v) => v === 0)).toBe(true);
  });

  it('keeps a day: the day range still holds a minute the hour range no longer shows', async () => {
    // Prepare
    const collector = new EmfCollector(dashboardTestRegistry, 'local');
    for (const line of linesOf(faultRun.name, { succeeded: 4 }, minute('2026-11-23T08:00:00.000Z')))
      collector.ingest(line);

    // Act
    const [hour, day] = await Promise.all([collector.series('hour', NOW), collector.series('day', NOW)]);

    // Assess
    expect(hour.totals.succeeded.reduce((a, b) => a + b, 0)).toBe(0);
    expect(day.minutes).toHaveLength(1440);
    expect(day.totals.succeeded[day.minutes.indexOf(minute('2026-11-23T08:00:00.000Z') / 1000)]).toBe(4);
  });
});

describe('Function: metricsLog', () => {
  it('hands every function output line to the collector and on to the log', async () => {
    // Prepare
    const collector = new EmfCollector(dashboardTestRegistry, 'local');
    const seen: string[] = [];
    const log = metricsLog({ event: () => undefined, output: (_source, line) => seen.push(line) }, collector);
    const [line = ''] = linesOf(faultRun.name, { succeeded: 1 }, minute('2026-11-23T12:00:00.000Z'));

    // Act
    log.output('fault-run-worker', line, 'stdout');

    // Assess
    expect(seen).toEqual([line]);
    expect((await collector.series('hour', NOW)).totals.succeeded.at(-1)).toBe(1);
  });
});

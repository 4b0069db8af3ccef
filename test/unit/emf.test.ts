import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, METRICS_NAMESPACE } from '../../lib/deploy/index.js';
import { InvocationMetrics } from '../../lib/worker/emf.js';

describe('Class: InvocationMetrics', () => {
  it('splits more than 100 durations over several lines, counts on the first only', () => {
    // Prepare
    const lines: string[] = [];
    const metrics = new InvocationMetrics({
      service: 'svc',
      jobName: undefined,
      disabled: false,
      write: (l) => lines.push(l),
    });
    for (let i = 0; i < 150; i++) metrics.duration(i);
    metrics.count(METRIC_NAMES.succeeded);

    // Act
    metrics.flush(1_700_000_000_000);

    // Assess
    const docs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
    expect(docs.map((d) => (d[METRIC_NAMES.duration] as number[]).length)).toEqual([100, 50]);
    expect(docs.map((d) => d[METRIC_NAMES.succeeded])).toEqual([1, undefined]);
    expect(docs[0]?._aws).toEqual({
      Timestamp: 1_700_000_000_000,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['service']],
          Metrics: [
            { Name: METRIC_NAMES.succeeded, Unit: 'Count' },
            { Name: METRIC_NAMES.duration, Unit: 'Milliseconds' },
          ],
        },
      ],
    });
  });

  it('writes nothing when nothing happened, and starts over after a flush', () => {
    const lines: string[] = [];
    const metrics = new InvocationMetrics({
      service: 'svc',
      jobName: 'a.b',
      disabled: false,
      write: (l) => lines.push(l),
    });
    metrics.flush();
    metrics.count(METRIC_NAMES.retried);
    metrics.flush();
    metrics.flush();
    expect(lines).toHaveLength(1);
  });
});

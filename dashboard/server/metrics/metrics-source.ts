/**
 * Where the overview's chart gets its figures: succeeded / retried / dead-lettered per minute,
 * summed over the jobs. On a stage CloudWatch holds them; locally the dashboard reads the same
 * EMF lines the workers print (`EmfCollector`).
 */
import {
  CHART_OUTCOMES,
  type ChartOutcome,
  METRIC_RANGES,
  type MetricRange,
  type MetricsData,
} from '../../shared/api.js';

export interface MetricsSource {
  series(range: MetricRange, now: Date): Promise<MetricsData>;
}

const MINUTE_MS = 60_000;

/** Start of each minute of the range, epoch seconds, the current (partial) minute last. */
export function rangeMinutes(range: MetricRange, now: Date): number[] {
  const count = METRIC_RANGES[range];
  const current = Math.floor(now.getTime() / MINUTE_MS) * 60;
  return Array.from({ length: count }, (_, i) => current - (count - 1 - i) * 60);
}

/** Zeroed series, one value per minute of `minutes`. */
export function emptyTotals(minutes: readonly number[]): Record<ChartOutcome, number[]> {
  return Object.fromEntries(CHART_OUTCOMES.map((o) => [o, minutes.map(() => 0)])) as Record<
    ChartOutcome,
    number[]
  >;
}

/** Answers from the inner source are kept for `ttlMs` per range: a refresh every few seconds costs nothing. */
export function cachedMetrics(inner: MetricsSource, ttlMs: number): MetricsSource {
  const cache = new Map<MetricRange, { at: number; data: Promise<MetricsData> }>();
  return {
    series(range, now) {
      const hit = cache.get(range);
      if (hit && now.getTime() - hit.at < ttlMs) return hit.data;
      const data = inner.series(range, now);
      cache.set(range, { at: now.getTime(), data });
      // A failed answer is not kept: the next refresh asks again.
      data.catch(() => cache.delete(range));
      return data;
    },
  };
}

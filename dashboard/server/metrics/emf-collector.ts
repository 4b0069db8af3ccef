/**
 * The local runtime's metrics: the EMF lines workers print (`lib/worker/emf.ts`), which in AWS
 * become CloudWatch metrics, are counted here per minute instead. `npm run dev` feeds every
 * function output line to `ingest` (see `metricsLog`).
 */

import { METRIC_NAMES, METRICS_NAMESPACE, serviceName } from '../../../lib/deploy/index.js';
import type { JobRegistry } from '../../../lib/index.js';
import type { LocalLog } from '../../../local/log.js';
import { CHART_OUTCOMES, type ChartOutcome, METRIC_RANGES } from '../../shared/api.js';
import { emptyTotals, type MetricsSource, rangeMinutes } from './metrics-source.js';

const METRIC_OF: Readonly<Record<ChartOutcome, string>> = {
  succeeded: METRIC_NAMES.succeeded,
  retried: METRIC_NAMES.retried,
  deadLettered: METRIC_NAMES.deadLettered,
};

/** Minutes kept: the longest range the chart shows. */
const KEPT_MINUTES = Math.max(...Object.values(METRIC_RANGES));

interface EmfDocument {
  readonly _aws?: { readonly Timestamp?: unknown; readonly CloudWatchMetrics?: unknown };
  readonly [key: string]: unknown;
}

export class EmfCollector implements MetricsSource {
  /** Epoch second of a minute's start → counts of that minute. */
  readonly #minutes = new Map<number, Record<ChartOutcome, number>>();
  readonly #jobOfService: ReadonlyMap<string, string>;
  readonly #jobs: ReadonlySet<string>;

  /** @param stage the stage name the workers run under (their `service` dimension carries it). */
  constructor(registry: JobRegistry, stage: string) {
    this.#jobs = new Set(registry.names);
    this.#jobOfService = new Map(registry.names.map((name) => [serviceName(stage, name), name]));
  }

  /** Counts an output line if it is a Hangar EMF document of a registered job; ignores anything else. */
  ingest(line: string): void {
    if (!line.startsWith('{"_aws"')) return;
    let document: EmfDocument;
    try {
      document = JSON.parse(line) as EmfDocument;
    } catch {
      return;
    }
    const declared = document._aws?.CloudWatchMetrics;
    if (!Array.isArray(declared) || !declared.some((d) => d?.Namespace === METRICS_NAMESPACE)) return;
    const jobName =
      typeof document.jobName === 'string' && this.#jobs.has(document.jobName)
        ? document.jobName
        : this.#jobOfService.get(String(document.service));
    const timestamp = document._aws?.Timestamp;
    if (jobName === undefined || typeof timestamp !== 'number') return;
    const minute = Math.floor(timestamp / 60_000) * 60;
    let counts = this.#minutes.get(minute);
    for (const outcome of CHART_OUTCOMES) {
      const value = document[METRIC_OF[outcome]];
      const total = Array.isArray(value)
        ? value.reduce((sum: number, v: unknown) => sum + (typeof v === 'number' ? v : 0), 0)
        : typeof value === 'number'
          ? value
          : 0;
      if (total === 0) continue;
      counts ??= { succeeded: 0, retried: 0, deadLettered: 0 };
      counts[outcome] += total;
    }
    if (counts) this.#minutes.set(minute, counts);
    this.#forget(minute - KEPT_MINUTES * 60);
  }

  async series(range: keyof typeof METRIC_RANGES, now: Date) {
    const minutes = rangeMinutes(range, now);
    const totals = emptyTotals(minutes);
    minutes.forEach((minute, i) => {
      const counts = this.#minutes.get(minute);
      if (counts) for (const outcome of CHART_OUTCOMES) totals[outcome][i] = counts[outcome];
    });
    return { range, minutes, totals, source: 'the workers’ EMF lines (local runtime)' };
  }

  #forget(before: number): void {
    for (const minute of this.#minutes.keys()) if (minute < before) this.#minutes.delete(minute);
  }
}

/** A log that also hands every function output line to the collector. */
export function metricsLog(log: LocalLog, collector: EmfCollector): LocalLog {
  return {
    event: (source, level, message, fields) => log.event(source, level, message, fields),
    output(source, line, stream) {
      collector.ingest(line);
      log.output(source, line, stream);
    },
  };
}

/**
 * A stage's chart figures from CloudWatch: the metrics the workers already emit (EMF, namespace
 * `METRICS_NAMESPACE`), one `GetMetricData` call per refresh of a range, summed over the jobs.
 * Like the stack's own dashboard it searches by the worker's `service` dimension, so the graph
 * holds whatever other dimensions a worker adds.
 */
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { METRIC_NAMES, METRICS_NAMESPACE, serviceName } from '../../../lib/deploy/index.js';
import type { JobRegistry } from '../../../lib/index.js';
import { CHART_OUTCOMES, type ChartOutcome, type MetricRange, type MetricsData } from '../../shared/api.js';
import { emptyTotals, type MetricsSource, rangeMinutes } from './metrics-source.js';

const METRIC_OF: Readonly<Record<ChartOutcome, string>> = {
  succeeded: METRIC_NAMES.succeeded,
  retried: METRIC_NAMES.retried,
  deadLettered: METRIC_NAMES.deadLettered,
};
const PERIOD_SECONDS = 60;

/** The query of one outcome, summed over every job's worker. */
export function outcomeQuery(outcome: ChartOutcome, stage: string, registry: JobRegistry): MetricDataQuery {
  const services = registry.names.map((name) => `service="${serviceName(stage, name)}"`).join(' OR ');
  return {
    Id: outcome,
    Expression: `SUM(SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${METRIC_OF[outcome]}" (${services})', 'Sum', ${PERIOD_SECONDS}))`,
    Label: outcome,
    ReturnData: true,
  };
}

export class CloudWatchMetrics implements MetricsSource {
  readonly #cloudwatch: CloudWatchClient;
  readonly #stage: string;
  readonly #registry: JobRegistry;

  constructor(cloudwatch: CloudWatchClient, stage: string, registry: JobRegistry) {
    this.#cloudwatch = cloudwatch;
    this.#stage = stage;
    this.#registry = registry;
  }

  async series(range: MetricRange, now: Date): Promise<MetricsData> {
    const minutes = rangeMinutes(range, now);
    const totals = emptyTotals(minutes);
    const first = minutes[0] ?? 0;
    const index = new Map(minutes.map((m, i) => [m, i]));
    let nextToken: string | undefined;
    do {
      const out = await this.#cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(first * 1000),
          EndTime: new Date(((minutes.at(-1) ?? first) + PERIOD_SECONDS) * 1000),
          MetricDataQueries: CHART_OUTCOMES.map((o) => outcomeQuery(o, this.#stage, this.#registry)),
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      );
      for (const result of out.MetricDataResults ?? []) {
        const outcome = CHART_OUTCOMES.find((o) => o === result.Id);
        if (!outcome) continue;
        (result.Timestamps ?? []).forEach((at, i) => {
          const slot = index.get(Math.floor(at.getTime() / 60_000) * 60);
          const value = result.Values?.[i];
          if (slot !== undefined && value !== undefined) totals[outcome][slot] = value;
        });
      }
      nextToken = out.NextToken;
    } while (nextToken);
    return { range, minutes, totals, source: `CloudWatch (${METRICS_NAMESPACE}, stage ${this.#stage})` };
  }
}

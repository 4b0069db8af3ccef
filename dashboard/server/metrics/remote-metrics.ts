/**
 * `npx hangar dashboard` against `npm run dev`: the workers' EMF lines are printed inside the dev
 * process, whose own dashboard counts them. This source asks that dashboard, so both show the same
 * chart; when it is not running the chart says where the figures would come from.
 */
import { API_PATHS, type MetricRange, type MetricsData } from '../../shared/api.js';
import { emptyTotals, type MetricsSource, rangeMinutes } from './metrics-source.js';

export class RemoteMetrics implements MetricsSource {
  readonly #baseUrl: string;

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl;
  }

  async series(range: MetricRange, now: Date): Promise<MetricsData> {
    const url = new URL(API_PATHS.metrics, this.#baseUrl);
    url.searchParams.set('range', range);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return (await response.json()) as MetricsData;
    } catch {
      // Not running: said below.
    }
    const minutes = rangeMinutes(range, now);
    return {
      range,
      minutes,
      totals: emptyTotals(minutes),
      source: 'the workers’ EMF lines, counted by the dashboard of `npm run dev`',
      unavailable: `No figures: the dashboard of \`npm run dev\` (${this.#baseUrl}) does not answer`,
    };
  }
}

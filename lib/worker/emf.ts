/**
 * The worker's metrics, in CloudWatch Embedded Metric Format: counts and per-record durations are
 * gathered in plain fields during an invocation and written as ONE log line at its end.
 *
 * Why not Powertools Metrics here: its `addMetric` reads the environment on every call (its
 * invocation-scoped store), about 1 µs each — with a duration per record, more than the worker's
 * whole per-record budget. The format written is the same EMF Powertools writes: same namespace,
 * metric names and `service` dimension, so the stack's dashboard and alarms read it unchanged.
 */
import { METRIC_NAMES, METRICS_NAMESPACE, type MetricName } from '../constants.js';

/** EMF takes at most 100 values per metric per line. */
const MAX_VALUES_PER_LINE = 100;

type CountName = Exclude<MetricName, typeof METRIC_NAMES.duration | typeof METRIC_NAMES.cleanupDeleted>;

export interface EmfOptions {
  /** The `service` dimension (POWERTOOLS_SERVICE_NAME, as the stack sets it per worker). */
  readonly service: string;
  /** Added as a dimension when the function runs a single job. */
  readonly jobName: string | undefined;
  /** No line is written (POWERTOOLS_METRICS_DISABLED=true, as in tests). */
  readonly disabled: boolean;
  /** @default process.stdout.write */
  readonly write?: (line: string) => void;
}

export class InvocationMetrics {
  readonly #options: EmfOptions;
  readonly #write: (line: string) => void;
  readonly #counts = new Map<CountName, number>();
  #durations: number[] = [];

  constructor(options: EmfOptions) {
    this.#options = options;
    this.#write = options.write ?? ((line) => process.stdout.write(line));
  }

  count(name: CountName): void {
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
  }

  duration(ms: number): void {
    this.#durations.push(ms);
  }

  /** Writes what was gathered (nothing when nothing was) and starts over. */
  flush(now = Date.now()): void {
    const durations = this.#durations;
    const counts = [...this.#counts];
    this.#durations = [];
    this.#counts.clear();
    if (this.#options.disabled || (durations.length === 0 && counts.length === 0)) return;
    for (let i = 0; i === 0 || i < durations.length; i += MAX_VALUES_PER_LINE) {
      const slice = durations.slice(i, i + MAX_VALUES_PER_LINE);
      this.#write(`${JSON.stringify(this.#document(i === 0 ? counts : [], slice, now))}\n`);
    }
  }

  #document(counts: readonly (readonly [CountName, number])[], durations: readonly number[], now: number) {
    const dimensions = this.#options.jobName === undefined ? ['service'] : ['service', 'jobName'];
    const metrics: { Name: string; Unit: string }[] = counts.map(([name]) => ({ Name: name, Unit: 'Count' }));
    const values: Record<string, number | number[]> = Object.fromEntries(counts);
    if (durations.length > 0) {
      metrics.push({ Name: METRIC_NAMES.duration, Unit: 'Milliseconds' });
      values[METRIC_NAMES.duration] = durations.length === 1 ? (durations[0] as number) : [...durations];
    }
    return {
      _aws: {
        Timestamp: now,
        CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [dimensions], Metrics: metrics }],
      },
      service: this.#options.service,
      ...(this.#options.jobName === undefined ? {} : { jobName: this.#options.jobName }),
      ...values,
    };
  }
}

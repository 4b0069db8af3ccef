/**
 * The worker's metrics, in CloudWatch Embedded Metric Format: counts and per-record durations are
 * gathered in plain fields during an invocation and written as ONE log line at its end.
 *
 * Why not Powertools Metrics here: its `addMetric` reads the environment on every call (its
 * invocation-scoped store), about 1 µs each — with a duration per record, more than the worker's
 * whole per-record budget. The format written is the same EMF Powertools writes: same namespace,
 * metric names and `service` dimension, so the stack's dashboard and alarms read it unchanged.
 *
 * Why the line is built as text: everything in it but the timestamp, the counts and the durations
 * is the same for every invocation of a function, so it is serialized once, at cold start.
 * `JSON.stringify` of the whole document cost more than the rest of a no-op invocation.
 */
import { METRIC_NAMES, METRICS_NAMESPACE, type MetricName } from '../constants.js';

/** EMF takes at most 100 values per metric per line. */
const MAX_VALUES_PER_LINE = 100;

type CountName = Exclude<MetricName, typeof METRIC_NAMES.duration | typeof METRIC_NAMES.cleanupDeleted>;

/** The counts a worker keeps, in the order a line lists them. */
const COUNT_NAMES: readonly CountName[] = [
  METRIC_NAMES.succeeded,
  METRIC_NAMES.retried,
  METRIC_NAMES.deadLettered,
  METRIC_NAMES.handedBack,
  METRIC_NAMES.continued,
];
const COUNT_INDEX = Object.fromEntries(COUNT_NAMES.map((name, index) => [name, index])) as Record<
  CountName,
  number
>;
const COUNT_DEFINITIONS = COUNT_NAMES.map((name) => JSON.stringify({ Name: name, Unit: 'Count' }));
const DURATION_DEFINITION = JSON.stringify({ Name: METRIC_NAMES.duration, Unit: 'Milliseconds' });
const COUNT_KEYS = COUNT_NAMES.map((name) => `,${JSON.stringify(name)}:`);
const DURATION_KEY = `,${JSON.stringify(METRIC_NAMES.duration)}:`;

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

/** The parts of a line that are fixed for a function, serialized once (see the module comment). */
export class EmfFormat {
  readonly disabled: boolean;
  readonly write: (line: string) => void;
  /** `,"CloudWatchMetrics":[{"Namespace":…,"Dimensions":[…],"Metrics":[` */
  readonly head: string;
  /** `]}]},"service":…,"jobName":…` */
  readonly dimensions: string;

  constructor(options: EmfOptions) {
    this.disabled = options.disabled;
    this.write = options.write ?? writeToStdout;
    const dimensionNames = options.jobName === undefined ? ['service'] : ['service', 'jobName'];
    this.head = `,"CloudWatchMetrics":[{"Namespace":${JSON.stringify(METRICS_NAMESPACE)},"Dimensions":${JSON.stringify([dimensionNames])},"Metrics":[`;
    const values: Record<string, string> = { service: options.service };
    if (options.jobName !== undefined) values.jobName = options.jobName;
    this.dimensions = `]}]},${JSON.stringify(values).slice(1, -1)}`;
  }
}

function writeToStdout(line: string): void {
  process.stdout.write(line);
}

export class InvocationMetrics {
  readonly #format: EmfFormat;
  readonly #counts: number[] = [0, 0, 0, 0, 0];
  #durations: number[] = [];

  /** Takes the options, or a format made once per function (the worker's case). */
  constructor(options: EmfOptions | EmfFormat) {
    this.#format = options instanceof EmfFormat ? options : new EmfFormat(options);
  }

  count(name: CountName): void {
    const index = COUNT_INDEX[name];
    this.#counts[index] = (this.#counts[index] ?? 0) + 1;
  }

  duration(ms: number): void {
    this.#durations.push(ms);
  }

  /** Writes what was gathered (nothing when nothing was) and starts over. */
  flush(now = Date.now()): void {
    const durations = this.#durations;
    const counts = this.#counts;
    this.#durations = [];
    let definitions = '';
    let values = '';
    for (let i = 0; i < COUNT_NAMES.length; i++) {
      const count = counts[i] ?? 0;
      if (count === 0) continue;
      counts[i] = 0;
      definitions += definitions === '' ? COUNT_DEFINITIONS[i] : `,${COUNT_DEFINITIONS[i]}`;
      values += `${COUNT_KEYS[i]}${count}`;
    }
    const format = this.#format;
    if (format.disabled || (durations.length === 0 && definitions === '')) return;
    for (let i = 0; i === 0 || i < durations.length; i += MAX_VALUES_PER_LINE) {
      let lineDefinitions = i === 0 ? definitions : '';
      let lineValues = i === 0 ? values : '';
      const end = Math.min(durations.length, i + MAX_VALUES_PER_LINE);
      if (end > i) {
        lineDefinitions += lineDefinitions === '' ? DURATION_DEFINITION : `,${DURATION_DEFINITION}`;
        lineValues +=
          end - i === 1
            ? `${DURATION_KEY}${durations[i]}`
            : `${DURATION_KEY}[${durations.slice(i, end).join(',')}]`;
      }
      format.write(
        `{"_aws":{"Timestamp":${now}${format.head}${lineDefinitions}${format.dimensions}${lineValues}}\n`,
      );
    }
  }
}

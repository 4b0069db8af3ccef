/** Summaries of repeated measurements: the median is the figure; the spread says how noisy it was. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Interquartile range over the median: 0.05 means the middle half of the runs lay within ±2.5 %. */
  readonly spread: number;
  readonly runs: number;
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (position - low);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function summarize(values: readonly number[]): Summary {
  const mid = median(values);
  return {
    median: mid,
    min: Math.min(...values),
    max: Math.max(...values),
    spread: mid === 0 ? 0 : (quantile(values, 0.75) - quantile(values, 0.25)) / mid,
    runs: values.length,
  };
}

/** Rounds for reports: enough digits to compare, no false precision. */
export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A summary of rates (jobs or messages per second): whole numbers, spread to three digits. */
export function summarizeRates(values: readonly number[]): Summary {
  const s = summarize(values);
  return {
    ...s,
    median: round(s.median, 0),
    min: round(s.min, 0),
    max: round(s.max, 0),
    spread: round(s.spread),
  };
}

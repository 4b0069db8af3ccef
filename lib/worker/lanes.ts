/**
 * How an invocation's records share its record concurrency: FIFO batches split into one lane per
 * message group, and a runner that keeps at most `concurrency` of them going.
 */
import type { SQSRecord } from 'aws-lambda';

/** A record of a batch with its position there (where its fate is kept). */
export interface LaneEntry {
  readonly record: SQSRecord;
  readonly index: number;
}

/**
 * Splits a FIFO batch into lanes that may run concurrently: one per message group, each holding
 * its records in the order SQS delivered them. (On a standard queue every record is its own lane;
 * the worker runs those directly, without wrapping each in an array.)
 */
export function toLanes(records: readonly SQSRecord[]): LaneEntry[][] {
  const groups = new Map<string, LaneEntry[]>();
  records.forEach((record, index) => {
    const group = record.attributes.MessageGroupId ?? '';
    const lane = groups.get(group);
    if (lane) lane.push({ record, index });
    else groups.set(group, [{ record, index }]);
  });
  return [...groups.values()];
}

/**
 * Runs `work` over the items (with each one's position) with at most `concurrency` at once.
 * (Indexed loops, not `map` or a shared iterator: this runs for every record, and each builtin
 * call per item showed up in the worker's overhead. `T` is an object, so an index in range never
 * reads `undefined`: the checks below only tell the compiler so.)
 */
export function runLanes<T extends object>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<unknown>,
): Promise<unknown> {
  // The common case — a batch no larger than the concurrency — starts every item at once,
  // without runner loops in between.
  if (concurrency >= items.length) {
    const running = new Array<Promise<unknown>>(items.length);
    for (let index = 0; index < items.length; index++) {
      const item = items[index];
      if (item !== undefined) running[index] = work(item, index);
    }
    return Promise.all(running);
  }
  let next = 0;
  const runner = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      if (item !== undefined) await work(item, index);
    }
  };
  const runners = Math.max(1, concurrency);
  return Promise.all(Array.from({ length: runners }, runner));
}

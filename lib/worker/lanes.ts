import type { SQSRecord } from 'aws-lambda';

/**
 * Splits a FIFO batch into lanes that may run concurrently: one per message group, each the
 * positions of its records in the order SQS delivered them. (On a standard queue every record is
 * its own lane; the worker runs those directly, without wrapping each in an array.)
 */
export function toLanes(records: readonly SQSRecord[]): number[][] {
  const groups = new Map<string, number[]>();
  for (let index = 0; index < records.length; index++) {
    const group = (records[index] as SQSRecord).attributes.MessageGroupId ?? '';
    const lane = groups.get(group);
    if (lane) lane.push(index);
    else groups.set(group, [index]);
  }
  return [...groups.values()];
}

/** Runs `work` over the items (with each one's position) with at most `concurrency` at once. */
export function runLanes<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<unknown>,
): Promise<unknown> {
  // The common case — a batch no larger than the concurrency — starts every item at once,
  // without runner loops in between.
  if (concurrency >= items.length) {
    const running: Promise<unknown>[] = new Array(items.length);
    for (let index = 0; index < items.length; index++) running[index] = work(items[index] as T, index);
    return Promise.all(running);
  }
  let next = 0;
  const runner = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  const runners = Math.max(1, concurrency);
  return Promise.all(Array.from({ length: runners }, runner));
}

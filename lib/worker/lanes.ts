import type { SQSRecord } from 'aws-lambda';

/**
 * Splits a FIFO batch into lanes that may run concurrently: one per message group, in the order
 * SQS delivered it. (On a standard queue every record is its own lane; the worker runs those
 * directly, without wrapping each in an array.)
 */
export function toLanes(records: readonly SQSRecord[]): SQSRecord[][] {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of records) {
    const group = record.attributes.MessageGroupId ?? '';
    const lane = groups.get(group);
    if (lane) lane.push(record);
    else groups.set(group, [record]);
  }
  return [...groups.values()];
}

/** Runs `work` over the items with at most `concurrency` at once. */
export async function runLanes<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const runner = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  const runners = Math.max(1, Math.min(concurrency, items.length));
  if (runners === 1) return runner();
  await Promise.all(Array.from({ length: runners }, runner));
}

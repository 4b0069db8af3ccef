import type { SQSRecord } from 'aws-lambda';

/**
 * Splits a batch into lanes that may run concurrently. On a FIFO queue a lane is one message
 * group, in the order SQS delivered it; on a standard queue every record is its own lane.
 */
export function toLanes(records: readonly SQSRecord[], fifo: boolean): SQSRecord[][] {
  if (!fifo) return records.map((record) => [record]);
  const groups = new Map<string, SQSRecord[]>();
  for (const record of records) {
    const group = record.attributes.MessageGroupId ?? '';
    const lane = groups.get(group);
    if (lane) lane.push(record);
    else groups.set(group, [record]);
  }
  return [...groups.values()];
}

/** Runs `work` over the lanes with at most `concurrency` lanes at once. */
export async function runLanes<T>(
  lanes: readonly T[],
  concurrency: number,
  work: (lane: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runner = async () => {
    while (next < lanes.length) {
      const lane = lanes[next++];
      if (lane !== undefined) await work(lane);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, lanes.length)) }, runner));
}

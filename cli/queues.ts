import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { JobRegistry } from '../lib/index.js';
import type { Target } from './target.js';

export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

/** SQS's approximate counts of one queue. */
export async function queueDepth(sqs: SQSClient, url: string): Promise<QueueDepth> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = out.Attributes ?? {};
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** The queue name in an SQS queue URL (its last path segment): CloudWatch's `QueueName` dimension. */
export function queueNameOfUrl(url: string): string {
  return new URL(url).pathname.split('/').filter(Boolean).pop() ?? url;
}

export const OLDEST_AGE_QUERY = {
  namespace: 'AWS/SQS',
  metricName: 'ApproximateAgeOfOldestMessage',
  /** SQS publishes every minute; look back far enough to find the latest point. */
  lookbackSeconds: 15 * 60,
  periodSeconds: 60,
} as const;

/**
 * The latest `ApproximateAgeOfOldestMessage` of each queue, in seconds, from CloudWatch (one
 * `GetMetricData` call). A queue with no data point in the look-back window is absent.
 */
export async function oldestMessageAges(
  cloudwatch: CloudWatchClient,
  queueNames: readonly string[],
  now: Date = new Date(),
): Promise<Map<string, number>> {
  const ages = new Map<string, number>();
  if (queueNames.length === 0) return ages;
  const out = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - OLDEST_AGE_QUERY.lookbackSeconds * 1000),
      EndTime: now,
      ScanBy: 'TimestampDescending',
      MetricDataQueries: queueNames.map((name, index) => ({
        Id: `q${index}`,
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: OLDEST_AGE_QUERY.namespace,
            MetricName: OLDEST_AGE_QUERY.metricName,
            Dimensions: [{ Name: 'QueueName', Value: name }],
          },
          Period: OLDEST_AGE_QUERY.periodSeconds,
          Stat: 'Maximum',
        },
      })),
    }),
  );
  for (const result of out.MetricDataResults ?? []) {
    const index = Number(result.Id?.slice(1));
    const name = queueNames[index];
    const latest = result.Values?.[0];
    if (name !== undefined && latest !== undefined) ages.set(name, latest);
  }
  return ages;
}

/** One job's queue pair as `hangar queues` and the dashboard's overview show it. */
export interface QueueRow {
  readonly job: string;
  readonly queue: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly dlq: string;
  /** Messages in the DLQ, visible or not. */
  readonly dlqDepth: number;
  /** Seconds; null where the backend has no figure (locally, or no data point yet). */
  readonly oldestAgeSeconds: number | null;
  readonly dlqOldestAgeSeconds: number | null;
}

/**
 * Per job: its queue's and DLQ's depths (`GetQueueAttributes`, two per job) and, where the target
 * has CloudWatch, the oldest-message ages (one `GetMetricData` for all queues).
 * @returns the rows, and whether ages could be known at all (false locally).
 */
export async function queueRows(
  target: Target,
  registry: JobRegistry,
  now: Date,
): Promise<{ readonly rows: QueueRow[]; readonly agesKnown: boolean }> {
  const pairs = await Promise.all(
    registry.jobs.map(async (job) => {
      const { queue, dlq } = await target.queuesOf(job);
      const [main, dead] = await Promise.all([
        queueDepth(target.sqs, queue.url),
        queueDepth(target.sqs, dlq.url),
      ]);
      return { job: job.name, queue, dlq, main, dead };
    }),
  );
  const ages = target.cloudwatch
    ? await oldestMessageAges(
        target.cloudwatch,
        pairs.flatMap((r) => [queueNameOfUrl(r.queue.url), queueNameOfUrl(r.dlq.url)]),
        now,
      )
    : undefined;
  const rows = pairs.map((r) => ({
    job: r.job,
    queue: r.queue.name,
    visible: r.main.visible,
    inFlight: r.main.inFlight,
    delayed: r.main.delayed,
    dlq: r.dlq.name,
    dlqDepth: r.dead.visible + r.dead.inFlight + r.dead.delayed,
    oldestAgeSeconds: ages?.get(queueNameOfUrl(r.queue.url)) ?? null,
    dlqOldestAgeSeconds: ages?.get(queueNameOfUrl(r.dlq.url)) ?? null,
  }));
  return { rows, agesKnown: ages !== undefined };
}

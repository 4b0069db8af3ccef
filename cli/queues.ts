import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

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

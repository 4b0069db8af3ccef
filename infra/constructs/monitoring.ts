import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  SearchExpression,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type JobSettings, METRIC_NAMES, METRICS_NAMESPACE, SQS_LIMITS } from '../../lib/deploy/index.js';
import type { HangarFunction } from './hangar-function.js';
import type { JobQueue } from './job-queue.js';
import type { JobWorker } from './job-worker.js';

/** Defaults of the alarms and the dashboard; each `@default` below names one of these. */
export const MONITORING_DEFAULTS = {
  /** How often alarms look: short enough to page within minutes, long enough for SQS's 1-minute metrics. */
  period: Duration.minutes(5),
  /** Dead-lettered messages show within one SQS metric interval. */
  dlqPeriod: Duration.minutes(1),
} as const;

/**
 * The age past which the oldest message of a queue means a stuck or starved worker: every attempt
 * held for a full visibility timeout (an invocation killed at its timeout), the capped backoffs
 * between attempts, and the longest `DelaySeconds` a producer may set. A healthy message cannot be
 * older, so the alarm does not fire on retries that are merely slow.
 */
export function oldestMessageAgeThresholdSeconds(settings: JobSettings): number {
  const { maxAttempts, baseDelaySeconds, maxDelaySeconds } = settings.retry;
  let backoff = 0;
  for (let retry = 1; retry < maxAttempts; retry++) {
    backoff += Math.min(maxDelaySeconds, baseDelaySeconds * 2 ** (retry - 1));
  }
  return maxAttempts * settings.queue.visibilityTimeoutSeconds + backoff + SQS_LIMITS.maxDelaySeconds;
}

/** The alarms of one job. */
export interface JobAlarms {
  readonly deadLetterQueueNotEmpty: Alarm;
  readonly oldestMessageAge: Alarm;
  readonly workerErrors: Alarm;
  readonly workerThrottles: Alarm;
}

export interface MonitoringProps {
  readonly stage: string;
  readonly workers: readonly { readonly queue: JobQueue; readonly worker: JobWorker }[];
  /** Scheduler's delivery DLQ: a schedule that could not reach its queue. */
  readonly scheduleDeadLetterQueue: IQueue;
  readonly api: HangarFunction;
  /** Subscribed to the alarm topic. @default no subscription */
  readonly alarmEmail?: string;
  /** Of the topic's key. @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Alarms into an encrypted SNS topic (any DLQ not empty, oldest message too old, worker errors
 * and throttles) and a dashboard of queue depth, age, DLQs, job outcomes and durations.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly topicKey: Key;
  /** Per job name. */
  readonly jobAlarms: ReadonlyMap<string, JobAlarms>;
  readonly scheduleDeadLetterQueueNotEmpty: Alarm;
  readonly apiErrors: Alarm;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topicKey = new Key(this, 'TopicKey', {
      description: `Encrypts Hangar ${props.stage} alarm notifications`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    // CloudWatch publishes alarm notifications itself and must be able to use the topic's key.
    this.topicKey.grant(
      new ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: `Hangar ${props.stage} alarms`,
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    if (props.alarmEmail !== undefined) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const notify = new SnsAction(this.topic);
    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string): Alarm => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(notify);
      created.addOkAction(notify);
      return created;
    };

    const jobAlarms = new Map<string, JobAlarms>();
    for (const { queue, worker } of props.workers) {
      const { jobName } = queue.settings;
      const prefix = worker.node.id;
      const fn = worker.handler.function;
      const ageThreshold = oldestMessageAgeThresholdSeconds(queue.settings);
      jobAlarms.set(jobName, {
        deadLetterQueueNotEmpty: alarm(
          `${prefix}DeadLetters`,
          queue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: MONITORING_DEFAULTS.dlqPeriod,
            statistic: Stats.MAXIMUM,
          }),
          1,
          `Job ${jobName}: messages in its DLQ (failed permanently or out of attempts); inspect with "hangar dlq peek ${jobName}"`,
        ),
        oldestMessageAge: alarm(
          `${prefix}OldestMessage`,
          queue.queue.metricApproximateAgeOfOldestMessage({
            period: MONITORING_DEFAULTS.period,
            statistic: Stats.MAXIMUM,
          }),
          ageThreshold,
          `Job ${jobName}: a message has waited ${ageThreshold} s, longer than every attempt and backoff allow; the worker is stuck or starved`,
        ),
        workerErrors: alarm(
          `${prefix}Errors`,
          fn.metricErrors({ period: MONITORING_DEFAULTS.period, statistic: Stats.SUM }),
          1,
          `Job ${jobName}: the worker failed whole invocations (timeouts, out of memory, crashes); records fail per message otherwise`,
        ),
        workerThrottles: alarm(
          `${prefix}Throttles`,
          fn.metricThrottles({ period: MONITORING_DEFAULTS.period, statistic: Stats.SUM }),
          1,
          `Job ${jobName}: the worker was throttled (account concurrency exhausted)`,
        ),
      });
    }
    this.jobAlarms = jobAlarms;
    this.scheduleDeadLetterQueueNotEmpty = alarm(
      'ScheduleDeadLetters',
      props.scheduleDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: MONITORING_DEFAULTS.dlqPeriod,
        statistic: Stats.MAXIMUM,
      }),
      1,
      'EventBridge Scheduler could not deliver a scheduled job to its queue after its retries',
    );
    this.apiErrors = alarm(
      'ApiErrors',
      props.api.function.metricErrors({ period: MONITORING_DEFAULTS.period, statistic: Stats.SUM }),
      1,
      'The job API function failed invocations (callers got 5xx)',
    );

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Hangar ${props.stage}\nQueues, dead letters and job outcomes per job. Alarms go to the \`${props.stage}\` alarm topic.`,
        width: 24,
        height: 2,
      }),
    );
    const graph = (title: string, left: IMetric[]) => new GraphWidget({ title, left, width: 8, height: 6 });
    const outcomes = Object.entries(METRIC_NAMES).filter(([key]) => key !== 'duration');
    for (const { queue, worker } of props.workers) {
      const { jobName } = queue.settings;
      const period = MONITORING_DEFAULTS.period;
      // Jobs emit EMF metrics through Powertools, whose `service` dimension names the worker; a
      // search keeps the graph right whatever other dimensions the worker adds.
      const search = (metricName: string, statistic: string, label: string) =>
        new SearchExpression({
          expression: `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${metricName}" service="${worker.serviceName}"', '${statistic}', ${period.toSeconds()})`,
          label,
          period,
        });
      this.dashboard.addWidgets(
        new TextWidget({ markdown: `## ${jobName}`, width: 24, height: 1 }),
        graph(`${jobName}: queue depth`, [
          queue.queue.metricApproximateNumberOfMessagesVisible({ label: 'waiting', period }),
          queue.queue.metricApproximateNumberOfMessagesNotVisible({ label: 'in flight', period }),
          queue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'DLQ', period }),
        ]),
        graph(`${jobName}: oldest message age (s)`, [
          queue.queue.metricApproximateAgeOfOldestMessage({ label: 'queue', period }),
          queue.deadLetterQueue.metricApproximateAgeOfOldestMessage({ label: 'DLQ', period }),
        ]),
        graph(
          `${jobName}: outcomes`,
          outcomes.map(([key, name]) => search(name, 'Sum', key)),
        ),
        graph(`${jobName}: durations (ms)`, [
          search(METRIC_NAMES.duration, 'p50', 'job p50'),
          search(METRIC_NAMES.duration, 'p99', 'job p99'),
          worker.handler.function.metricDuration({ statistic: Stats.p(99), label: 'invocation p99', period }),
        ]),
        graph(`${jobName}: invocations`, [
          worker.handler.function.metricInvocations({ label: 'invocations', period }),
          worker.handler.function.metricErrors({ label: 'errors', period }),
          worker.handler.function.metricThrottles({ label: 'throttles', period }),
        ]),
      );
    }
    this.dashboard.addWidgets(
      graph('Scheduler delivery DLQ', [
        props.scheduleDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
          label: 'undelivered firings',
        }),
      ]),
      graph('API', [
        props.api.function.metricInvocations({ label: 'requests' }),
        props.api.function.metricErrors({ label: 'errors' }),
        props.api.function.metricDuration({ statistic: Stats.p(99), label: 'p99 (ms)' }),
      ]),
    );
  }
}

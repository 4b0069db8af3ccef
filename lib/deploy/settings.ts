/**
 * The one derivation from job declarations to deployable settings. The CDK stack and the local
 * runtime both read these values and never restate one; unit tests pin every rule below.
 */
import * as z from 'zod/mini';
import { SQS_LIMITS } from '../constants.js';
import { JobDefinitionError } from '../errors.js';
import type { JobDefinition, JobResource, RecurringSchedule, RetryPolicy } from '../jobs/define-job.js';
import { encodeFiringTemplate } from '../jobs/envelope.js';
import { dlqName, queueName, resourceStem } from '../jobs/names.js';
import type { JobRegistry } from '../jobs/registry.js';
import { DEFAULT_TIME_ZONE, scheduleExpressionSchema, timeZoneSchema } from '../jobs/schedule-rules.js';
import {
  VISIBILITY_TIMEOUT_FACTOR,
  visibilityTimeoutSeconds as visibilityTimeout,
} from '../jobs/visibility.js';
import { LEDGER_TABLE, type LedgerTable } from '../ledger/table.js';
import { check, describeIssues } from '../validation.js';

const DAY_SECONDS = 86_400;

/** The rules of the derivation, named so that tests, docs and reviewers can point at them. */
export const SETTINGS_RULES = {
  /** Visibility timeout = this × function timeout + the batching window (see lib/jobs/visibility.ts). */
  visibilityTimeoutFactor: VISIBILITY_TIMEOUT_FACTOR,
  /** DLQ retention: the SQS maximum, so an on-call engineer has two weeks to redrive. */
  dlqRetentionSeconds: 14 * DAY_SECONDS,
  /** Source-queue retention: long enough for every backoff of the longest retry policy. */
  queueRetentionSeconds: 4 * DAY_SECONDS,
  /** Long polling on every queue: fewer empty receives, and no false empties. */
  receiveWaitTimeSeconds: 20,
  /**
   * Receives beyond `maxAttempts` that SQS tolerates before its redrive policy dead-letters a
   * message. The worker dead-letters at `maxAttempts` itself; this margin absorbs receives that
   * are not attempts: records handed back unstarted at a deadline, and invocations killed by a
   * timeout or out-of-memory before they could report.
   */
  receiveAllowance: 5,
  /** Recurring schedules may fire up to this many minutes late, which lets Scheduler spread load. */
  scheduleFlexibleWindowMinutes: 5,
  /** Scheduler's own retries of a failed delivery to the queue, and how long it keeps trying. */
  scheduleMaxRetryAttempts: 10,
  scheduleMaxEventAgeSeconds: 3_600,
} as const;

export interface QueueSettings {
  readonly name: string;
  readonly fifo: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly messageRetentionSeconds: number;
  readonly receiveWaitTimeSeconds: number;
  /**
   * FIFO only. EventBridge Scheduler's SQS target cannot pass a deduplication id, so FIFO queues
   * deduplicate by content for schedule firings; every SDK send still sets its own unique id.
   */
  readonly contentBasedDeduplication: boolean;
}

export interface JobQueueSettings extends QueueSettings {
  /** SQS redrive: receives after which SQS moves a message to the DLQ by itself. */
  readonly maxReceiveCount: number;
}

export interface EventSourceSettings {
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly maxConcurrency: number;
  readonly reportBatchItemFailures: true;
}

export interface FunctionSettings {
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
  readonly deadlineMarginMs: number;
  readonly recordConcurrency: number;
}

export interface ScheduleSettings {
  /** Unique within the schedule group: the job's resource stem, plus `-<id>` for configured schedules. */
  readonly name: string;
  readonly jobName: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly flexibleWindowMinutes: number;
  readonly maxRetryAttempts: number;
  readonly maxEventAgeSeconds: number;
  /** The target input: a firing envelope whose job id the worker derives per firing. */
  readonly input: string;
  /** FIFO jobs: the message group of every firing. */
  readonly messageGroupId: string | undefined;
}

export interface JobSettings {
  readonly jobName: string;
  readonly fifo: boolean;
  readonly queue: JobQueueSettings;
  readonly dlq: QueueSettings;
  readonly function: FunctionSettings;
  readonly eventSource: EventSourceSettings;
  readonly retry: RetryPolicy;
  readonly schedules: readonly ScheduleSettings[];
  readonly resources: readonly JobResource[];
  readonly useLedger: boolean;
  /** Whether the job declares limits (concurrency, rate, debounce, unique), whose state is in the ledger table. */
  readonly limited: boolean;
}

/** A recurring schedule supplied by stage configuration (per-source syncs, a cleanup time). */
export interface ConfiguredSchedule extends Partial<RecurringSchedule> {
  /** Suffix of the schedule name; letters, digits, `-` and `_`. */
  readonly id: string;
  readonly expression: string;
}

export interface SettingsOptions {
  /**
   * Per job name, schedules from configuration. Given for a job, they replace its declared
   * schedule (an empty list switches it off).
   */
  readonly schedules?: Readonly<Record<string, readonly ConfiguredSchedule[]>>;
}

const SCHEDULE_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** A configured schedule's expression and zone, checked by the rules every schedule follows. */
const configuredScheduleRules = z.object({ expression: scheduleExpressionSchema, timeZone: timeZoneSchema });

function deriveSchedules(
  job: JobDefinition,
  configured: readonly ConfiguredSchedule[] | undefined,
): ScheduleSettings[] {
  const stem = resourceStem(job.name);
  const specs: { name: string; schedule: RecurringSchedule }[] = [];
  if (configured === undefined) {
    if (job.schedule) specs.push({ name: stem, schedule: job.schedule });
  } else {
    const seen = new Set<string>();
    for (const entry of configured) {
      const where = `schedule "${entry.id}" of job "${job.name}"`;
      if (!SCHEDULE_ID_PATTERN.test(entry.id))
        throw new JobDefinitionError(`Invalid ${where}: id must be 1–32 letters, digits, "-" or "_"`);
      if (seen.has(entry.id)) throw new JobDefinitionError(`Invalid ${where}: the id is used twice`);
      seen.add(entry.id);
      const schedule: RecurringSchedule = {
        expression: entry.expression,
        timeZone: entry.timeZone ?? job.schedule?.timeZone ?? DEFAULT_TIME_ZONE,
        payload: entry.payload ?? job.schedule?.payload ?? {},
      };
      const rules = check(configuredScheduleRules, schedule);
      if (!rules.ok) throw new JobDefinitionError(`Invalid ${where}: ${describeIssues(rules.issues)}`);
      const payload = check(job.schema, schedule.payload, 'payload');
      if (!payload.ok) throw new JobDefinitionError(`Invalid ${where}: ${describeIssues(payload.issues)}`);
      specs.push({ name: `${stem}-${entry.id}`, schedule: { ...schedule, payload: payload.value } });
    }
  }
  return specs.map(({ name, schedule }) => ({
    name,
    jobName: job.name,
    expression: schedule.expression,
    timeZone: schedule.timeZone,
    flexibleWindowMinutes: SETTINGS_RULES.scheduleFlexibleWindowMinutes,
    maxRetryAttempts: SETTINGS_RULES.scheduleMaxRetryAttempts,
    maxEventAgeSeconds: SETTINGS_RULES.scheduleMaxEventAgeSeconds,
    input: encodeFiringTemplate(job, name, schedule.payload),
    messageGroupId: job.fifo ? job.fifo.groupKey(schedule.payload) : undefined,
  }));
}

/** Derives one job's settings. @throws {JobDefinitionError} when the declaration cannot be deployed. */
export function deriveJobSettings(job: JobDefinition, options: SettingsOptions = {}): JobSettings {
  const fifo = job.fifo !== undefined;
  const visibilityTimeoutSeconds = visibilityTimeout(job);
  if (visibilityTimeoutSeconds > SQS_LIMITS.maxVisibilitySeconds) {
    throw new JobDefinitionError(
      `Job "${job.name}": visibility timeout ${visibilityTimeoutSeconds} s exceeds the SQS maximum of ${SQS_LIMITS.maxVisibilitySeconds} s`,
    );
  }
  const base: Omit<QueueSettings, 'name'> = {
    fifo,
    visibilityTimeoutSeconds,
    messageRetentionSeconds: SETTINGS_RULES.queueRetentionSeconds,
    receiveWaitTimeSeconds: SETTINGS_RULES.receiveWaitTimeSeconds,
    contentBasedDeduplication: fifo,
  };
  return {
    jobName: job.name,
    fifo,
    queue: {
      ...base,
      name: queueName(job),
      maxReceiveCount: job.retry.maxAttempts + SETTINGS_RULES.receiveAllowance,
    },
    dlq: { ...base, name: dlqName(job), messageRetentionSeconds: SETTINGS_RULES.dlqRetentionSeconds },
    function: {
      timeoutSeconds: job.timeoutSeconds,
      memoryMiB: job.memoryMiB,
      deadlineMarginMs: job.deadlineMarginMs,
      recordConcurrency: job.batch.recordConcurrency,
    },
    eventSource: {
      batchSize: job.batch.size,
      maxBatchingWindowSeconds: job.batch.windowSeconds,
      maxConcurrency: job.batch.maxConcurrency,
      reportBatchItemFailures: true,
    },
    retry: job.retry,
    schedules: deriveSchedules(job, options.schedules?.[job.name]),
    resources: job.resources,
    useLedger: job.useLedger,
    limited: job.limits !== undefined,
  };
}

/** The attribute map for SQS `CreateQueue`, as the local runtime creates queues. */
export function sqsQueueAttributes(
  queue: QueueSettings,
  redrive?: { dlqArn: string; maxReceiveCount: number },
): Record<string, string> {
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(queue.messageRetentionSeconds),
    ReceiveMessageWaitTimeSeconds: String(queue.receiveWaitTimeSeconds),
  };
  if (queue.fifo) {
    attributes.FifoQueue = 'true';
    attributes.ContentBasedDeduplication = String(queue.contentBasedDeduplication);
  }
  if (redrive) {
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: redrive.dlqArn,
      maxReceiveCount: redrive.maxReceiveCount,
    });
  }
  return attributes;
}

/**
 * The ledger table as a stack or the local runtime creates it: the ledger's keys, indexes and
 * expiry attribute (`LEDGER_TABLE`), deployed on demand with point-in-time recovery.
 */
export interface TableSpec extends LedgerTable {
  readonly billingMode: 'PAY_PER_REQUEST';
  readonly pointInTimeRecovery: true;
}

export const TABLE_SPEC: TableSpec = {
  ...LEDGER_TABLE,
  billingMode: 'PAY_PER_REQUEST',
  pointInTimeRecovery: true,
};

export interface Settings {
  readonly jobs: readonly JobSettings[];
  readonly table: TableSpec;
  /** @throws {UnknownJobError} */
  job(name: string): JobSettings;
}

/**
 * Derives the settings of every registered job plus the table.
 *
 * @example
 * const settings = deriveSettings(registry, { schedules: { 'sync.run': [{ id: 'crm', expression: 'rate(1 hour)', payload: { sourceId: 'crm' } }] } });
 * settings.job('email.send').queue.visibilityTimeoutSeconds; // 181
 */
export function deriveSettings(registry: JobRegistry, options: SettingsOptions = {}): Settings {
  for (const name of Object.keys(options.schedules ?? {})) registry.get(name);
  const jobs = registry.jobs.map((job) => deriveJobSettings(job, options));
  const byName = new Map(jobs.map((s) => [s.jobName, s]));
  return {
    jobs,
    table: TABLE_SPEC,
    job(name) {
      registry.get(name);
      const found = byName.get(name);
      if (!found) throw new JobDefinitionError(`No settings derived for job "${name}"`);
      return found;
    },
  };
}

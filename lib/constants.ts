/**
 * Names and defaults shared by the framework, the stack, the local runtime and the CLI.
 * Every value here is referenced, never restated: a rename happens in one place.
 */

/** The envelope version this build writes and the only one it reads. */
export const ENVELOPE_VERSION = 1 as const;

/**
 * Stands for a job name where a message carries none that is valid: the dead-letter attribute of
 * an undecodable message, the ledger record of a dead-on-arrival message with a bad name.
 */
export const UNKNOWN_JOB_NAME = '(unknown)';

/** Job statuses as recorded in the ledger (see PRODUCT.md, "Statuses"). */
export const JOB_STATUSES = [
  'scheduled',
  'queued',
  'running',
  'succeeded',
  'retrying',
  'dead',
  'cancelled',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * SQS message attributes that carry the reason a message was dead-lettered.
 * SQS attribute names may not start with `AWS.` or `Amazon.`, hence the prefix.
 */
export const DEAD_LETTER_ATTRIBUTES = {
  errorCode: 'hangar.error-code',
  errorMessage: 'hangar.error-message',
  attempt: 'hangar.attempt',
  failedAt: 'hangar.failed-at',
  jobName: 'hangar.job-name',
} as const;
export type DeadLetterAttribute = (typeof DEAD_LETTER_ATTRIBUTES)[keyof typeof DEAD_LETTER_ATTRIBUTES];

/**
 * The message attributes Scheduler adds to a firing it puts in a DLQ (the CLI and the dashboard
 * read the first two as the reason of a dead letter that carries no `DEAD_LETTER_ATTRIBUTES`).
 */
export const SCHEDULER_DLQ_ATTRIBUTES = {
  errorCode: 'ERROR_CODE',
  errorMessage: 'ERROR_MESSAGE',
  exhaustedRetryCondition: 'EXHAUSTED_RETRY_CONDITION',
  retryAttempts: 'RETRY_ATTEMPTS',
  targetArn: 'TARGET_ARN',
} as const;

/**
 * SQS message attributes that steer a delivery besides the dead-letter ones. A message that
 * carries `DEAD_LETTER_ATTRIBUTES.errorCode` (moved back by SQS's move task) or `redrivenAt` (a
 * selective redrive) is a redrive: only a redrive runs a job the ledger holds as `dead`.
 */
export const DELIVERY_ATTRIBUTES = {
  /** Set by `hangar redrive` (and the dashboard) on each message it sends back: the time of the redrive. */
  redrivenAt: 'hangar.redriven-at',
  /**
   * Set by the worker on a message whose job ran but whose end it could not write to the ledger:
   * the outcome, so that the next delivery writes it instead of running the job again.
   */
  settlement: 'hangar.settlement',
  /**
   * Set by the worker on every copy it makes of a message (a retry, a hand-back, a settlement):
   * the id of the message the copy descends from. The ledger treats a copy as the holder's own
   * message when it takes over an ended lease (see `AttemptRef.takeoverAfterMs`).
   */
  origin: 'hangar.origin',
  /**
   * Set by the worker on the fresh copy of a job it deferred because of a declared limit: how many
   * times the job has been deferred, which spaces out its next tries.
   */
  deferrals: 'hangar.deferrals',
} as const;

/** CloudWatch namespace and metric names emitted by workers (EMF) and read by alarms and the dashboard. */
export const METRICS_NAMESPACE = 'Hangar' as const;
export const METRIC_NAMES = {
  succeeded: 'JobSucceeded',
  retried: 'JobRetried',
  deadLettered: 'JobDeadLettered',
  handedBack: 'JobHandedBack',
  continued: 'JobContinued',
  duration: 'JobDuration',
  /** Records the nightly cleanup deleted, per run (dimension: kind). */
  cleanupDeleted: 'CleanupDeleted',
} as const;
export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/** SQS limits the client and the settings module check against. */
export const SQS_LIMITS = {
  /** Entries in one `SendMessageBatch`. */
  batchEntries: 10,
  /** Bytes of one message, and of one whole batch request (body plus attributes). */
  messageBytes: 1_048_576,
  /** `DelaySeconds` upper bound; longer delays go through the scheduler. */
  maxDelaySeconds: 900,
  /** Visibility timeout upper bound. */
  maxVisibilitySeconds: 43_200,
  /** Message attributes on one message. */
  maxMessageAttributes: 10,
  /** Queue name length, including the `.fifo` suffix. */
  queueNameLength: 80,
  /** `MessageDeduplicationId` / `MessageGroupId` length. */
  fifoIdLength: 128,
} as const;

/** Defaults of a job declaration; each `@default` in `define-job.ts` names one of these. */
export const JOB_DEFAULTS = {
  maxAttempts: 5,
  baseDelaySeconds: 2,
  maxDelaySeconds: 300,
  timeoutSeconds: 30,
  memoryMiB: 512,
  batchSize: 10,
  maxBatchingWindowSeconds: 1,
  maxConcurrency: 5,
  recordConcurrency: 10,
  deadlineMarginMs: 3_000,
  useLedger: true,
} as const;

/**
 * Environment variables the stack and the local runtime set on functions, and functions read
 * (through `readEnv`, at cold start). One list, so infra and handlers cannot drift apart.
 */
export const ENV_VARS = {
  /** The job a worker function consumes (`email.send`). */
  jobName: 'HANGAR_JOB_NAME',
  /** That job's queue URL (for continuations and retry re-sends). */
  queueUrl: 'HANGAR_QUEUE_URL',
  /** That job's DLQ URL (the worker dead-letters permanent failures itself). */
  dlqUrl: 'HANGAR_DLQ_URL',
  /** The ledger table. */
  tableName: 'HANGAR_TABLE_NAME',
  /**
   * `legacy` while a stage steps from the ledger's older index set (`LEDGER_INDEX_STEPS`): the
   * functions that read indexes (API listings, cleanup) read the old ones. Absent: `current`.
   */
  ledgerIndexes: 'HANGAR_LEDGER_INDEXES',
  /** JSON `{ "<job name>": { "url": "…", "arn": "…" } }` of every job queue, for the API. */
  queues: 'HANGAR_QUEUES',
  /** Schedule group and role for one-time schedules (API, and workers that continue FIFO jobs with a delay). */
  scheduleGroupName: 'HANGAR_SCHEDULE_GROUP',
  schedulerRoleArn: 'HANGAR_SCHEDULER_ROLE_ARN',
  /** The SES identity e-mail is sent as. */
  senderEmail: 'HANGAR_SENDER_EMAIL',
  /** E-mails per second the stage's SES account accepts (`emailSendRate`); unset: no limit. */
  emailSendRate: 'HANGAR_EMAIL_SEND_RATE',
  /** The deployment stage, for logs and metric dimensions. */
  stage: 'HANGAR_STAGE',
  /**
   * `sync.run` only: JSON `[{ "id": "…", "url": "https://…", "pageSize": 100, "authParameter"?: "…" }]`,
   * the sources of the stage configuration (`syncSourceSchema`). `authParameter` names an SSM parameter (leading `/`) or a
   * Secrets Manager secret under the stage's prefix (`/hangar/<stage>/…`, `hangar/<stage>/…`).
   */
  syncSources: 'HANGAR_SYNC_SOURCES',
} as const;

/**
 * Timeouts and retries of every AWS SDK client Hangar builds (`awsClientConfig()` in
 * `lib/config/aws-client.ts`). The SDK's own defaults wait forever: no connection timeout, no
 * request timeout, and a 15-minute socket timeout — so one answer that never comes holds an
 * invocation until Lambda kills it, and everything it had done but not yet recorded happens again.
 */
export const AWS_CLIENT_TIMEOUTS = {
  /**
   * TCP connect, per attempt. Within a region a connection opens in milliseconds; this leaves
   * room for one lost SYN (its first retransmission comes after 1 s) and no more.
   */
  connectionTimeoutMs: 2_000,
  /**
   * A whole attempt, from sending the request to the last byte of the answer. SQS, DynamoDB and
   * SES answer single-item calls in well under a second; an attempt held longer is given up and
   * retried on a fresh connection. Long polls (`ReceiveMessage` with a wait) pass their own,
   * longer value per call.
   */
  requestTimeoutMs: 3_000,
  /**
   * Attempts per call, the first included (the SDK's standard retry mode: exponential backoff
   * with jitter, throttling and 5xx and network errors retried). Pinned, so an inherited
   * `AWS_MAX_ATTEMPTS` cannot stretch a call past the deadline margin: at most 3 × 3 s plus backoff.
   */
  maxAttempts: 3,
} as const;

/**
 * The worker runtime: turns job handlers into a Lambda handler for SQS events.
 *
 * Attempt arithmetic (why `maxReceiveCount` = max attempts + `SETTINGS_RULES.receiveAllowance`):
 * - The attempt of a delivery is `envelope.attempt + ApproximateReceiveCount − 1`.
 * - On a standard queue a retry is a *new* message carrying `attempt + 1` and `DelaySeconds` =
 *   the backoff (≤ 900 s), and a record handed back unstarted is re-sent unchanged; either way the
 *   original is deleted, so a message is normally received once and the envelope counts attempts.
 *   A backoff longer than 900 s instead extends the visibility of the same message, whose next
 *   receive then adds one — the formula holds for both.
 * - On a FIFO queue a new message would lose its place in the group, so retries and hand-backs
 *   extend the visibility of the same message; a FIFO hand-back therefore shows up as a receive.
 *   (Jobs on the ledger are protected from double runs by their claim either way.)
 * - A receive that never reported back (the function timed out or ran out of memory) counts as an
 *   attempt: that attempt did start.
 * The worker dead-letters a message itself when an attempt fails at `maxAttempts`, or when a
 * delivery arrives with its attempts already spent (crashes). SQS's redrive policy, at
 * `maxAttempts + receiveAllowance` receives, is the safety net for the cases the worker cannot
 * act in: a process killed again and again, or FIFO hand-backs beyond the allowance.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  ChangeMessageVisibilityCommand,
  type MessageAttributeValue,
  SendMessageCommand,
  type SendMessageCommandInput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { safeParse, z } from 'zod/mini';
import { fifoDeduplicationId } from '../client/job-client.js';
import { readEnv } from '../config/env.js';
import { DEAD_LETTER_ATTRIBUTES, ENV_VARS, METRIC_NAMES, SQS_LIMITS } from '../constants.js';
import {
  ConfigError,
  EnvelopeError,
  ERROR_CODES,
  JobError,
  JobValidationError,
  PermanentJobError,
  RetryableJobError,
  UnknownJobError,
} from '../errors.js';
import type { JobDefinition } from '../jobs/define-job.js';
import { decodeEnvelope, encodeEnvelope, type JobEnvelope } from '../jobs/envelope.js';
import { backoffDelay } from '../retry/backoff.js';
import { check, describeIssues, toValidationIssues } from '../validation.js';
import { createDeadline, type Deadline } from './deadline.js';
import { type EmfOptions, InvocationMetrics } from './emf.js';
import { runLanes, toLanes } from './lanes.js';
import type { AttemptRef, JobBinding, JobContext, JobLedger, JobResult } from './types.js';

/** The numbers of the runtime's own behaviour, named so the docs and tests can point at them. */
export const WORKER_RULES = {
  /** A record handed back unstarted becomes receivable again after this long. */
  handBackDelaySeconds: 1,
  /** The worker stops waiting for handlers this long before the hard deadline (at most half the margin). */
  hardStopReserveMs: 1_000,
  /** Dead-letter reasons are cut to this many characters. */
  maxReasonLength: 1_024,
  /** A claim's lease exceeds the function timeout by this much, for clock skew. */
  leaseSlackMs: 1_000,
  /** Error code of a delivery that arrives with its attempts already spent (earlier attempts crashed). */
  attemptsExhaustedCode: 'ATTEMPTS_EXHAUSTED',
  /** Error code of a handler still running at the hard stop. */
  deadlineExceededCode: 'DEADLINE_EXCEEDED',
} as const;

export interface WorkerQueue {
  /** The queue this function consumes; retries, hand-backs and continuations go back to it. */
  readonly url: string;
  /** Its DLQ, where the worker dead-letters messages itself. */
  readonly dlqUrl: string;
}

export interface WorkerOptions {
  /** The jobs this function runs, each with its handler (`handle(job, handler)`). */
  readonly jobs: readonly JobBinding[];
  /** The ledger, for jobs whose declaration has `useLedger` (all built-in jobs). */
  readonly ledger?: JobLedger;
  /** @default a new SQSClient */
  readonly sqs?: SQSClient;
  /** @default read from `ENV_VARS.queueUrl` and `ENV_VARS.dlqUrl` at creation (cold start) */
  readonly queue?: WorkerQueue;
  /** @default a Powertools Logger (service name from POWERTOOLS_SERVICE_NAME, else "hangar") */
  readonly logger?: Logger;
  /** Where the invocation's EMF metrics line goes. @default process.stdout (Lambda ships it to CloudWatch) */
  readonly writeMetrics?: (line: string) => void;
  /** @default the largest `deadlineMarginMs` of the jobs */
  readonly deadlineMarginMs?: number;
  /** Records (FIFO: message groups) run at once. @default the smallest `batch.recordConcurrency` of the jobs */
  readonly recordConcurrency?: number;
  /** Source of jitter. @default Math.random */
  readonly random?: () => number;
}

export type SqsWorker = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** What became of one record: `ack` lets the event source delete it, `keep` reports it as a batch item failure. */
type Fate = 'ack' | 'keep';

/**
 * Creates the Lambda handler for a job queue. Never throws for a per-record problem; returns
 * `{ batchItemFailures }` naming every record that must stay on the queue.
 *
 * @example
 * export const handler = createWorker({ jobs: [handle(emailSend, sendEmail)], ledger });
 */
export function createWorker(options: WorkerOptions): SqsWorker {
  if (options.jobs.length === 0) throw new ConfigError('createWorker needs at least one job');
  const bindings = new Map<string, JobBinding>();
  for (const binding of options.jobs) {
    if (bindings.has(binding.job.name)) throw new ConfigError(`Job "${binding.job.name}" is bound twice`);
    bindings.set(binding.job.name, binding);
  }
  const jobs = options.jobs.map((b) => b.job);
  const queue = options.queue ?? queueFromEnv();
  const fifo = queue.url.endsWith('.fifo');
  const sqs = options.sqs ?? new SQSClient({});
  // The stack names each worker's service (POWERTOOLS_SERVICE_NAME); the dashboard finds metrics by it.
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'hangar';
  const logger = options.logger ?? new Logger({ serviceName });
  const emf: EmfOptions = {
    service: serviceName,
    jobName: jobs.length === 1 ? jobs[0]?.name : undefined,
    disabled: process.env.POWERTOOLS_METRICS_DISABLED === 'true',
    ...(options.writeMetrics ? { write: options.writeMetrics } : {}),
  };
  const marginMs = options.deadlineMarginMs ?? Math.max(...jobs.map((j) => j.deadlineMarginMs));
  const concurrency = options.recordConcurrency ?? Math.min(...jobs.map((j) => j.batch.recordConcurrency));
  const random = options.random ?? Math.random;
  const shared = { bindings, queue, fifo, sqs, logger, ledger: options.ledger, random };

  return async (event, context) => {
    // Per invocation, so concurrent invocations in one process never mix their counts.
    const rt: Runtime = { ...shared, metrics: new InvocationMetrics(emf) };
    // The hard stop must come after the signal, leaving a cooperating handler time to save its place.
    const deadline = createDeadline(
      context,
      marginMs,
      Math.min(WORKER_RULES.hardStopReserveMs, marginMs / 2),
    );
    const fates = new Map<string, Fate>();
    // Runs one record, or hands it back unstarted once the margin is reached (or, on FIFO, once an
    // earlier record of its group did not complete). Resolves whether the record completed.
    const step = async (record: SQSRecord, blocked: boolean): Promise<boolean> => {
      if (fates.has(record.messageId)) return true;
      let outcome: Outcome;
      try {
        outcome =
          blocked || deadline.signal.aborted
            ? await handBack(rt, record, WORKER_RULES.handBackDelaySeconds)
            : await runRecord(rt, record, deadline);
      } catch (error) {
        // Only our own SQS or ledger calls land here (handler errors are classified in runRecord).
        // Keeping the record is always safe: it comes back after its visibility timeout.
        rt.logger.error('Worker could not settle a record; it stays on the queue', {
          messageId: record.messageId,
          error: describeError(error),
        });
        outcome = KEPT;
      }
      if (!fates.has(record.messageId)) fates.set(record.messageId, outcome.fate);
      return outcome.completed;
    };
    try {
      const work = fifo
        ? runLanes(toLanes(event.Records), concurrency, async (lane) => {
            let blocked = false;
            for (const record of lane) if (!(await step(record, blocked))) blocked = true;
          })
        : runLanes(event.Records, concurrency, (record) => step(record, false));
      await Promise.race([work, deadline.hardStop]);
    } finally {
      deadline.dispose();
      flushMetrics(rt);
    }
    // Whatever has no fate yet was still running at the hard stop: keep it (never lose a message).
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      const fate = fates.get(record.messageId);
      if (fate === 'ack') continue;
      if (fate === undefined) {
        logger.warn('Record still running at the hard stop; left for redelivery', {
          messageId: record.messageId,
          code: WORKER_RULES.deadlineExceededCode,
        });
      }
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
    return { batchItemFailures };
  };
}

interface Runtime {
  readonly bindings: ReadonlyMap<string, JobBinding>;
  readonly queue: WorkerQueue;
  readonly fifo: boolean;
  readonly sqs: SQSClient;
  readonly logger: Logger;
  readonly metrics: InvocationMetrics;
  readonly ledger: JobLedger | undefined;
  readonly random: () => number;
}

/** `completed`: the record reached a final state in this batch (ran to success, or was dead-lettered). */
interface Outcome {
  readonly fate: Fate;
  readonly completed: boolean;
}
// Shared, frozen outcomes: a record's result allocates nothing.
const DONE: Outcome = Object.freeze({ fate: 'ack', completed: true });
const ACKED_PENDING: Outcome = Object.freeze({ fate: 'ack', completed: false });
const KEPT: Outcome = Object.freeze({ fate: 'keep', completed: false });

function queueFromEnv(): WorkerQueue {
  const nonEmpty = z.string().check(z.minLength(1));
  const env = readEnv({ [ENV_VARS.queueUrl]: nonEmpty, [ENV_VARS.dlqUrl]: nonEmpty });
  return { url: String(env[ENV_VARS.queueUrl]), dlqUrl: String(env[ENV_VARS.dlqUrl]) };
}

function receiveCount(record: SQSRecord): number {
  const count = Number.parseInt(record.attributes.ApproximateReceiveCount, 10);
  return Number.isFinite(count) && count > 0 ? count : 1;
}

async function runRecord(rt: Runtime, record: SQSRecord, deadline: Deadline): Promise<Outcome> {
  let envelope: JobEnvelope;
  try {
    envelope = decodeEnvelope(record.body);
  } catch (error) {
    const reason =
      error instanceof EnvelopeError
        ? error
        : new EnvelopeError('Message body is not an envelope', [], { cause: error });
    return deadLetter(rt, record, { jobName: undefined, attempt: receiveCount(record) }, reason);
  }
  const attempt = envelope.attempt + receiveCount(record) - 1;
  const binding = rt.bindings.get(envelope.name);
  const job = binding?.job;
  const ref: AttemptRef = {
    jobId: envelope.jobId,
    jobName: envelope.name,
    attempt,
    continuation: envelope.continuation,
    enqueuedAt: envelope.enqueuedAt,
    messageId: record.messageId,
    leaseMs: (job?.timeoutSeconds ?? 0) * 1000 + WORKER_RULES.leaseSlackMs,
  };
  if (!binding || !job) {
    const error = new UnknownJobError(envelope.name, [...rt.bindings.keys()]);
    await rt.ledger?.deadOnArrival(ref, { errorCode: error.code, errorMessage: error.message });
    return deadLetter(rt, record, { jobName: envelope.name, attempt }, error);
  }
  const ledger = job.useLedger ? rt.ledger : undefined;
  const parsed = safeParse(job.schema, envelope.payload);
  if (!parsed.success) {
    const issues = toValidationIssues(parsed.error.issues, 'payload');
    const error = new JobValidationError(
      `Invalid payload for job "${job.name}": ${describeIssues(issues)}`,
      issues,
    );
    await ledger?.deadOnArrival(ref, { errorCode: error.code, errorMessage: error.message });
    return deadLetter(rt, record, { jobName: job.name, attempt }, error);
  }
  if (attempt > job.retry.maxAttempts) {
    const error = new PermanentJobError(
      `Job "${job.name}" arrived for attempt ${attempt} of ${job.retry.maxAttempts}: earlier attempts ended without reporting (timeout or crash)`,
      { code: WORKER_RULES.attemptsExhaustedCode },
    );
    await ledger?.deadOnArrival(ref, { errorCode: error.code, errorMessage: error.message });
    return deadLetter(rt, record, { jobName: job.name, attempt }, error);
  }

  let token: string | undefined;
  if (ledger) {
    const claim = await ledger.claim(ref);
    if (claim.outcome === 'done' || claim.outcome === 'cancelled') {
      rt.logger.info('Job already settled; message dropped', {
        jobId: envelope.jobId,
        jobName: job.name,
        outcome: claim.outcome,
      });
      return DONE;
    }
    if (claim.outcome === 'busy') return handBack(rt, record, Math.ceil(claim.retryAfterMs / 1000));
    token = claim.token;
  }

  const context = new AttemptContext(rt, job, envelope, ref, deadline, ledger, token);
  const started = Date.now();
  let result: JobResult | undefined;
  try {
    result = (await binding.handler(parsed.data, context)) ?? undefined;
  } catch (error) {
    rt.metrics.duration(Date.now() - started);
    return failAttempt(rt, record, envelope, job, ref, token, error);
  }
  rt.metrics.duration(Date.now() - started);
  const continued = context.continuedAs;
  if (ledger && token !== undefined) {
    if (continued !== undefined) await ledger.continued(ref, token, continued);
    else await ledger.succeed(ref, token, result);
  }
  rt.metrics.count(continued === undefined ? METRIC_NAMES.succeeded : METRIC_NAMES.continued);
  return DONE;
}

/**
 * The `JobContext` of one attempt. A class, not an object literal: its accessors and methods live
 * on the prototype, so a record costs one small object instead of a literal with a getter and
 * three closures. (Call its methods on the context: `context.continueWith(…)`.)
 */
class AttemptContext implements JobContext {
  readonly jobId: string;
  readonly jobName: string;
  readonly attempt: number;
  readonly continuation: number;
  readonly enqueuedAt: string;
  readonly correlationId: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly signal: AbortSignal;
  /** The continuation number `continueWith` enqueued, if it was called. */
  continuedAs: number | undefined;
  // Built on first use: a child logger costs tens of microseconds, more than a no-op job itself.
  #logger: Logger | undefined;
  readonly #rt: Runtime;
  readonly #job: JobDefinition;
  readonly #envelope: JobEnvelope;
  readonly #ref: AttemptRef;
  readonly #deadline: Deadline;
  readonly #ledger: JobLedger | undefined;
  readonly #token: string | undefined;

  constructor(
    rt: Runtime,
    job: JobDefinition,
    envelope: JobEnvelope,
    ref: AttemptRef,
    deadline: Deadline,
    ledger: JobLedger | undefined,
    token: string | undefined,
  ) {
    this.jobId = envelope.jobId;
    this.jobName = job.name;
    this.attempt = ref.attempt;
    this.continuation = envelope.continuation;
    this.enqueuedAt = envelope.enqueuedAt;
    this.correlationId = envelope.correlationId;
    this.idempotencyKey = envelope.idempotencyKey;
    this.signal = deadline.signal;
    this.continuedAs = undefined;
    this.#rt = rt;
    this.#job = job;
    this.#envelope = envelope;
    this.#ref = ref;
    this.#deadline = deadline;
    this.#ledger = ledger;
    this.#token = token;
  }

  get logger(): Logger {
    this.#logger ??= this.#rt.logger.createChild({
      persistentKeys: { jobId: this.jobId, jobName: this.jobName, attempt: this.attempt },
    });
    return this.#logger;
  }

  remainingTimeMs(): number {
    return this.#deadline.remainingMs();
  }

  async continueWith(payload: unknown, options?: { readonly delaySeconds?: number }): Promise<void> {
    if (this.continuedAs !== undefined) {
      throw new JobError(`Job "${this.jobName}" called continueWith twice in one attempt`, {
        retryable: false,
      });
    }
    const next = this.continuation + 1;
    await sendContinuation(this.#rt, this.#job, this.#envelope, payload, next, options?.delaySeconds ?? 0);
    this.continuedAs = next;
  }

  async progress(progress: Readonly<Record<string, string | number>>): Promise<void> {
    if (this.#ledger && this.#token !== undefined)
      await this.#ledger.progress(this.#ref, this.#token, progress);
  }
}

async function failAttempt(
  rt: Runtime,
  record: SQSRecord,
  envelope: JobEnvelope,
  job: JobDefinition,
  ref: AttemptRef,
  token: string | undefined,
  error: unknown,
): Promise<Outcome> {
  const reason = describeError(error);
  const permanent = error instanceof JobError && !error.retryable;
  const ledger = job.useLedger ? rt.ledger : undefined;
  if (permanent || ref.attempt >= job.retry.maxAttempts) {
    if (ledger && token !== undefined) {
      await ledger.fail(ref, token, { status: 'dead', errorCode: reason.code, errorMessage: reason.message });
    }
    return deadLetter(rt, record, { jobName: job.name, attempt: ref.attempt }, error);
  }
  const backoff = backoffDelay(ref.attempt, job.retry.baseDelaySeconds, job.retry.maxDelaySeconds, rt.random);
  const asked = error instanceof RetryableJobError ? (error.retryAfterSeconds ?? 0) : 0;
  const delaySeconds = Math.min(SQS_LIMITS.maxVisibilitySeconds, Math.ceil(Math.max(backoff, asked)));
  if (ledger && token !== undefined) {
    const retryAt = new Date(Date.now() + delaySeconds * 1000).toISOString();
    await ledger.fail(ref, token, {
      status: 'retrying',
      errorCode: reason.code,
      errorMessage: reason.message,
      retryAt,
    });
  }
  rt.metrics.count(METRIC_NAMES.retried);
  rt.logger.warn('Attempt failed; retrying', {
    jobId: envelope.jobId,
    jobName: job.name,
    attempt: ref.attempt,
    delaySeconds,
    errorCode: reason.code,
    error: reason.message,
  });
  if (!rt.fifo && delaySeconds <= SQS_LIMITS.maxDelaySeconds) {
    // Send before the original is deleted: a crash in between duplicates, never loses.
    await rt.sqs.send(
      new SendMessageCommand({
        QueueUrl: rt.queue.url,
        MessageBody: encodeEnvelope({ ...envelope, attempt: ref.attempt + 1 }),
        DelaySeconds: delaySeconds,
      }),
    );
    return ACKED_PENDING;
  }
  await changeVisibility(rt, record, delaySeconds);
  return KEPT;
}

/**
 * Gives a record back without counting an attempt. Standard queues get a fresh copy (so the
 * receive count, which counts attempts, is untouched) and the original is deleted; FIFO queues
 * keep the message and its place in its group, visible again after `delaySeconds`.
 */
async function handBack(rt: Runtime, record: SQSRecord, delaySeconds: number): Promise<Outcome> {
  rt.metrics.count(METRIC_NAMES.handedBack);
  const delay = Math.max(0, delaySeconds);
  if (!rt.fifo && delay <= SQS_LIMITS.maxDelaySeconds) {
    try {
      await rt.sqs.send(
        new SendMessageCommand({ QueueUrl: rt.queue.url, MessageBody: record.body, DelaySeconds: delay }),
      );
      return ACKED_PENDING;
    } catch (error) {
      rt.logger.warn('Re-send of a handed-back record failed; changing its visibility instead', {
        messageId: record.messageId,
        error: describeError(error).message,
      });
    }
  }
  await changeVisibility(rt, record, Math.min(delay, SQS_LIMITS.maxVisibilitySeconds));
  return KEPT;
}

async function changeVisibility(rt: Runtime, record: SQSRecord, seconds: number): Promise<void> {
  try {
    await rt.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: rt.queue.url,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  } catch (error) {
    // The record is kept either way; it returns after its current visibility timeout instead.
    rt.logger.warn('ChangeMessageVisibility failed', {
      messageId: record.messageId,
      error: describeError(error).message,
    });
  }
}

/**
 * Moves a record to the DLQ with its reason as message attributes, then lets the event source
 * delete it. The body is kept byte for byte, so a redrive sends back exactly what arrived.
 */
async function deadLetter(
  rt: Runtime,
  record: SQSRecord,
  where: { readonly jobName: string | undefined; readonly attempt: number },
  error: unknown,
): Promise<Outcome> {
  const reason = describeError(error);
  const attributes: Record<string, MessageAttributeValue> = {
    [DEAD_LETTER_ATTRIBUTES.errorCode]: { DataType: 'String', StringValue: reason.code },
    [DEAD_LETTER_ATTRIBUTES.errorMessage]: { DataType: 'String', StringValue: reason.message },
    [DEAD_LETTER_ATTRIBUTES.attempt]: { DataType: 'Number', StringValue: String(where.attempt) },
    [DEAD_LETTER_ATTRIBUTES.failedAt]: { DataType: 'String', StringValue: new Date().toISOString() },
    [DEAD_LETTER_ATTRIBUTES.jobName]: { DataType: 'String', StringValue: where.jobName ?? '(unknown)' },
  };
  const input: SendMessageCommandInput = {
    QueueUrl: rt.queue.dlqUrl,
    MessageBody: record.body,
    MessageAttributes: attributes,
  };
  if (rt.fifo) {
    input.MessageGroupId = record.attributes.MessageGroupId ?? 'dead-letter';
    // The source message id: a second dead-lettering of the same delivery is dropped as a repeat.
    input.MessageDeduplicationId = record.messageId;
  }
  await rt.sqs.send(new SendMessageCommand(input));
  rt.metrics.count(METRIC_NAMES.deadLettered);
  rt.logger.error('Job dead-lettered', {
    messageId: record.messageId,
    jobName: where.jobName,
    attempt: where.attempt,
    errorCode: reason.code,
    error: reason.message,
  });
  return DONE;
}

async function sendContinuation(
  rt: Runtime,
  job: JobDefinition,
  envelope: JobEnvelope,
  payload: unknown,
  continuation: number,
  delaySeconds: number,
): Promise<void> {
  const parsed = check(job.schema, payload, 'payload');
  if (!parsed.ok) {
    throw new JobValidationError(
      `Invalid continuation payload for job "${job.name}": ${describeIssues(parsed.issues)}`,
      parsed.issues,
    );
  }
  const next: JobEnvelope = {
    ...envelope,
    payload: payload as JobEnvelope['payload'],
    attempt: 1,
    continuation,
  };
  const input: SendMessageCommandInput = { QueueUrl: rt.queue.url, MessageBody: encodeEnvelope(next) };
  if (job.fifo) {
    if (delaySeconds > 0) {
      throw new PermanentJobError(`Job "${job.name}" is FIFO: a continuation cannot be delayed`, {
        code: ERROR_CODES.jobDefinition,
      });
    }
    input.MessageGroupId = job.fifo.groupKey(parsed.value);
    input.MessageDeduplicationId = fifoDeduplicationId(next);
  } else if (delaySeconds > 0) {
    input.DelaySeconds = Math.min(delaySeconds, SQS_LIMITS.maxDelaySeconds);
  }
  await rt.sqs.send(new SendMessageCommand(input));
}

/** Code and message of anything thrown, for logs, the ledger and dead-letter attributes. */
export function describeError(error: unknown): { code: string; message: string } {
  const code =
    error instanceof JobError
      ? error.code
      : error instanceof Error
        ? error.name || 'Error'
        : 'NonErrorThrown';
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : safeString(error);
  const message = (raw || '(no message)').slice(0, WORKER_RULES.maxReasonLength);
  return { code: code.slice(0, 256) || 'Error', message };
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function flushMetrics(rt: Runtime): void {
  try {
    rt.metrics.flush();
  } catch (error) {
    rt.logger.warn('Writing metrics failed', { error: describeError(error).message });
  }
}

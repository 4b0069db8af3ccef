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
  DeleteMessageCommand,
  type MessageAttributeValue,
  SendMessageCommand,
  type SendMessageCommandInput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
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
import { describeError } from './describe-error.js';
import { EmfFormat, InvocationMetrics } from './emf.js';
import { runLanes, toLanes } from './lanes.js';
import { WORKER_LOG_MESSAGES, WORKER_RULES } from './rules.js';
import type { AttemptRef, JobBinding, JobContext, JobLedger, JobResult } from './types.js';

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
  const marginMs = options.deadlineMarginMs ?? Math.max(...jobs.map((j) => j.deadlineMarginMs));
  const worker: WorkerRuntime = {
    bindings,
    queue,
    fifo,
    sqs,
    logger,
    ledger: options.ledger,
    random: options.random ?? Math.random,
    emf: new EmfFormat({
      service: serviceName,
      jobName: jobs.length === 1 ? jobs[0]?.name : undefined,
      disabled: process.env.POWERTOOLS_METRICS_DISABLED === 'true',
      ...(options.writeMetrics ? { write: options.writeMetrics } : {}),
    }),
    marginMs,
    // The hard stop must come after the signal, leaving a cooperating handler time to save its place.
    reserveMs: Math.min(WORKER_RULES.hardStopReserveMs, marginMs / 2),
    concurrency: options.recordConcurrency ?? Math.min(...jobs.map((j) => j.batch.recordConcurrency)),
  };
  return (event, context) => new Invocation(worker, context).run(event.Records);
}

/** What a worker function holds for all its invocations (built once, at cold start). */
interface WorkerRuntime {
  readonly bindings: ReadonlyMap<string, JobBinding>;
  readonly queue: WorkerQueue;
  readonly fifo: boolean;
  readonly sqs: SQSClient;
  readonly logger: Logger;
  readonly ledger: JobLedger | undefined;
  readonly random: () => number;
  readonly emf: EmfFormat;
  readonly marginMs: number;
  readonly reserveMs: number;
  readonly concurrency: number;
}

/** What the record helpers below need: the function's runtime plus this invocation's metrics and deadline. */
interface Runtime extends Omit<WorkerRuntime, 'emf' | 'marginMs' | 'reserveMs' | 'concurrency'> {
  readonly metrics: InvocationMetrics;
  readonly deadline: Deadline;
}

/**
 * One invocation: its deadline, its metrics (per invocation, so concurrent invocations in one
 * process never mix their counts) and the fate of each record, kept by position in the batch.
 */
class Invocation implements Runtime {
  readonly bindings: ReadonlyMap<string, JobBinding>;
  readonly queue: WorkerQueue;
  readonly fifo: boolean;
  readonly sqs: SQSClient;
  readonly logger: Logger;
  readonly ledger: JobLedger | undefined;
  readonly random: () => number;
  readonly metrics: InvocationMetrics;
  readonly deadline: Deadline;
  readonly #concurrency: number;
  readonly #fates: (Fate | undefined)[] = [];
  /**
   * Where a record's fate is kept: the position of the first record of the batch with its message
   * id. Only made for a batch that repeats an id, so that a repeat is run at most once and shares
   * the first one's fate, as one message.
   */
  #slots: number[] | undefined;
  /**
   * Set once the invocation has answered. A record still waiting in a lane then (behind one that
   * ignored the hard stop) is left alone: it was reported unfinished and comes back by itself, so
   * running or handing it back now would make a second copy.
   */
  #closed = false;

  constructor(worker: WorkerRuntime, context: Context) {
    this.bindings = worker.bindings;
    this.queue = worker.queue;
    this.fifo = worker.fifo;
    this.sqs = worker.sqs;
    this.logger = worker.logger;
    this.ledger = worker.ledger;
    this.random = worker.random;
    this.metrics = new InvocationMetrics(worker.emf);
    this.deadline = createDeadline(context, worker.marginMs, worker.reserveMs);
    this.#concurrency = worker.concurrency;
  }

  async run(records: readonly SQSRecord[]): Promise<SQSBatchResponse> {
    this.#slots = repeatedIds(records);
    try {
      const work = this.fifo
        ? runLanes(toLanes(records), this.#concurrency, async (lane) => {
            let blocked = false;
            for (const index of lane) {
              if (!(await this.#step(records[index] as SQSRecord, index, blocked))) blocked = true;
            }
          })
        : runLanes(records, this.#concurrency, (record, index) => this.#step(record, index, false));
      await Promise.race([work, this.deadline.hardStop]);
    } finally {
      this.#closed = true;
      this.deadline.dispose();
      flushMetrics(this);
    }
    // Whatever has no fate yet was still running at the hard stop: keep it (never lose a message).
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (let index = 0; index < records.length; index++) {
      const record = records[index] as SQSRecord;
      const fate = this.#fates[this.#slots?.[index] ?? index];
      if (fate === 'ack') continue;
      if (fate === undefined) {
        this.logger.warn(WORKER_LOG_MESSAGES.hardStop, {
          messageId: record.messageId,
          code: WORKER_RULES.deadlineExceededCode,
        });
      }
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
    return { batchItemFailures };
  }

  /**
   * Runs one record, or hands it back unstarted once the margin is reached (or, on FIFO, once an
   * earlier record of its group did not complete). Resolves whether the record completed.
   *
   * The common case — a valid job without the ledger — runs here without further async layers:
   * one promise of this method and one `await` of the handler per record.
   */
  async #step(record: SQSRecord, index: number, blocked: boolean): Promise<boolean> {
    if (this.#closed) return false;
    const slot = this.#slots?.[index] ?? index;
    if (this.#fates[slot] !== undefined) return true;
    let outcome: Outcome;
    try {
      if (blocked || this.deadline.reached) {
        outcome = await handBack(this, record, WORKER_RULES.handBackDelaySeconds);
      } else {
        const attempt = prepareAttempt(this, record);
        if (!(attempt instanceof Attempt)) outcome = await attempt;
        else if (attempt.ledger !== undefined) outcome = await runWithLedger(this, attempt, attempt.ledger);
        else {
          const context = new AttemptContext(this, attempt);
          const started = Date.now();
          let failure: { readonly error: unknown } | undefined;
          try {
            await attempt.binding.handler(attempt.payload, context);
          } catch (error) {
            failure = { error };
          }
          this.metrics.duration(Date.now() - started);
          if (failure !== undefined) outcome = await failAttempt(this, attempt, undefined, failure.error);
          else {
            this.metrics.count(
              attempt.continuedAs === undefined ? METRIC_NAMES.succeeded : METRIC_NAMES.continued,
            );
            outcome = DONE;
          }
        }
      }
    } catch (error) {
      // Only our own SQS or ledger calls land here (handler errors are classified in failAttempt).
      // Keeping the record is always safe: it comes back after its visibility timeout.
      this.logger.error(WORKER_LOG_MESSAGES.unsettled, {
        messageId: record.messageId,
        error: describeError(error),
      });
      outcome = KEPT;
    }
    this.#fates[slot] ??= outcome.fate;
    return outcome.completed;
  }
}

/** For a batch that repeats a message id, each record's slot (see `Invocation.#slots`); else undefined. */
function repeatedIds(records: readonly SQSRecord[]): number[] | undefined {
  const count = records.length;
  let repeated = false;
  if (count <= SMALL_BATCH) {
    // A few dozen string comparisons cost less than building a map for every invocation.
    for (let i = 1; i < count && !repeated; i++) {
      const id = (records[i] as SQSRecord).messageId;
      for (let j = 0; j < i; j++) {
        if ((records[j] as SQSRecord).messageId === id) {
          repeated = true;
          break;
        }
      }
    }
    if (!repeated) return undefined;
  }
  const first = new Map<string, number>();
  for (let index = 0; index < count; index++) {
    const id = (records[index] as SQSRecord).messageId;
    if (first.has(id)) repeated = true;
    else first.set(id, index);
  }
  if (!repeated) return undefined;
  return records.map((record, index) => first.get(record.messageId) ?? index);
}

/** Batches up to this size are checked for repeated ids pair by pair. */
const SMALL_BATCH = 16;

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

/**
 * A record that passed every check before its handler: its job, envelope, attempt and payload.
 * Internal: the handler sees only its `AttemptContext`.
 */
class Attempt {
  readonly record: SQSRecord;
  readonly binding: JobBinding;
  readonly envelope: JobEnvelope;
  readonly attempt: number;
  readonly payload: unknown;
  readonly ledger: JobLedger | undefined;
  /** The continuation number `continueWith` enqueued, if it was called. */
  continuedAs: number | undefined;
  /** The ledger claim's token, once claimed. */
  token: string | undefined;
  #ref: AttemptRef | undefined;

  constructor(
    record: SQSRecord,
    binding: JobBinding,
    envelope: JobEnvelope,
    attempt: number,
    payload: unknown,
    ledger: JobLedger | undefined,
  ) {
    this.record = record;
    this.binding = binding;
    this.envelope = envelope;
    this.attempt = attempt;
    this.payload = payload;
    this.ledger = ledger;
    this.continuedAs = undefined;
    this.token = undefined;
    this.#ref = undefined;
  }

  get job(): JobDefinition {
    return this.binding.job;
  }

  /** Names the attempt to the ledger; a job without one needs it only if the attempt fails. */
  get ref(): AttemptRef {
    this.#ref ??= attemptRef(this.envelope, this.attempt, this.record, this.binding.job);
    return this.#ref;
  }
}

/**
 * Decodes and checks a record up to its handler. Returns the attempt to run, or — for a record
 * that must not run (not an envelope, unknown job, invalid payload, attempts spent) — the promise
 * of its dead-lettering. Synchronous on the common path.
 */
function prepareAttempt(rt: Runtime, record: SQSRecord): Attempt | Promise<Outcome> {
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
  if (binding === undefined) {
    const error = new UnknownJobError(envelope.name, [...rt.bindings.keys()]);
    return deadOnArrival(rt, record, rt.ledger, attemptRef(envelope, attempt, record, undefined), error);
  }
  const job = binding.job;
  const ledger = job.useLedger ? rt.ledger : undefined;
  const parsed = z.safeParse(job.schema, envelope.payload);
  if (!parsed.success) {
    const issues = toValidationIssues(parsed.error.issues, 'payload');
    const error = new JobValidationError(
      `Invalid payload for job "${job.name}": ${describeIssues(issues)}`,
      issues,
    );
    return deadOnArrival(rt, record, ledger, attemptRef(envelope, attempt, record, job), error);
  }
  if (attempt > job.retry.maxAttempts) {
    const error = new PermanentJobError(
      `Job "${job.name}" arrived for attempt ${attempt} of ${job.retry.maxAttempts}: earlier attempts ended without reporting (timeout or crash)`,
      { code: WORKER_RULES.attemptsExhaustedCode },
    );
    return deadOnArrival(rt, record, ledger, attemptRef(envelope, attempt, record, job), error);
  }
  return new Attempt(record, binding, envelope, attempt, parsed.data, ledger);
}

/** Records a message that dies before it could be claimed (when its job id is known), then dead-letters it. */
async function deadOnArrival(
  rt: Runtime,
  record: SQSRecord,
  ledger: JobLedger | undefined,
  ref: AttemptRef,
  error: JobError,
): Promise<Outcome> {
  await ledger?.deadOnArrival(ref, { errorCode: error.code, errorMessage: error.message });
  return deadLetter(rt, record, { jobName: ref.jobName, attempt: ref.attempt }, error);
}

/** An attempt of a job on the ledger: claim, run, and record the result — exactly two writes on success. */
async function runWithLedger(rt: Runtime, attempt: Attempt, ledger: JobLedger): Promise<Outcome> {
  const { envelope, job, ref } = attempt;
  const claim = await ledger.claim(ref);
  if (claim.outcome === 'done' || claim.outcome === 'cancelled') {
    rt.logger.info(WORKER_LOG_MESSAGES.alreadySettled, {
      jobId: envelope.jobId,
      jobName: job.name,
      outcome: claim.outcome,
    });
    return DONE;
  }
  if (claim.outcome === 'busy') return handBack(rt, attempt.record, Math.ceil(claim.retryAfterMs / 1000));
  const token = claim.token;
  attempt.token = token;

  const context = new AttemptContext(rt, attempt);
  const started = Date.now();
  let result: JobResult | undefined;
  try {
    result = (await attempt.binding.handler(attempt.payload, context)) ?? undefined;
  } catch (error) {
    rt.metrics.duration(Date.now() - started);
    return failAttempt(rt, attempt, token, error);
  }
  rt.metrics.duration(Date.now() - started);
  const continued = attempt.continuedAs;
  if (continued !== undefined) await ledger.continued(ref, token, continued);
  else await ledger.succeed(ref, token, result);
  rt.metrics.count(continued === undefined ? METRIC_NAMES.succeeded : METRIC_NAMES.continued);
  return DONE;
}

function attemptRef(
  envelope: JobEnvelope,
  attempt: number,
  record: SQSRecord,
  job: JobDefinition | undefined,
): AttemptRef {
  return {
    jobId: envelope.jobId,
    jobName: envelope.name,
    attempt,
    continuation: envelope.continuation,
    enqueuedAt: envelope.enqueuedAt,
    messageId: record.messageId,
    leaseMs: (job?.timeoutSeconds ?? 0) * 1000 + WORKER_RULES.leaseSlackMs,
  };
}

/**
 * The `JobContext` a handler gets. A class, not an object literal: its accessors and methods live
 * on the prototype, so a record costs one small object instead of a literal with a getter and
 * three closures; everything else is read from the attempt, not copied.
 * (Call its methods on the context: `context.continueWith(…)`.)
 */
class AttemptContext implements JobContext {
  readonly #rt: Runtime;
  readonly #attempt: Attempt;
  // Built on first use: a child logger costs tens of microseconds, more than a no-op job itself.
  #logger: Logger | undefined;

  constructor(rt: Runtime, attempt: Attempt) {
    this.#rt = rt;
    this.#attempt = attempt;
    this.#logger = undefined;
  }

  get jobId(): string {
    return this.#attempt.envelope.jobId;
  }

  get jobName(): string {
    return this.#attempt.binding.job.name;
  }

  get attempt(): number {
    return this.#attempt.attempt;
  }

  get continuation(): number {
    return this.#attempt.envelope.continuation;
  }

  get enqueuedAt(): string {
    return this.#attempt.envelope.enqueuedAt;
  }

  get correlationId(): string | undefined {
    return this.#attempt.envelope.correlationId;
  }

  get idempotencyKey(): string | undefined {
    return this.#attempt.envelope.idempotencyKey;
  }

  // The invocation's signal, made when a handler first asks for it (see deadline.ts).
  get signal(): AbortSignal {
    return this.#rt.deadline.signal;
  }

  get logger(): Logger {
    this.#logger ??= this.#rt.logger.createChild({
      persistentKeys: { jobId: this.jobId, jobName: this.jobName, attempt: this.attempt },
    });
    return this.#logger;
  }

  remainingTimeMs(): number {
    return this.#rt.deadline.remainingMs();
  }

  async continueWith(payload: unknown, options?: { readonly delaySeconds?: number }): Promise<void> {
    const attempt = this.#attempt;
    if (attempt.continuedAs !== undefined) {
      throw new JobError(`Job "${this.jobName}" called continueWith twice in one attempt`, {
        retryable: false,
      });
    }
    const next = this.continuation + 1;
    await sendContinuation(
      this.#rt,
      attempt.job,
      attempt.envelope,
      payload,
      next,
      options?.delaySeconds ?? 0,
    );
    attempt.continuedAs = next;
  }

  async progress(progress: Readonly<Record<string, string | number>>): Promise<void> {
    const { ledger, token } = this.#attempt;
    if (ledger !== undefined && token !== undefined)
      await ledger.progress(this.#attempt.ref, token, progress);
  }
}

async function failAttempt(
  rt: Runtime,
  attempt: Attempt,
  token: string | undefined,
  error: unknown,
): Promise<Outcome> {
  const { record, envelope, job, ref } = attempt;
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
  rt.logger.warn(WORKER_LOG_MESSAGES.retrying, {
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
    await deleteOriginal(rt, record);
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
    } catch (error) {
      rt.logger.warn(WORKER_LOG_MESSAGES.handBackResendFailed, {
        messageId: record.messageId,
        error: describeError(error).message,
      });
      await changeVisibility(rt, record, Math.min(delay, SQS_LIMITS.maxVisibilitySeconds));
      return KEPT;
    }
    await deleteOriginal(rt, record);
    return ACKED_PENDING;
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
    rt.logger.warn(WORKER_LOG_MESSAGES.visibilityChangeFailed, {
      messageId: record.messageId,
      error: describeError(error).message,
    });
  }
}

/**
 * Deletes a record whose fate is already sealed elsewhere — re-sent as a retry or hand-back, or
 * dead-lettered — instead of leaving that to the event source at the end of the invocation: an
 * invocation that ends without reporting (terminated at its timeout) or reports the record as
 * unfinished (its hard stop) would otherwise bring it back, and it would run, or die, twice.
 * Best effort: the event source deletes it too when the invocation reports back.
 */
async function deleteOriginal(rt: Runtime, record: SQSRecord): Promise<void> {
  try {
    await rt.sqs.send(
      new DeleteMessageCommand({ QueueUrl: rt.queue.url, ReceiptHandle: record.receiptHandle }),
    );
  } catch (error) {
    rt.logger.warn(WORKER_LOG_MESSAGES.deleteFailed, {
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
  await deleteOriginal(rt, record);
  rt.metrics.count(METRIC_NAMES.deadLettered);
  rt.logger.error(WORKER_LOG_MESSAGES.deadLettered, {
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

function flushMetrics(rt: Runtime): void {
  try {
    rt.metrics.flush();
  } catch (error) {
    rt.logger.warn(WORKER_LOG_MESSAGES.metricsFailed, { error: describeError(error).message });
  }
}

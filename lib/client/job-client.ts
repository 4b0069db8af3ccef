import {
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { ulid } from 'ulid';
import * as z from 'zod/mini';
import { ENVELOPE_VERSION, SQS_LIMITS } from '../constants.js';
import {
  ConfigError,
  EnqueueError,
  type JobError,
  JobValidationError,
  PayloadTooLargeError,
  UnknownJobError,
  type ValidationIssue,
} from '../errors.js';
import { fifoDeduplicationId } from '../jobs/deduplication.js';
import type { JobDefinition, JobInput } from '../jobs/define-job.js';
import type { Enqueued, EnqueueOptions, EnqueueRequest, EnqueueResult, JobSender } from '../jobs/enqueue.js';
import { encodeEnvelope, JOB_ID_PATTERN, type JobEnvelope } from '../jobs/envelope.js';
import { queueName } from '../jobs/names.js';
import type { JobRegistry } from '../jobs/registry.js';
import { anyOption, checkOptions, functionOption, type OptionsShape } from '../options.js';
import { backoffDelay, sleep } from '../retry/backoff.js';
import { check, describeIssues } from '../validation.js';
import { oneTimeScheduleName, type QueueAddress, type SchedulerPort } from './scheduler-port.js';

/** Per-send options. */
export interface JobClientOptions {
  readonly registry: JobRegistry;
  /**
   * Per job name, its queue. A job missing here is looked up by its derived queue name
   * (`GetQueueUrl`), which is how the local runtime's queues are found.
   */
  readonly queues?: Readonly<Record<string, QueueAddress>>;
  /** @default a new SQSClient with the SDK's standard configuration (region, endpoint from env). */
  readonly sqs?: SQSClient;
  /** Needed for run-at times beyond 15 minutes, delayed FIFO jobs and `cancel`. */
  readonly scheduler?: SchedulerPort;
  /** Sends of one batch entry that SQS reports as failed but retryable. @default CLIENT_DEFAULTS.maxSendAttempts */
  readonly maxSendAttempts?: number;
  /** @default CLIENT_DEFAULTS.retryBaseDelayMs */
  readonly retryBaseDelayMs?: number;
  readonly now?: () => Date;
  readonly newJobId?: () => string;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const CLIENT_DEFAULTS = {
  maxSendAttempts: 4,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 2_000,
} as const;

const OPTIONS_SCHEMA = z.strictObject({
  registry: z.custom<JobRegistry>(
    (value) => typeof value === 'object' && value !== null && 'get' in value,
    'is required: the registry of the jobs this client sends',
  ),
  queues: z.optional(z.record(z.string(), z.strictObject({ url: z.string(), arn: z.optional(z.string()) }))),
  sqs: anyOption,
  scheduler: anyOption,
  maxSendAttempts: z.optional(z.int().check(z.minimum(1))),
  retryBaseDelayMs: z.optional(z.int().check(z.minimum(0))),
  now: functionOption,
  newJobId: functionOption,
  sleep: functionOption,
} satisfies OptionsShape<JobClientOptions>);

const enqueueOptionsSchema = z.strictObject({
  delaySeconds: z.optional(z.int().check(z.minimum(0), z.maximum(365 * 86_400))),
  runAt: z.optional(
    z.union([
      z.date().check(z.refine((d) => !Number.isNaN(d.getTime()), 'must be a valid date')),
      z.iso.datetime({ offset: true }),
    ]),
  ),
  idempotencyKey: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  correlationId: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  jobId: z.optional(z.string().check(z.regex(JOB_ID_PATTERN, 'must be 1–64 letters, digits, "-" or "_"'))),
});

/** A validated request, ready to go to a queue or a scheduler. */
interface Prepared {
  readonly index: number;
  readonly job: JobDefinition;
  readonly envelope: JobEnvelope;
  readonly body: string;
  readonly delaySeconds: number;
  /** Set when the job goes through the scheduler. */
  readonly scheduleAt: Date | undefined;
  readonly messageGroupId: string | undefined;
  readonly deduplicationId: string | undefined;
}

type Outcome = EnqueueResult;

/**
 * Sends jobs from any service: validates every payload before anything is sent, batches
 * `SendMessageBatch` calls by count and size, retries the entries SQS reports as retryable, and
 * turns long delays into one-time schedules.
 *
 * @example
 * const client = new JobClient({ registry });
 * const { jobId } = await client.enqueue(emailSend, { to: ['ada@example.com'], subject: 'Hi', text: 'Hello' });
 */
export class JobClient implements JobSender {
  readonly #registry: JobRegistry;
  readonly #queues: Map<string, QueueAddress>;
  readonly #sqs: SQSClient;
  readonly #scheduler: SchedulerPort | undefined;
  readonly #maxSendAttempts: number;
  readonly #retryBaseDelayMs: number;
  readonly #now: () => Date;
  readonly #newJobId: () => string;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #lookups = new Map<string, Promise<QueueAddress>>();

  constructor(options: JobClientOptions) {
    checkOptions('JobClient', OPTIONS_SCHEMA, options);
    for (const name of Object.keys(options.queues ?? {})) options.registry.get(name);
    this.#registry = options.registry;
    this.#queues = new Map(Object.entries(options.queues ?? {}));
    this.#sqs = options.sqs ?? new SQSClient({});
    this.#scheduler = options.scheduler;
    this.#maxSendAttempts = options.maxSendAttempts ?? CLIENT_DEFAULTS.maxSendAttempts;
    this.#retryBaseDelayMs = options.retryBaseDelayMs ?? CLIENT_DEFAULTS.retryBaseDelayMs;
    this.#now = options.now ?? (() => new Date());
    this.#newJobId = options.newJobId ?? ulid;
    this.#sleep = options.sleep ?? sleep;
  }

  /**
   * Enqueues one job.
   * @throws {JobValidationError} when the payload or options are invalid (nothing is sent).
   * @throws {EnqueueError} when SQS or the scheduler refused it.
   */
  async enqueue<J extends JobDefinition>(
    job: J | string,
    payload: JobInput<J>,
    options: EnqueueOptions = {},
  ): Promise<Enqueued> {
    const prepared = this.#prepare({ ...options, job, payload }, 0);
    if (!('envelope' in prepared)) throw prepared.error;
    const [result] = await this.#dispatch([prepared], false);
    if (!result) throw new EnqueueError('No result for the enqueued job');
    if (!result.ok) throw result.error;
    const { index: _index, ok: _ok, ...enqueued } = result;
    return enqueued;
  }

  /**
   * Enqueues many jobs of one kind. Every payload is validated first; if any is invalid, nothing is
   * sent. Returns one result per payload, in order: a job id, or the error that stopped it.
   * @throws {JobValidationError} naming every bad field as `[index].payload.field`.
   */
  async enqueueMany<J extends JobDefinition>(
    job: J | string,
    payloads: readonly JobInput<J>[],
    options: EnqueueOptions = {},
  ): Promise<EnqueueResult[]> {
    const prepared = payloads.map((payload, index) => this.#prepare({ ...options, job, payload }, index));
    const issues: ValidationIssue[] = [];
    if (options.jobId !== undefined && payloads.length > 1) {
      issues.push({ path: 'jobId', message: 'one job id cannot name several jobs; use enqueueEach' });
    }
    for (const item of prepared) {
      if ('envelope' in item) continue;
      const error = item.error;
      if (error instanceof UnknownJobError) throw error;
      if (error instanceof JobValidationError)
        issues.push(...error.issues.map((i) => ({ ...i, path: `[${item.index}].${i.path}` })));
      else issues.push({ path: `[${item.index}]`, message: error.message });
    }
    if (issues.length > 0) {
      throw new JobValidationError(
        `${issues.length} problem(s) in the batch; nothing was sent: ${describeIssues(issues)}`,
        issues,
      );
    }
    return this.#dispatch(prepared as Prepared[], true);
  }

  /**
   * Enqueues mixed requests (several job names) and reports each one: an invalid request becomes an
   * error result and the valid ones are still sent. The API's batch route uses it.
   */
  async enqueueEach(requests: readonly EnqueueRequest[]): Promise<EnqueueResult[]> {
    const prepared = requests.map((request, index) => this.#prepare(request, index));
    const rejected = prepared.filter((p): p is Extract<Outcome, { ok: false }> => !('envelope' in p));
    const sent = await this.#dispatch(
      prepared.filter((p): p is Prepared => 'envelope' in p),
      true,
    );
    return [...rejected, ...sent].sort((a, b) => a.index - b.index);
  }

  /**
   * Validates one request as `enqueue` would — job name, options, payload, encoded size — without
   * sending anything.
   * @returns undefined when it would be sent, else the `UnknownJobError`, `JobValidationError` or `PayloadTooLargeError` that stops it.
   * @example
   * const problem = client.validate({ job: 'email.send', payload });
   */
  validate(request: EnqueueRequest): JobError | undefined {
    const prepared = this.#prepare(request, 0);
    return 'envelope' in prepared ? undefined : prepared.error;
  }

  /**
   * Cancels a job that waits on a one-time schedule.
   * @returns true when the schedule was deleted, false when there was none (it already fired, or the job was never scheduled).
   */
  async cancel(jobId: string): Promise<boolean> {
    return this.#requireScheduler('cancel').deleteOneTime(oneTimeScheduleName(jobId));
  }

  /** The queue of a job, as configured or looked up by its derived name. */
  async queueOf(job: JobDefinition | string): Promise<QueueAddress> {
    const definition = this.#registry.get(typeof job === 'string' ? job : job.name);
    const configured = this.#queues.get(definition.name);
    if (configured) return configured;
    let lookup = this.#lookups.get(definition.name);
    if (!lookup) {
      const name = queueName(definition);
      lookup = this.#sqs.send(new GetQueueUrlCommand({ QueueName: name })).then(
        (out) => {
          if (!out.QueueUrl) throw new ConfigError(`GetQueueUrl returned no URL for queue "${name}"`);
          return { url: out.QueueUrl };
        },
        (cause: unknown) => {
          this.#lookups.delete(definition.name);
          throw new ConfigError(
            `Queue "${name}" of job "${definition.name}" was not found; configure its URL`,
            { cause },
          );
        },
      );
      this.#lookups.set(definition.name, lookup);
    }
    return lookup;
  }

  #requireScheduler(purpose: string): SchedulerPort {
    if (!this.#scheduler) throw new ConfigError(`JobClient needs a scheduler to ${purpose}`);
    return this.#scheduler;
  }

  #prepare(request: EnqueueRequest, index: number): Prepared | Extract<Outcome, { ok: false }> {
    const fail = (error: JobError) => ({ index, ok: false as const, error });
    const job = this.#registry.find(typeof request.job === 'string' ? request.job : request.job.name);
    if (!job) {
      return fail(
        new UnknownJobError(
          typeof request.job === 'string' ? request.job : request.job.name,
          this.#registry.names,
        ),
      );
    }
    const { job: _job, payload, ...options } = request;
    const optionCheck = check(enqueueOptionsSchema, options);
    const payloadCheck = check(job.schema, payload, 'payload');
    const issues = [
      ...(optionCheck.ok ? [] : optionCheck.issues),
      ...(payloadCheck.ok ? [] : payloadCheck.issues),
    ];
    if (options.delaySeconds !== undefined && options.runAt !== undefined) {
      issues.push({ path: 'runAt', message: 'give either delaySeconds or runAt, not both' });
    }
    if (issues.length > 0) {
      return fail(new JobValidationError(`Invalid job "${job.name}": ${describeIssues(issues)}`, issues));
    }

    const now = this.#now();
    const runAt =
      options.runAt !== undefined
        ? new Date(options.runAt)
        : options.delaySeconds
          ? new Date(now.getTime() + options.delaySeconds * 1000)
          : undefined;
    const delayMs = runAt ? Math.max(0, runAt.getTime() - now.getTime()) : 0;
    const delaySeconds = Math.ceil(delayMs / 1000);
    // FIFO queues have no per-message delay, and SQS delays stop at 15 minutes: both go through the scheduler.
    const scheduled =
      delaySeconds > 0 && (job.fifo !== undefined || delaySeconds > SQS_LIMITS.maxDelaySeconds);
    const envelope: JobEnvelope = {
      version: ENVELOPE_VERSION,
      jobId: options.jobId ?? this.#newJobId(),
      name: job.name,
      payload: payload as JobEnvelope['payload'],
      enqueuedAt: now.toISOString(),
      attempt: 1,
      continuation: 0,
      ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
      ...(options.correlationId === undefined ? {} : { correlationId: options.correlationId }),
      ...(runAt && delayMs > 0 ? { runAt: runAt.toISOString() } : {}),
    };
    const body = encodeEnvelope(envelope);
    const bytes = Buffer.byteLength(body);
    if (bytes > SQS_LIMITS.messageBytes)
      return fail(new PayloadTooLargeError(job.name, bytes, SQS_LIMITS.messageBytes));
    return {
      index,
      job,
      envelope,
      body,
      delaySeconds: scheduled ? 0 : delaySeconds,
      scheduleAt: scheduled ? runAt : undefined,
      messageGroupId: job.fifo
        ? job.fifo.groupKey(payloadCheck.ok ? payloadCheck.value : payload)
        : undefined,
      deduplicationId: job.fifo ? fifoDeduplicationId(envelope) : undefined,
    };
  }

  async #dispatch(items: readonly Prepared[], batch: boolean): Promise<EnqueueResult[]> {
    const results: EnqueueResult[] = [];
    const immediate = new Map<string, Prepared[]>();
    const scheduled: Prepared[] = [];
    for (const item of items) {
      if (item.scheduleAt) scheduled.push(item);
      else {
        const group = immediate.get(item.job.name);
        if (group) group.push(item);
        else immediate.set(item.job.name, [item]);
      }
    }
    for (const [jobName, group] of immediate) {
      let queue: QueueAddress;
      try {
        queue = await this.queueOf(jobName);
      } catch (error) {
        results.push(...group.map((item) => failure(item, error, `Queue of job "${jobName}" is unknown`)));
        continue;
      }
      if (!batch) {
        results.push(...(await Promise.all(group.map((item) => this.#sendOne(queue, item)))));
        continue;
      }
      for (const chunk of chunkBySize(group)) results.push(...(await this.#sendBatch(queue, chunk)));
    }
    for (const item of scheduled) results.push(await this.#schedule(item));
    return results.sort((a, b) => a.index - b.index);
  }

  async #sendOne(queue: QueueAddress, item: Prepared): Promise<EnqueueResult> {
    try {
      await this.#sqs.send(new SendMessageCommand({ QueueUrl: queue.url, ...entryOf(item) }));
      return success(item, 'queued');
    } catch (error) {
      return failure(item, error, `Sending job "${item.job.name}" to SQS failed`);
    }
  }

  async #sendBatch(queue: QueueAddress, chunk: readonly Prepared[]): Promise<EnqueueResult[]> {
    const results: EnqueueResult[] = [];
    let pending = [...chunk];
    for (let attempt = 1; pending.length > 0; attempt++) {
      const byId = new Map(pending.map((item) => [String(item.index), item]));
      let output: SendMessageBatchCommandOutput;
      try {
        output = await this.#sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: pending.map(
              (item): SendMessageBatchRequestEntry => ({ Id: String(item.index), ...entryOf(item) }),
            ),
          }),
        );
      } catch (error) {
        // The SDK already retried throttling and 5xx; what reaches us is final for this request.
        results.push(
          ...pending.map((item) => failure(item, error, `Sending job "${item.job.name}" to SQS failed`)),
        );
        break;
      }
      for (const ok of output.Successful ?? []) {
        const item = ok.Id === undefined ? undefined : byId.get(ok.Id);
        if (item) {
          results.push(success(item, 'queued'));
          byId.delete(ok.Id as string);
        }
      }
      const retry: Prepared[] = [];
      for (const failed of output.Failed ?? []) {
        const item = failed.Id === undefined ? undefined : byId.get(failed.Id);
        if (!item) continue;
        byId.delete(failed.Id as string);
        if (!failed.SenderFault && attempt < this.#maxSendAttempts) retry.push(item);
        else {
          const reason = `${failed.Code ?? 'Unknown'}: ${failed.Message ?? 'no message'}`;
          results.push(
            failure(
              item,
              undefined,
              `SQS rejected job "${item.job.name}" (${reason}) after ${attempt} attempt(s)`,
              !failed.SenderFault,
            ),
          );
        }
      }
      // An entry SQS reported neither way must not vanish: report it, never drop it silently.
      for (const item of byId.values()) {
        results.push(failure(item, undefined, `SQS reported no outcome for job "${item.job.name}"`, true));
      }
      pending = retry;
      if (pending.length > 0) {
        await this.#sleep(backoffDelay(attempt, this.#retryBaseDelayMs, CLIENT_DEFAULTS.retryMaxDelayMs));
      }
    }
    return results;
  }

  async #schedule(item: Prepared): Promise<EnqueueResult> {
    const runAt = item.scheduleAt ?? this.#now();
    try {
      const scheduler = this.#requireScheduler(`run job "${item.job.name}" at ${runAt.toISOString()}`);
      const queue = await this.queueOf(item.job);
      await scheduler.createOneTime({
        name: oneTimeScheduleName(item.envelope.jobId, item.envelope.continuation),
        runAt,
        queue,
        body: item.body,
        ...(item.messageGroupId === undefined ? {} : { messageGroupId: item.messageGroupId }),
      });
      return success(item, 'scheduled');
    } catch (error) {
      return failure(item, error, `Scheduling job "${item.job.name}" failed`);
    }
  }
}

function entryOf(item: Prepared): Omit<SendMessageBatchRequestEntry, 'Id'> {
  return {
    MessageBody: item.body,
    ...(item.delaySeconds > 0 ? { DelaySeconds: item.delaySeconds } : {}),
    ...(item.messageGroupId === undefined ? {} : { MessageGroupId: item.messageGroupId }),
    ...(item.deduplicationId === undefined ? {} : { MessageDeduplicationId: item.deduplicationId }),
  };
}

/** Splits sends into `SendMessageBatch` requests of at most 10 entries and at most 1 MiB of bodies. */
export function chunkBySize<T extends { readonly body: string }>(items: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(item.body);
    if (
      current.length === SQS_LIMITS.batchEntries ||
      (current.length > 0 && bytes + size > SQS_LIMITS.messageBytes)
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function success(item: Prepared, status: Enqueued['status']): EnqueueResult {
  return {
    index: item.index,
    ok: true,
    jobId: item.envelope.jobId,
    status,
    ...(item.envelope.runAt === undefined ? {} : { runAt: item.envelope.runAt }),
  };
}

function failure(item: Prepared, cause: unknown, message: string, retryable = true): EnqueueResult {
  if (cause instanceof ConfigError) {
    return {
      index: item.index,
      ok: false,
      error: new EnqueueError(cause.message, { cause, retryable: false }),
    };
  }
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return { index: item.index, ok: false, error: new EnqueueError(message + detail, { cause, retryable }) };
}

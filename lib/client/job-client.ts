import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ulid } from 'ulid';
import * as z from 'zod/mini';
import { sqsClientConfig } from '../config/aws-client.js';
import {
  ConfigError,
  EnqueueError,
  type JobError,
  JobValidationError,
  UnknownJobError,
  type ValidationIssue,
} from '../errors.js';
import type { JobDefinition, JobInput } from '../jobs/define-job.js';
import type { Enqueued, EnqueueOptions, EnqueueRequest, EnqueueResult, JobSender } from '../jobs/enqueue.js';
import { queueName } from '../jobs/names.js';
import type { JobRegistry } from '../jobs/registry.js';
import { enqueueStep, needsEnqueueStep } from '../limits/enqueue-step.js';
import type { LimitStore } from '../limits/limit-store.js';
import { anyOption, checkOptions, functionOption, type OptionsShape } from '../options.js';
import { sleep } from '../retry/backoff.js';
import { describeIssues } from '../validation.js';
import { type Prepared, prepareRequest, type Rejected } from './prepare.js';
import {
  oneTimeScheduleName,
  type QueueAddress,
  queueAddressSchema,
  type SchedulerPort,
} from './scheduler-port.js';
import { type BatchRetry, chunkBySize, failure, sendBatch, sendOne, success } from './send-batch.js';

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
  /** Limit state: needed to send jobs that declare `unique` or `debounce` (the API always has it). */
  readonly limits?: LimitStore;
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
  queues: z.optional(z.record(z.string(), queueAddressSchema)),
  sqs: anyOption,
  scheduler: anyOption,
  limits: anyOption,
  maxSendAttempts: z.optional(z.int().check(z.minimum(1))),
  retryBaseDelayMs: z.optional(z.int().check(z.minimum(0))),
  now: functionOption,
  newJobId: functionOption,
  sleep: functionOption,
} satisfies OptionsShape<JobClientOptions>);

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
  readonly #limits: LimitStore | undefined;
  readonly #retry: BatchRetry;
  readonly #now: () => Date;
  readonly #newJobId: () => string;
  readonly #lookups = new Map<string, Promise<QueueAddress>>();

  constructor(options: JobClientOptions) {
    checkOptions('JobClient', OPTIONS_SCHEMA, options);
    for (const name of Object.keys(options.queues ?? {})) options.registry.get(name);
    this.#registry = options.registry;
    this.#queues = new Map(Object.entries(options.queues ?? {}));
    this.#sqs = options.sqs ?? new SQSClient(sqsClientConfig());
    this.#scheduler = options.scheduler;
    this.#limits = options.limits;
    this.#retry = {
      maxSendAttempts: options.maxSendAttempts ?? CLIENT_DEFAULTS.maxSendAttempts,
      baseDelayMs: options.retryBaseDelayMs ?? CLIENT_DEFAULTS.retryBaseDelayMs,
      maxDelayMs: CLIENT_DEFAULTS.retryMaxDelayMs,
      sleep: options.sleep ?? sleep,
    };
    this.#now = options.now ?? (() => new Date());
    this.#newJobId = options.newJobId ?? ulid;
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
    const rejected = prepared.filter((p): p is Rejected => !('envelope' in p));
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

  #prepare(request: EnqueueRequest, index: number): Prepared | Rejected {
    return prepareRequest(request, index, {
      registry: this.#registry,
      now: this.#now,
      newJobId: this.#newJobId,
    });
  }

  #requireScheduler(purpose: string): SchedulerPort {
    if (!this.#scheduler) throw new ConfigError(`JobClient needs a scheduler to ${purpose}`);
    return this.#scheduler;
  }

  async #dispatch(prepared: readonly Prepared[], batch: boolean): Promise<EnqueueResult[]> {
    const results: EnqueueResult[] = [];
    const items = await this.#limitStep(prepared, results);
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
        results.push(...(await Promise.all(group.map((item) => sendOne(this.#sqs, queue, item)))));
        continue;
      }
      for (const chunk of chunkBySize(group))
        results.push(...(await sendBatch(this.#sqs, queue, chunk, this.#retry)));
    }
    for (const item of scheduled) results.push(await this.#schedule(item));
    return results.sort((a, b) => a.index - b.index);
  }

  /**
   * Runs jobs with a unique key or a debounce through their step (lib/limits/enqueue-step.ts), one
   * at a time and in order, so that the last of a batch's payloads for one debounce key wins.
   * Answers those that send nothing into `results`; returns what is still to send.
   */
  async #limitStep(items: readonly Prepared[], results: EnqueueResult[]): Promise<Prepared[]> {
    const toSend: Prepared[] = [];
    for (const item of items) {
      if (!needsEnqueueStep(item.job)) {
        toSend.push(item);
        continue;
      }
      if (this.#limits === undefined) {
        const problem = new ConfigError(
          `Job "${item.job.name}" declares unique or debounce: JobClient needs a limit store (limits)`,
        );
        results.push(failure(item, problem, problem.message));
        continue;
      }
      try {
        const answer = await enqueueStep(this.#limits, item.job, item.envelope.jobId, item.envelope.payload);
        if (!answer.send)
          results.push({ index: item.index, ok: true, jobId: answer.jobId, status: 'queued' });
        else if (answer.delaySeconds === undefined || item.scheduleAt) toSend.push(item);
        else toSend.push({ ...item, delaySeconds: Math.max(item.delaySeconds, answer.delaySeconds) });
      } catch (error) {
        results.push(failure(item, error, `Limit state of job "${item.job.name}" could not be read`));
      }
    }
    return toSend;
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

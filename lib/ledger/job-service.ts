import { Logger } from '@aws-lambda-powertools/logger';
import { ulid } from 'ulid';
import * as z from 'zod/mini';
import type { JobStatus } from '../constants.js';
import { EnqueueError, errorMessage, JobError } from '../errors.js';
import type { EnqueueRequest, JobSender } from '../jobs/enqueue.js';
import { anyOption, checkOptions, functionOption, type OptionsShape } from '../options.js';
import type { JobStore } from './dynamo-job-ledger.js';
import { IdempotencyKeyConflictError, IdempotencyKeyInUseError, JobNotFoundError } from './errors.js';
import type { JobListQuery, JobPage } from './listing.js';
import type { JobRecord } from './records.js';
import { requestHash } from './request-hash.js';

/** A job the service accepted (or had accepted before, under the same idempotency key). */
export interface Accepted {
  readonly jobId: string;
  /** `queued` or `scheduled` for a new job; the job's current status for a replayed key. */
  readonly status: JobStatus;
  readonly runAt?: string;
  /** True when an earlier request with the same idempotency key answers this one: nothing was sent. */
  readonly replayed: boolean;
}

export type BatchOutcome =
  | ({ readonly index: number; readonly ok: true } & Accepted)
  | { readonly index: number; readonly ok: false; readonly error: JobError };

export const JOB_SERVICE_DEFAULTS = {
  /**
   * How long a reserved idempotency key without a job record counts as a request in flight
   * (answered 409, retry shortly). Longer than any API invocation (API Gateway stops at 30 s);
   * after it, the reservation is taken to be a crashed request and its job is sent again under
   * the same job id, which the worker's claim runs at most once.
   */
  keyInProgressMs: 60_000,
  /** Ledger writes one batch runs at once. */
  writeConcurrency: 10,
} as const;

export interface JobServiceOptions {
  readonly client: JobSender;
  readonly store: JobStore;
  /** @default a Powertools Logger */
  readonly logger?: Logger;
  /** @default JOB_SERVICE_DEFAULTS.keyInProgressMs */
  readonly keyInProgressMs?: number;
  readonly now?: () => Date;
  readonly newJobId?: () => string;
}

const OPTIONS_SCHEMA = z.strictObject({
  client: z.custom<JobSender>((value) => typeof value === 'object' && value !== null, 'is required'),
  store: z.custom<JobStore>((value) => typeof value === 'object' && value !== null, 'is required'),
  logger: anyOption,
  keyInProgressMs: z.optional(z.int().check(z.minimum(1))),
  now: functionOption,
  newJobId: functionOption,
} satisfies OptionsShape<JobServiceOptions>);

/** One request on its way through a batch. */
interface Item {
  readonly index: number;
  readonly request: EnqueueRequest;
  readonly name: string;
  error?: JobError;
  hash?: string;
  /** Set when the job goes to SQS or a schedule under this id. */
  sendAs?: string;
  /** This request reserved its key now (and frees it again if the send fails). */
  reservedKey?: boolean;
  accepted?: Accepted;
  /** An earlier item of the same batch with the same key and request: this one shares its outcome. */
  follows?: Item;
}

/**
 * Producers' front door to jobs when the ledger is reachable: enqueues through a `JobClient`
 * while enforcing idempotency keys, records each accepted job in the ledger, reads and lists
 * records, and cancels jobs that have not started. The HTTP API is a thin layer over it; a
 * service that holds the ledger table can use it in place of a bare `JobClient`.
 *
 * Order of an enqueue: validate → reserve the key (conditional put) → send → write the record
 * (conditional put; a worker that received the job first has written it already). A failed send
 * frees the key, so the caller's retry sends again.
 *
 * @example
 * const jobs = new JobService({ client, store: new DynamoJobLedger({ tableName }) });
 * const { jobId, replayed } = await jobs.enqueue({ job: 'email.send', payload, idempotencyKey: 'order-42' });
 */
export class JobService {
  readonly #client: JobSender;
  readonly #store: JobStore;
  readonly #logger: Logger;
  readonly #keyInProgressMs: number;
  readonly #now: () => Date;
  readonly #newJobId: () => string;

  constructor(options: JobServiceOptions) {
    checkOptions('JobService', OPTIONS_SCHEMA, options);
    this.#client = options.client;
    this.#store = options.store;
    this.#logger = options.logger ?? new Logger({ serviceName: 'hangar' });
    this.#keyInProgressMs = options.keyInProgressMs ?? JOB_SERVICE_DEFAULTS.keyInProgressMs;
    this.#now = options.now ?? (() => new Date());
    this.#newJobId = options.newJobId ?? ulid;
  }

  /**
   * Enqueues one job.
   * @throws {UnknownJobError} @throws {JobValidationError} @throws {PayloadTooLargeError}
   * @throws {IdempotencyKeyConflictError} @throws {IdempotencyKeyInUseError} @throws {EnqueueError}
   */
  async enqueue(request: EnqueueRequest): Promise<Accepted> {
    const [outcome] = await this.enqueueEach([request]);
    if (!outcome) throw new EnqueueError('No outcome for the enqueued job');
    if (!outcome.ok) throw outcome.error;
    const { index: _index, ok: _ok, ...accepted } = outcome;
    return accepted;
  }

  /**
   * Enqueues many jobs of any kinds and reports each: an invalid request, a key conflict or a
   * failed send is an error result, and the others still go. Two requests of one batch with the
   * same key and body are one job; with different bodies, the second is a conflict.
   */
  async enqueueEach(requests: readonly EnqueueRequest[]): Promise<BatchOutcome[]> {
    const items: Item[] = requests.map((request, index) => {
      const name = typeof request.job === 'string' ? request.job : request.job.name;
      const error = this.#client.validate(request);
      return { index, request, name, ...(error ? { error } : {}) };
    });

    await this.#reserveKeys(items);
    for (const item of items) {
      if (!item.error && !item.accepted && !item.follows && item.sendAs === undefined) {
        item.sendAs = this.#newJobId();
      }
    }
    await this.#send(items.filter((i) => i.sendAs !== undefined && !i.error));
    return items.map((item) => this.#outcome(item));
  }

  /** @throws {JobNotFoundError} */
  async get(jobId: string): Promise<JobRecord> {
    const record = await this.#store.getJob(jobId);
    if (!record) throw new JobNotFoundError(jobId);
    return record;
  }

  /** @throws {JobValidationError} for a bad limit or cursor. */
  async list(query: JobListQuery): Promise<JobPage> {
    return this.#store.listJobs(query);
  }

  /**
   * Cancels a job that has not started, and deletes its one-time schedule if it has one. The
   * ledger is the source of truth: should the schedule survive (its deletion failed), its
   * delivery finds the record cancelled and is dropped.
   * @throws {JobNotFoundError} @throws {JobAlreadyStartedError}
   */
  async cancel(jobId: string): Promise<JobRecord> {
    const { record, previousStatus } = await this.#store.cancelJob(jobId);
    if (previousStatus === 'scheduled') {
      try {
        await this.#client.cancel(jobId);
      } catch (error) {
        this.#logger.warn(
          'Deleting the one-time schedule failed; its delivery will be dropped as cancelled',
          {
            jobId,
            error: errorMessage(error),
          },
        );
      }
    }
    return record;
  }

  /** Reserves each distinct key once, and settles every keyed item from the answer. */
  async #reserveKeys(items: Item[]): Promise<void> {
    const owners = new Map<string, Item>();
    for (const item of items) {
      const key = item.request.idempotencyKey;
      if (item.error || key === undefined) continue;
      item.hash = requestHash(item.request);
      const owner = owners.get(key);
      if (!owner) owners.set(key, item);
      else if (owner.hash === item.hash) item.follows = owner;
      else item.error = new IdempotencyKeyConflictError();
    }
    await eachLimit([...owners], JOB_SERVICE_DEFAULTS.writeConcurrency, async ([key, item]) => {
      try {
        await this.#reserveKey(key, item);
      } catch (error) {
        item.error = ledgerFailure(error);
      }
    });
  }

  async #reserveKey(key: string, item: Item): Promise<void> {
    const jobId = this.#newJobId();
    const answer = await this.#store.reserveIdempotencyKey({ key, requestHash: item.hash ?? '', jobId });
    if (answer.reserved) {
      item.sendAs = jobId;
      item.reservedKey = true;
      return;
    }
    if (answer.requestHash !== item.hash) {
      item.error = new IdempotencyKeyConflictError();
      return;
    }
    const record = await this.#store.getJob(answer.jobId);
    if (record) {
      item.accepted = {
        jobId: record.jobId,
        status: record.status,
        ...(record.runAt === undefined ? {} : { runAt: record.runAt }),
        replayed: true,
      };
      return;
    }
    const age = this.#now().getTime() - Date.parse(answer.createdAt);
    if (!(age >= this.#keyInProgressMs)) {
      item.error = new IdempotencyKeyInUseError();
      return;
    }
    // The first request reserved the key and never wrote the record: it died before or after
    // its send. Send again under the same job id; if both messages exist, the claim runs one.
    this.#logger.warn('Idempotency key reserved by a request that did not finish; sending its job again', {
      jobId: answer.jobId,
    });
    item.sendAs = answer.jobId;
  }

  async #send(items: Item[]): Promise<void> {
    if (items.length === 0) return;
    const results = await this.#client.enqueueEach(
      items.map((item) => ({ ...item.request, jobId: item.sendAs })),
    );
    await eachLimit(items, JOB_SERVICE_DEFAULTS.writeConcurrency, async (item, i) => {
      const result = results[i];
      if (!result?.ok) {
        item.error = result?.error ?? new EnqueueError(`No result for job "${item.name}"`);
        if (item.reservedKey && item.sendAs !== undefined && item.request.idempotencyKey !== undefined) {
          await this.#release(item.request.idempotencyKey, item.sendAs);
        }
        return;
      }
      item.accepted = {
        jobId: result.jobId,
        status: result.status,
        ...(result.runAt === undefined ? {} : { runAt: result.runAt }),
        replayed: false,
      };
      try {
        await this.#store.createJob({
          jobId: result.jobId,
          name: item.name,
          status: result.status,
          ...(result.runAt === undefined ? {} : { runAt: result.runAt }),
          ...(item.request.idempotencyKey === undefined
            ? {}
            : { idempotencyKey: item.request.idempotencyKey }),
          ...(item.request.correlationId === undefined ? {} : { correlationId: item.request.correlationId }),
        });
      } catch (error) {
        // The job is on its way: the worker writes the record when it claims it.
        this.#logger.warn('Writing the job record failed; the worker will create it', {
          jobId: result.jobId,
          error: errorMessage(error),
        });
      }
    });
  }

  async #release(key: string, jobId: string): Promise<void> {
    try {
      await this.#store.releaseIdempotencyKey(key, jobId);
    } catch (error) {
      // Left reserved, the key is taken over after keyInProgressMs and its job sent then.
      this.#logger.warn('Freeing an idempotency key after a failed send failed', {
        jobId,
        error: errorMessage(error),
      });
    }
  }

  #outcome(item: Item): BatchOutcome {
    const settled = item.follows ?? item;
    const error = item.error ?? settled.error;
    if (error) return { index: item.index, ok: false, error };
    if (!settled.accepted) {
      return { index: item.index, ok: false, error: new EnqueueError(`No outcome for job "${item.name}"`) };
    }
    return {
      index: item.index,
      ok: true,
      ...settled.accepted,
      replayed: settled.accepted.replayed || item !== settled,
    };
  }
}

function ledgerFailure(error: unknown): JobError {
  if (error instanceof JobError) return error;
  const detail = error instanceof Error ? `: ${error.message}` : '';
  return new EnqueueError(`The job ledger is unavailable${detail}`, { cause: error, retryable: true });
}

/** Runs `fn` over `items` with at most `limit` at once. */
async function eachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      if (item !== undefined) await fn(item, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

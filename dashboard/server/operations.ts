/**
 * Everything the dashboard can do, as the CLI does it: each operation calls the same function the
 * matching `hangar` command calls (queue depths, the DLQ reader, selective and native redrive,
 * discard, schedules and run-now, the target's job service and ledger). Nothing here talks to AWS
 * in its own way; it adds only what a page needs around those calls — a lock per DLQ, so that
 * two scans from one dashboard never hide messages from each other, and tasks for long redrives.
 */
import { parseJob, parseOlderThan, parseStatus } from '../../cli/args.js';
import { discardDead } from '../../cli/discard.js';
import { type DeadMessageFilter, describeDead, findDead, matchesFilter, peekDlq } from '../../cli/dlq.js';
import { queueDepth, queueRows } from '../../cli/queues.js';
import { nativeRedrive, type RedriveResult, selectiveRedrive, usesNativeRedrive } from '../../cli/redrive.js';
import { listSchedules, runSchedule } from '../../cli/schedules.js';
import type { JobQueues, Target } from '../../cli/target.js';
import {
  ERROR_CODES,
  JOB_STATUSES,
  type JobDefinition,
  type JobRegistry,
  type JobStatus,
  JobValidationError,
} from '../../lib/index.js';
import { type JobCount, JobNotFoundError, type JobRecord } from '../../lib/ledger/index.js';
import { check } from '../../lib/validation.js';
import type {
  CancelOutcome,
  DashboardConfig,
  DeadLettersData,
  DeadPayload,
  DiscardSummary,
  EnqueueRequestBody,
  EnqueueResult,
  JobDetail,
  JobsPage,
  MetricRange,
  MetricsData,
  OverviewData,
  RunResult,
  SchedulesData,
  TaskView,
} from '../shared/api.js';
import { DASHBOARD_DEFAULTS } from './constants.js';
import { DashboardError } from './errors.js';
import { payloadJsonSchema } from './job-schema.js';
import type { MetricsSource } from './metrics/metrics-source.js';
import { scheduleRow } from './schedule-rows.js';
import { type TaskHandle, Tasks } from './tasks.js';
import { buildTimeline } from './timeline.js';

/**
 * Pausing and resuming job queues and recurring schedules: the one place the flow-control
 * operations plug in. The dashboard shows paused state and the buttons only when one is given.
 */
export interface FlowControl {
  /** Whether each job's queue is paused, by job name. */
  pausedQueues(): Promise<Readonly<Record<string, boolean>>>;
  pauseQueue(job: JobDefinition): Promise<void>;
  resumeQueue(job: JobDefinition): Promise<void>;
  pauseSchedule(name: string): Promise<void>;
  resumeSchedule(name: string): Promise<void>;
}

export interface OperationsOptions {
  readonly target: Target;
  readonly registry: JobRegistry;
  readonly metrics: MetricsSource;
  /** @default none: no pause and resume */
  readonly flowControl?: FlowControl;
  /** @default DASHBOARD_DEFAULTS.countCacheMs */
  readonly countCacheMs?: number;
  /** @default DASHBOARD_DEFAULTS.deadLetterLimit */
  readonly deadLetterLimit?: number;
  readonly now?: () => Date;
}

/** Query of the dead-letter page: all optional, all must match. */
export interface DeadLetterQuery {
  readonly errorCode?: string;
  /** `30m`, `2h`, `7d` or an ISO time, as `hangar redrive --older-than` takes it. */
  readonly olderThan?: string;
  /** A message id or a job id. */
  readonly id?: string;
}

export class DashboardOperations {
  readonly target: Target;
  readonly registry: JobRegistry;
  readonly flowControl: FlowControl | undefined;
  readonly #metrics: MetricsSource;
  readonly #now: () => Date;
  readonly #countCacheMs: number;
  readonly #deadLetterLimit: number;
  readonly #tasks = new Tasks();
  readonly #locks = new Map<string, Promise<unknown>>();
  #counts: { at: number; value: Promise<Record<JobStatus, JobCount>> } | undefined;

  constructor(options: OperationsOptions) {
    this.target = options.target;
    this.registry = options.registry;
    this.flowControl = options.flowControl;
    this.#metrics = options.metrics;
    this.#now = options.now ?? (() => new Date());
    this.#countCacheMs = options.countCacheMs ?? DASHBOARD_DEFAULTS.countCacheMs;
    this.#deadLetterLimit = options.deadLetterLimit ?? DASHBOARD_DEFAULTS.deadLetterLimit;
  }

  config(options: { readonly readOnly: boolean; readonly refreshMs: number }): DashboardConfig {
    return {
      target: { kind: this.target.kind, label: this.target.label },
      readOnly: options.readOnly,
      refreshMs: options.refreshMs,
      jobs: this.registry.jobs.map((job) => ({
        name: job.name,
        description: job.description,
        fifo: job.fifo !== undefined,
        schema: payloadJsonSchema(job),
      })),
      statuses: JOB_STATUSES,
      flowControl: this.flowControl !== undefined,
      nativeRedrive: this.target.kind === 'aws',
    };
  }

  // ---- Overview ---------------------------------------------------------------------------

  async overview(): Promise<OverviewData> {
    const [{ rows, agesKnown }, counts, paused] = await Promise.all([
      queueRows(this.target, this.registry, this.#now()),
      this.#statusCounts(),
      // Without the state (a target that cannot say), the page shows the queues without it.
      this.flowControl?.pausedQueues().catch(() => null) ?? null,
    ]);
    return { updatedAt: this.#now().toISOString(), queues: rows, agesKnown, counts, paused };
  }

  metrics(range: MetricRange): Promise<MetricsData> {
    return this.#metrics.series(range, this.#now());
  }

  /** Jobs per status, capped (`DASHBOARD_DEFAULTS.countCap`); null without a ledger. */
  async #statusCounts(): Promise<Record<JobStatus, JobCount> | null> {
    const ledger = this.target.ledger;
    if (!ledger) return null;
    const now = this.#now().getTime();
    if (!this.#counts || now - this.#counts.at >= this.#countCacheMs) {
      const value = Promise.all(
        JOB_STATUSES.map(async (status) => [
          status,
          await ledger.countJobs(status, DASHBOARD_DEFAULTS.countCap),
        ]),
      ).then((entries) => Object.fromEntries(entries) as Record<JobStatus, JobCount>);
      this.#counts = { at: now, value };
      value.catch(() => {
        this.#counts = undefined;
      });
    }
    return this.#counts.value;
  }

  // ---- Jobs -------------------------------------------------------------------------------

  async listJobs(query: {
    readonly status?: string;
    readonly name?: string;
    readonly limit?: number;
    readonly cursor?: string;
  }): Promise<JobsPage> {
    return this.#ledger().listJobs({
      ...(query.status ? { status: parseStatus(query.status) } : {}),
      ...(query.name ? { name: parseJob(this.registry, query.name).name } : {}),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
  }

  /** @throws {JobNotFoundError} */
  async job(jobId: string): Promise<JobDetail> {
    const record = await this.#ledger().getJob(jobId);
    if (!record) throw new JobNotFoundError(jobId);
    return {
      record,
      timeline: buildTimeline(record),
      deadLetterJob: record.status === 'dead' && this.registry.find(record.name) ? record.name : undefined,
    };
  }

  /**
   * A job by its id, else by the idempotency key it was enqueued with.
   * @throws {JobNotFoundError} naming what was looked for.
   */
  async lookup(idOrKey: string): Promise<JobRecord> {
    const ledger = this.#ledger();
    const found = (await ledger.getJob(idOrKey)) ?? (await ledger.findJobByIdempotencyKey(idOrKey));
    if (!found) throw new JobNotFoundError(idOrKey);
    return found;
  }

  /** Cancels each job that has not started; one outcome per id, in order. */
  async cancel(jobIds: readonly string[]): Promise<CancelOutcome[]> {
    const service = await this.target.jobService();
    const outcomes: CancelOutcome[] = [];
    for (const jobId of jobIds) {
      try {
        const record = await service.cancel(jobId);
        outcomes.push({ jobId, ok: true, status: record.status });
      } catch (error) {
        outcomes.push({ jobId, ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return outcomes;
  }

  /**
   * Redrives dead jobs by id ("retry"): each from its own job's DLQ, selectively (fresh attempts),
   * as `hangar redrive <job> --ids …` does.
   */
  async retry(jobIds: readonly string[]): Promise<TaskView> {
    const ledger = this.#ledger();
    const byJob = new Map<JobDefinition, string[]>();
    for (const jobId of jobIds) {
      const record = await ledger.getJob(jobId);
      if (!record) throw new JobNotFoundError(jobId);
      if (record.status !== 'dead')
        throw new DashboardError(
          ERROR_CODES.usage,
          `Job ${jobId} is ${record.status}, not dead: nothing to redrive`,
        );
      const job = parseJob(this.registry, record.name);
      byJob.set(job, [...(byJob.get(job) ?? []), jobId]);
    }
    const jobs = [...byJob];
    const label = `Redrive ${jobIds.length} dead job(s) of ${jobs.map(([job]) => job.name).join(', ')}`;
    return this.#tasks.start(label, 'selective', async (task) => {
      const totals = { moved: 0, skipped: 0, failed: 0, notFound: [] as string[] };
      for (const [job, ids] of jobs) {
        const result = await this.#selective(job, { ids }, task);
        totals.moved += result.moved.length;
        totals.skipped += result.skipped.length;
        totals.failed += result.failed.length;
        totals.notFound.push(...result.notFound);
      }
      return summarize(totals.moved, totals.skipped, totals.failed, totals.notFound);
    });
  }

  // ---- Dead letters -----------------------------------------------------------------------

  async deadLetters(jobName: string, query: DeadLetterQuery): Promise<DeadLettersData> {
    const { job, queues } = await this.#jobQueues(jobName);
    const filter = this.#filter(query);
    const found = await this.#exclusive(queues.dlq.url, () =>
      peekDlq(this.target.sqs, queues.dlq.url, { limit: this.#deadLetterLimit }),
    );
    return {
      job: job.name,
      dlq: queues.dlq.name,
      fifo: job.fifo !== undefined,
      messages: found.filter((m) => matchesFilter(m, filter)).map(describeDead),
      more: found.length >= this.#deadLetterLimit,
      limit: this.#deadLetterLimit,
    };
  }

  /** One dead message's payload, read without consuming it. @throws {DashboardError} NOT_FOUND */
  async payload(jobName: string, id: string): Promise<DeadPayload> {
    const { queues } = await this.#jobQueues(jobName);
    const message = await this.#exclusive(queues.dlq.url, () =>
      findDead(this.target.sqs, queues.dlq.url, id),
    );
    if (!message) throw new DashboardError(ERROR_CODES.notFound, `No message "${id}" in ${queues.dlq.name}`);
    let payload: unknown = message.envelope?.payload;
    if (!message.envelope) {
      try {
        payload = JSON.parse(message.body);
      } catch {
        payload = message.body;
      }
    }
    return { messageId: message.messageId, jobId: message.jobId ?? null, payload };
  }

  /** Deletes exactly these messages (message ids or job ids); the page asked for confirmation. */
  async discard(jobName: string, messageIds: readonly string[]): Promise<DiscardSummary> {
    if (messageIds.length === 0) throw new DashboardError(ERROR_CODES.usage, 'Select at least one message');
    const { queues } = await this.#jobQueues(jobName);
    const result = await this.#exclusive(queues.dlq.url, () =>
      discardDead(this.target.sqs, queues.dlq.url, { ids: messageIds, confirm: async () => true }),
    );
    return {
      deleted: result.deleted.map((m) => m.messageId),
      failed: result.failed.map((f) => ({ id: f.message.messageId, reason: f.reason })),
      notFound: result.notFound,
    };
  }

  /**
   * Redrives the selected messages, or all of them: on a stage "all" is SQS's native move task,
   * everything else the selective redrive — the choice `hangar redrive` makes.
   */
  async redrive(jobName: string, selection: { readonly ids?: readonly string[] }): Promise<TaskView> {
    const { job, queues } = await this.#jobQueues(jobName);
    const filter: DeadMessageFilter = selection.ids ? { ids: [...selection.ids] } : {};
    if (selection.ids?.length === 0)
      throw new DashboardError(ERROR_CODES.usage, 'Select at least one message');
    const route = `${queues.dlq.name} → ${queues.queue.name}`;
    if (usesNativeRedrive(this.target.kind, { filter })) {
      const { dlq, queue } = queues;
      if (!dlq.arn || !queue.arn)
        throw new DashboardError(ERROR_CODES.notAvailable, `The ARNs of ${route} are unknown`);
      return this.#tasks.start(`Move task ${route}`, 'native', async (task) => {
        const status = await nativeRedrive(this.target.sqs, {
          dlqArn: dlq.arn ?? '',
          queueArn: queue.arn ?? '',
          signal: task.signal,
          onProgress: (p) =>
            task.progress({ seen: p.moved, moved: p.moved, skipped: 0, failed: 0, total: p.toMove }),
        });
        task.progress({
          seen: status.moved,
          moved: status.moved,
          skipped: 0,
          failed: 0,
          total: status.toMove,
        });
        return {
          summary:
            `Move task ${status.status}: moved ${status.moved}` +
            (status.toMove === undefined ? '' : ` of ${status.toMove}`) +
            (status.failureReason ? `; ${status.failureReason}` : ''),
          failed: status.status !== 'COMPLETED',
        };
      });
    }
    return this.#tasks.start(`Redrive ${route}`, 'selective', async (task) => {
      const result = await this.#selective(job, filter, task, queues);
      return summarize(result.moved.length, result.skipped.length, result.failed.length, result.notFound);
    });
  }

  task(id: string): TaskView {
    return this.#tasks.get(id);
  }

  async #selective(
    job: JobDefinition,
    filter: DeadMessageFilter,
    task: TaskHandle,
    known?: JobQueues,
  ): Promise<RedriveResult> {
    const queues = known ?? (await this.target.queuesOf(job));
    return this.#exclusive(queues.dlq.url, async () => {
      const total = (await queueDepth(this.target.sqs, queues.dlq.url)).visible;
      task.progress({ seen: 0, moved: 0, skipped: 0, failed: 0, total });
      return selectiveRedrive(this.target.sqs, {
        job,
        dlqUrl: queues.dlq.url,
        queueUrl: queues.queue.url,
        filter,
        signal: task.signal,
        ...(this.target.recorder ? { recorder: this.target.recorder } : {}),
        onProgress: (p) => task.progress({ ...p, total }),
      });
    });
  }

  // ---- Schedules --------------------------------------------------------------------------

  async schedules(): Promise<SchedulesData> {
    const now = this.#now();
    const ledger = this.#ledger();
    const views = await listSchedules(this.target.scheduleSource(), this.registry);
    const newest = new Map<string, Promise<readonly JobRecord[]>>();
    const recordsOf = (jobName: string) => {
      let records = newest.get(jobName);
      if (!records) {
        records = ledger
          .listJobs({ name: jobName, limit: DASHBOARD_DEFAULTS.lastFiringLookback })
          .then((page) => page.jobs);
        newest.set(jobName, records);
      }
      return records;
    };
    const recurring = await Promise.all(
      views.map(async (view) =>
        scheduleRow(view, await recordsOf(view.job), now, DASHBOARD_DEFAULTS.nextFirings),
      ),
    );
    return { recurring, oneTime: await ledger.listJobs({ status: 'scheduled' }) };
  }

  runSchedule(name: string): Promise<RunResult> {
    return runSchedule(this.target, this.registry, name, this.#now());
  }

  // ---- Flow control -----------------------------------------------------------------------

  pauseQueue(jobName: string): Promise<void> {
    return this.#flowControl().pauseQueue(parseJob(this.registry, jobName));
  }

  resumeQueue(jobName: string): Promise<void> {
    return this.#flowControl().resumeQueue(parseJob(this.registry, jobName));
  }

  pauseSchedule(name: string): Promise<void> {
    return this.#flowControl().pauseSchedule(name);
  }

  resumeSchedule(name: string): Promise<void> {
    return this.#flowControl().resumeSchedule(name);
  }

  // ---- Enqueue ----------------------------------------------------------------------------

  /**
   * Enqueues through the target's job service — the code behind `POST /jobs` — after checking the
   * payload against the job's schema, so each problem comes back at its field and nothing is sent.
   */
  async enqueue(request: EnqueueRequestBody): Promise<EnqueueResult> {
    const job = this.registry.get(request.name);
    const checked = check(job.schema, request.payload, 'payload');
    if (!checked.ok) throw new JobValidationError(`Invalid payload for ${job.name}`, checked.issues);
    const accepted = await (await this.target.jobService()).enqueue({
      job: job.name,
      payload: request.payload,
      ...(request.delaySeconds === undefined ? {} : { delaySeconds: request.delaySeconds }),
      ...(request.runAt === undefined ? {} : { runAt: request.runAt }),
      ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey }),
    });
    return {
      jobId: accepted.jobId,
      status: accepted.status,
      ...(accepted.runAt === undefined ? {} : { runAt: accepted.runAt }),
      replayed: accepted.replayed,
    };
  }

  /** Aborts running redrives (they give back what they hold) and waits for them. */
  stop(): Promise<void> {
    return this.#tasks.stop();
  }

  // ---- Internals --------------------------------------------------------------------------

  #ledger() {
    const ledger = this.target.ledger;
    if (!ledger) throw new DashboardError(ERROR_CODES.notAvailable, `${this.target.label} has no job ledger`);
    return ledger;
  }

  #flowControl(): FlowControl {
    if (!this.flowControl)
      throw new DashboardError(
        ERROR_CODES.notAvailable,
        'Pausing and resuming are not available for this target',
      );
    return this.flowControl;
  }

  async #jobQueues(jobName: string): Promise<{ job: JobDefinition; queues: JobQueues }> {
    const job = parseJob(this.registry, jobName);
    return { job, queues: await this.target.queuesOf(job) };
  }

  #filter(query: DeadLetterQuery): DeadMessageFilter {
    return {
      ...(query.errorCode ? { errorCodes: [query.errorCode] } : {}),
      ...(query.olderThan ? { failedBefore: parseOlderThan(query.olderThan, this.#now()) } : {}),
      ...(query.id ? { ids: [query.id] } : {}),
    };
  }

  /** Runs `fn` alone on one DLQ: a scan holds what it reads, so a second one would miss it. */
  #exclusive<T>(dlqUrl: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(dlqUrl) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.#locks.set(dlqUrl, settled);
    void settled.then(() => {
      if (this.#locks.get(dlqUrl) === settled) this.#locks.delete(dlqUrl);
    });
    return run;
  }
}

/** The line a finished selective redrive ends with, as `hangar redrive` prints it. */
function summarize(moved: number, skipped: number, failed: number, notFound: readonly string[]) {
  return {
    summary:
      `Moved ${moved}, skipped ${skipped}, failed ${failed}` +
      (notFound.length > 0 ? `; not in the DLQ: ${notFound.join(', ')}` : ''),
    failed: failed > 0 || notFound.length > 0,
  };
}

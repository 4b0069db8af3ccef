/**
 * The local stand-in for EventBridge Scheduler. It fires the recurring schedules the settings
 * module derives (AWS `cron`/`rate` with time zones, see ./schedule-expression.ts) and the
 * one-time `at(...)` schedules producers create through the real `AwsScheduler` adapter (served
 * over HTTP by ./scheduler-api.ts), and delivers each firing's input to its target queue as
 * Scheduler's SQS target does. Its clock is either the system clock (timers) or a manual clock that
 * tests drive with `advanceTo`, so "runs at 03:00 Berlin time" is testable in milliseconds.
 */
import { randomUUID } from 'node:crypto';
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { renderFiring, type Settings } from '../lib/deploy/index.js';
import { errorMessage } from '../lib/errors.js';
import { ConfigError } from '../lib/index.js';
import { AwsApiError } from './aws-http.js';
import { LocalRuntimeError } from './errors.js';
import { readJsonFile, writeJsonFile } from './persist-file.js';
import { type CompiledSchedule, compileSchedule, UnsupportedScheduleError } from './schedule-expression.js';

/** The numbers of the local scheduler, named once. */
export const SCHEDULER_RULES = {
  /** The system clock is re-read at least this often, so a long sleep or a clock jump is caught up. */
  maxTimerMs: 60_000,
  /** Deliveries of one firing before it is given up (Scheduler retries for up to its maximum event age). */
  deliveryAttempts: 3,
  deliveryRetryDelayMs: 200,
  /** A manual `advanceTo` that would fire more than this is a mistake (a year of `rate(1 minute)`). */
  maxFiringsPerAdvance: 10_000,
  /** Deliveries `firings` remembers. */
  keptFirings: 1_000,
} as const;

/** A Scheduler API error, with the name the SDK maps to its exception class. */
export class SchedulerApiError extends AwsApiError {
  constructor(
    name: 'ResourceNotFoundException' | 'ConflictException' | 'ValidationException',
    message: string,
  ) {
    super(
      name,
      message,
      name === 'ResourceNotFoundException' ? 404 : name === 'ConflictException' ? 409 : 400,
    );
  }
}

/** The parts of Scheduler's `Target` the local runtime acts on (SQS targets only). */
export interface ScheduleTarget {
  readonly Arn: string;
  readonly RoleArn: string;
  readonly Input?: string;
  readonly SqsParameters?: { readonly MessageGroupId?: string };
  readonly RetryPolicy?: {
    readonly MaximumEventAgeInSeconds?: number;
    readonly MaximumRetryAttempts?: number;
  };
}

/** A schedule as `CreateSchedule` takes it and `GetSchedule` returns it. */
export interface ScheduleDefinition {
  readonly Name: string;
  readonly GroupName: string;
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone: string;
  readonly State: 'ENABLED' | 'DISABLED';
  readonly ActionAfterCompletion: 'NONE' | 'DELETE';
  readonly FlexibleTimeWindow: {
    readonly Mode: 'OFF' | 'FLEXIBLE';
    readonly MaximumWindowInMinutes?: number;
  };
  readonly Target: ScheduleTarget;
  readonly Description?: string;
  readonly ClientToken?: string;
  /** ISO time. */
  readonly CreationDate: string;
  /** ISO time of the last `UpdateSchedule`. @default CreationDate */
  readonly LastModificationDate?: string;
}

/** One delivery of a schedule's input to its queue. */
export interface Firing {
  readonly scheduleName: string;
  readonly groupName: string;
  /** The time the schedule was due (what Scheduler substitutes as `<aws.scheduler.scheduled-time>`). */
  readonly scheduledAt: Date;
  readonly executionId: string;
  readonly queueUrl: string;
  readonly body: string;
  readonly messageGroupId: string | undefined;
}

export interface SchedulerLog {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LocalSchedulerOptions {
  readonly sqs: SQSClient;
  /** The group every schedule lives in (recurring ones included, as in the stack). */
  readonly groupName: string;
  /** Recurring schedules: every `settings.jobs[*].schedules`, targeting the job's queue. */
  readonly settings: Settings;
  /** Queue ARNs by job name, for the recurring schedules' targets. */
  readonly queueArns: Readonly<Record<string, string>>;
  /** `undefined`: the system clock and timers. A date: a manual clock starting there, moved by `advanceTo`. */
  readonly manualClockStart?: Date;
  /**
   * Where one-time schedules, and the state (paused or not) of declared ones, are kept across
   * restarts (`--persist`).
   */
  readonly persistFile?: string;
  readonly log?: SchedulerLog;
  /** Called after each successful delivery (logs, tests). */
  readonly onFiring?: (firing: Firing) => void;
}

interface Entry {
  readonly definition: ScheduleDefinition;
  readonly compiled: CompiledSchedule;
  /** Declared in the settings (recurring) rather than created through the API. */
  readonly declared: boolean;
  next: Date | undefined;
}

const key = (group: string, name: string) => `${group}/${name}`;

/** A Scheduler-compatible scheduler with a clock of its own. Create with `startLocalScheduler`. */
export class LocalScheduler {
  readonly #options: LocalSchedulerOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #queueUrls = new Map<string, Promise<string>>();
  readonly #fired: Firing[] = [];
  #manualNow: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  /** Serializes firing passes: a timer tick and an `advanceTo` never deliver the same firing twice. */
  #pass: Promise<unknown> = Promise.resolve();

  constructor(options: LocalSchedulerOptions) {
    this.#options = options;
    this.#manualNow = options.manualClockStart?.getTime();
  }

  /** Whether tests drive the clock. */
  get manual(): boolean {
    return this.#manualNow !== undefined;
  }

  /** The scheduler's current time. */
  now(): Date {
    return new Date(this.#manualNow ?? Date.now());
  }

  /** The latest deliveries (up to `SCHEDULER_RULES.keptFirings`), oldest first. */
  get firings(): readonly Firing[] {
    return this.#fired;
  }

  async start(): Promise<void> {
    const now = this.now();
    const saved = await this.#load();
    for (const job of this.#options.settings.jobs) {
      const arn = this.#options.queueArns[job.jobName];
      if (arn === undefined) throw new LocalRuntimeError(`No queue ARN for job "${job.jobName}"`);
      for (const schedule of job.schedules) {
        const definition: ScheduleDefinition = {
          Name: schedule.name,
          GroupName: this.#options.groupName,
          ScheduleExpression: schedule.expression,
          ScheduleExpressionTimezone: schedule.timeZone,
          State: 'ENABLED',
          ActionAfterCompletion: 'NONE',
          FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: schedule.flexibleWindowMinutes },
          Target: {
            Arn: arn,
            RoleArn: LOCAL_SCHEDULER_ROLE_ARN,
            Input: schedule.input,
            RetryPolicy: {
              MaximumRetryAttempts: schedule.maxRetryAttempts,
              MaximumEventAgeInSeconds: schedule.maxEventAgeSeconds,
            },
            ...(schedule.messageGroupId === undefined
              ? {}
              : { SqsParameters: { MessageGroupId: schedule.messageGroupId } }),
          },
          CreationDate: now.toISOString(),
        };
        const state = saved.declaredStates[definition.Name] ?? definition.State;
        this.#add({ ...definition, State: state }, true, now);
      }
    }
    for (const definition of saved.created) {
      this.#add(definition, false, now);
    }
    this.#arm();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#pass.catch(() => undefined);
  }

  /** `CreateSchedule`. @throws {SchedulerApiError} */
  async create(input: Omit<ScheduleDefinition, 'CreationDate'>): Promise<{ ScheduleArn: string }> {
    const existing = this.#entries.get(key(input.GroupName, input.Name));
    if (existing) {
      // Scheduler treats a repeated request with the same client token as the same request.
      if (input.ClientToken !== undefined && existing.definition.ClientToken === input.ClientToken) {
        return { ScheduleArn: scheduleArn(input.GroupName, input.Name) };
      }
      throw new SchedulerApiError('ConflictException', `Schedule ${input.Name} already exists.`);
    }
    this.#checkTarget(input.Target.Arn);
    const definition: ScheduleDefinition = { ...input, CreationDate: this.now().toISOString() };
    this.#add(definition, false, this.now());
    await this.#save();
    this.#arm();
    return { ScheduleArn: scheduleArn(input.GroupName, input.Name) };
  }

  /**
   * `UpdateSchedule`: replaces the whole definition, as Scheduler does (a field left out takes its
   * default). A schedule enabled again fires next at its next time from now, never backfilling
   * the firings it missed while disabled. @throws {SchedulerApiError} ResourceNotFoundException
   */
  async update(input: Omit<ScheduleDefinition, 'CreationDate'>): Promise<{ ScheduleArn: string }> {
    const existing = this.#entries.get(key(input.GroupName, input.Name));
    if (!existing) {
      throw new SchedulerApiError('ResourceNotFoundException', `Schedule ${input.Name} does not exist.`);
    }
    this.#checkTarget(input.Target.Arn);
    const now = this.now();
    const { ClientToken: _token, ...rest } = input;
    const definition: ScheduleDefinition = {
      ...rest,
      CreationDate: existing.definition.CreationDate,
      LastModificationDate: now.toISOString(),
    };
    this.#add(definition, existing.declared, now);
    await this.#save();
    this.#arm();
    return { ScheduleArn: scheduleArn(input.GroupName, input.Name) };
  }

  /** `DeleteSchedule`. @throws {SchedulerApiError} ResourceNotFoundException */
  async delete(groupName: string, name: string): Promise<void> {
    if (!this.#entries.delete(key(groupName, name))) {
      throw new SchedulerApiError('ResourceNotFoundException', `Schedule ${name} does not exist.`);
    }
    await this.#save();
    this.#arm();
  }

  /** `GetSchedule`. @throws {SchedulerApiError} ResourceNotFoundException */
  get(groupName: string, name: string): ScheduleDefinition {
    const entry = this.#entries.get(key(groupName, name));
    if (!entry) throw new SchedulerApiError('ResourceNotFoundException', `Schedule ${name} does not exist.`);
    return entry.definition;
  }

  /** `ListSchedules`, sorted by name. */
  list(filter: { readonly groupName?: string; readonly namePrefix?: string } = {}): ScheduleDefinition[] {
    return [...this.#entries.values()]
      .map((e) => e.definition)
      .filter((d) => filter.groupName === undefined || d.GroupName === filter.groupName)
      .filter((d) => filter.namePrefix === undefined || d.Name.startsWith(filter.namePrefix))
      .sort((a, b) => a.Name.localeCompare(b.Name));
  }

  /** When the schedule fires next, if it does. */
  nextFiring(groupName: string, name: string): Date | undefined {
    return this.#entries.get(key(groupName, name))?.next;
  }

  /**
   * Moves the manual clock to `date` and delivers, in time order, every firing due up to and
   * including it. Resolves when they are on their queues.
   * @throws {Error} on the system clock, or when `date` is before the current time.
   */
  async advanceTo(date: Date): Promise<Firing[]> {
    if (this.#manualNow === undefined) {
      throw new ConfigError('advanceTo needs a manual clock (startLocal({ clock: { start } }))');
    }
    if (date.getTime() < this.#manualNow) {
      throw new ConfigError(
        `The clock cannot go back from ${this.now().toISOString()} to ${date.toISOString()}`,
      );
    }
    const target = date.getTime();
    const run = this.#pass.then(() => this.#fireDue(target, true));
    this.#pass = run.catch(() => undefined);
    return run;
  }

  /** `advanceTo(now + ms)`. */
  advanceBy(ms: number): Promise<Firing[]> {
    return this.advanceTo(new Date(this.now().getTime() + ms));
  }

  #checkTarget(arn: string): void {
    if (!/^arn:aws:sqs:[^:]*:[^:]*:[^:]+$/.test(arn)) {
      throw new SchedulerApiError(
        'ValidationException',
        `The local scheduler delivers to SQS queues only; target ${arn} is not a queue ARN.`,
      );
    }
  }

  #add(definition: ScheduleDefinition, declared: boolean, now: Date): void {
    let compiled: CompiledSchedule;
    try {
      compiled = compileSchedule(
        definition.ScheduleExpression,
        definition.ScheduleExpressionTimezone,
        new Date(definition.CreationDate),
      );
    } catch (error) {
      if (error instanceof UnsupportedScheduleError && !declared) {
        throw new SchedulerApiError('ValidationException', error.message);
      }
      throw error;
    }
    // A one-time schedule whose time has passed (created late, or while a persisted runtime was
    // down) fires at once; recurring ones start from now and never backfill.
    const next = compiled.kind === 'at' ? compiled.next(new Date(0)) : compiled.next(now);
    this.#entries.set(key(definition.GroupName, definition.Name), { definition, compiled, declared, next });
  }

  /** Sets the system-clock timer to the earliest due firing. */
  #arm(): void {
    if (this.#stopped || this.#manualNow !== undefined) return;
    clearTimeout(this.#timer);
    const earliest = Math.min(
      ...[...this.#entries.values()].flatMap((e) =>
        e.next && e.definition.State === 'ENABLED' ? [e.next.getTime()] : [],
      ),
    );
    if (!Number.isFinite(earliest)) return;
    const wait = Math.min(Math.max(0, earliest - Date.now()), SCHEDULER_RULES.maxTimerMs);
    this.#timer = setTimeout(() => {
      const run = this.#pass.then(() => this.#fireDue(Date.now(), false));
      this.#pass = run.catch((error: unknown) =>
        this.#options.log?.error('Scheduler pass failed', { error }),
      );
      void this.#pass.then(() => this.#arm());
    }, wait);
    this.#timer.unref();
  }

  async #fireDue(until: number, advanceClock: boolean): Promise<Firing[]> {
    const fired: Firing[] = [];
    for (;;) {
      if (this.#stopped) break;
      let due: Entry | undefined;
      for (const entry of this.#entries.values()) {
        if (entry.definition.State !== 'ENABLED' || !entry.next || entry.next.getTime() > until) continue;
        if (!due || (due.next && entry.next.getTime() < due.next.getTime())) due = entry;
      }
      if (!due?.next) break;
      if (fired.length >= SCHEDULER_RULES.maxFiringsPerAdvance) {
        throw new ConfigError(
          `More than ${SCHEDULER_RULES.maxFiringsPerAdvance} firings in one step; advance the clock in smaller steps`,
        );
      }
      const scheduledAt = due.next;
      // The clock reads the firing's time while it is delivered, as it would in real time.
      if (advanceClock) this.#manualNow = Math.max(this.#manualNow ?? 0, scheduledAt.getTime());
      due.next = due.compiled.next(scheduledAt);
      const firing = await this.#deliver(due.definition, scheduledAt);
      if (firing) fired.push(firing);
      if (due.compiled.kind === 'at' && due.definition.ActionAfterCompletion === 'DELETE') {
        this.#entries.delete(key(due.definition.GroupName, due.definition.Name));
        await this.#save();
      }
    }
    if (advanceClock) this.#manualNow = Math.max(this.#manualNow ?? 0, until);
    return fired;
  }

  async #deliver(definition: ScheduleDefinition, scheduledAt: Date): Promise<Firing | undefined> {
    const executionId = randomUUID();
    const body = renderFiring(definition.Target.Input ?? '', scheduledAt, executionId);
    const messageGroupId = definition.Target.SqsParameters?.MessageGroupId;
    for (let attempt = 1; ; attempt++) {
      try {
        const queueUrl = await this.#queueUrl(definition.Target.Arn);
        await this.#options.sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: body,
            // Scheduler's SQS target passes no deduplication id: FIFO job queues deduplicate by
            // content, and each firing's input differs (scheduled time, execution id).
            ...(messageGroupId === undefined ? {} : { MessageGroupId: messageGroupId }),
          }),
        );
        const firing: Firing = {
          scheduleName: definition.Name,
          groupName: definition.GroupName,
          scheduledAt,
          executionId,
          queueUrl,
          body,
          messageGroupId,
        };
        this.#fired.push(firing);
        if (this.#fired.length > SCHEDULER_RULES.keptFirings) this.#fired.shift();
        this.#options.log?.info('Schedule fired', {
          schedule: definition.Name,
          scheduledAt: scheduledAt.toISOString(),
          queue: queueUrl.split('/').pop(),
        });
        this.#options.onFiring?.(firing);
        return firing;
      } catch (error) {
        this.#queueUrls.delete(definition.Target.Arn);
        if (attempt >= SCHEDULER_RULES.deliveryAttempts) {
          this.#options.log?.error('Schedule delivery failed; firing dropped', {
            schedule: definition.Name,
            scheduledAt: scheduledAt.toISOString(),
            error: errorMessage(error),
          });
          return undefined;
        }
        await new Promise((resolve) => setTimeout(resolve, SCHEDULER_RULES.deliveryRetryDelayMs * attempt));
      }
    }
  }

  #queueUrl(arn: string): Promise<string> {
    let url = this.#queueUrls.get(arn);
    if (!url) {
      const name = arn.split(':').pop() ?? arn;
      const lookUp = async () => {
        const out = await this.#options.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
        if (!out.QueueUrl) throw new LocalRuntimeError(`No URL for queue ${name}`);
        return out.QueueUrl;
      };
      url = lookUp();
      this.#queueUrls.set(arn, url);
    }
    return url;
  }

  async #load(): Promise<SavedSchedules> {
    const none: SavedSchedules = { created: [], declaredStates: {} };
    const file = this.#options.persistFile;
    if (file === undefined) return none;
    const saved = await readJsonFile(file);
    // Before pauses were kept, the file held the created schedules only.
    if (Array.isArray(saved)) return { ...none, created: saved as ScheduleDefinition[] };
    return { ...none, ...(saved as Partial<SavedSchedules> | undefined) };
  }

  async #save(): Promise<void> {
    const file = this.#options.persistFile;
    if (file === undefined) return;
    const entries = [...this.#entries.values()];
    const saved: SavedSchedules = {
      created: entries.filter((e) => !e.declared).map((e) => e.definition),
      // Declared schedules come from the settings at each start; only their state is the operator's.
      declaredStates: Object.fromEntries(
        entries.filter((e) => e.declared).map((e) => [e.definition.Name, e.definition.State]),
      ),
    };
    await writeJsonFile(file, saved);
  }
}

/** What `--persist` keeps of the scheduler. */
interface SavedSchedules {
  readonly created: readonly ScheduleDefinition[];
  readonly declaredStates: Readonly<Record<string, ScheduleDefinition['State']>>;
}

/** The role ARN the local runtime hands out as `HANGAR_SCHEDULER_ROLE_ARN`; nothing checks it locally. */
export const LOCAL_SCHEDULER_ROLE_ARN = 'arn:aws:iam::000000000000:role/hangar-local-scheduler';

export function scheduleArn(groupName: string, name: string): string {
  return `arn:aws:scheduler:us-east-1:000000000000:schedule/${groupName}/${name}`;
}

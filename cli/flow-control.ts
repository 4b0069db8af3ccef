/**
 * Pausing and resuming, as `hangar pause|resume` and `hangar schedules pause|resume` do them and
 * the dashboard's buttons call them:
 * - a job's queue: its worker's event source mapping is disabled or enabled through Lambda's API
 *   (`UpdateEventSourceMapping`), found by the queue's ARN (`ListEventSourceMappings`) — on a
 *   stage and, against the local runtime's compatible endpoint, locally. Producers keep enqueueing;
 *   messages wait on the queue. Lambda answers at once with `Disabling` (`Enabling`) and settles
 *   later, so the caller may wait for `Disabled` (`Enabled`), polling `GetEventSourceMapping`
 *   (`PAUSE_RULES`);
 * - a recurring schedule: `UpdateSchedule` with `State` `DISABLED` (`ENABLED`). UpdateSchedule
 *   replaces the whole schedule, so the rest comes from `GetSchedule` first, unchanged.
 */
import {
  type EventSourceMappingConfiguration,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { GetScheduleCommand, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import type { JobDefinition, JobRegistry } from '../lib/index.js';
import { NotFoundError, OperationFailedError } from './errors.js';
import { findSchedule, listSchedules } from './schedules.js';
import type { Target } from './target.js';

/** How long a pause or resume is waited for, named once (the README quotes them). */
export const PAUSE_RULES = {
  /** Between two `GetEventSourceMapping` calls on a stage. */
  pollIntervalMs: 2_000,
  /** The same against the local runtime, which settles as soon as its pollers' long polls end. */
  localPollIntervalMs: 100,
  /** AWS usually settles within seconds, and documents no bound; past this the CLI stops waiting. */
  maxWaitMs: 180_000,
} as const;

/** A queue's processing state, from its event source mapping's `State`. */
export type QueueState = 'active' | 'paused' | 'pausing' | 'resuming' | 'changing';

const QUEUE_STATE: Readonly<Record<string, QueueState>> = {
  Enabled: 'active',
  Disabled: 'paused',
  Disabling: 'pausing',
  Enabling: 'resuming',
};

export const queueStateOf = (mappingState: string | undefined): QueueState =>
  QUEUE_STATE[mappingState ?? ''] ?? 'changing';

/** The event source mapping that feeds a job's queue to its worker. @throws {NotFoundError} when there is none. */
export async function findMapping(
  target: Target,
  job: JobDefinition,
): Promise<EventSourceMappingConfiguration> {
  const queueArn = await target.queueArn(job);
  const out = await target.lambda().send(new ListEventSourceMappingsCommand({ EventSourceArn: queueArn }));
  const [mapping, ...others] = out.EventSourceMappings ?? [];
  if (!mapping?.UUID) {
    throw new NotFoundError(
      `No event source mapping reads ${queueArn} on ${target.label}: job "${job.name}" has no worker there`,
    );
  }
  if (others.length > 0) {
    throw new OperationFailedError(
      `${others.length + 1} event source mappings read ${queueArn}: ${[mapping, ...others].map((m) => m.UUID).join(', ')}; Hangar deploys one per queue`,
    );
  }
  return mapping;
}

export interface PauseOptions {
  /** Wait until the mapping reports `Disabled` (`Enabled`). @default true */
  readonly wait?: boolean;
  /** @default PAUSE_RULES.pollIntervalMs, or PAUSE_RULES.localPollIntervalMs locally */
  readonly pollIntervalMs?: number;
  /** @default PAUSE_RULES.maxWaitMs */
  readonly maxWaitMs?: number;
  /** Tests drive time with these. @default the system clock and a timer */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Stops waiting (the request has been made; the state settles on its own). */
  readonly signal?: AbortSignal;
}

export interface QueuePauseResult {
  readonly job: string;
  readonly mapping: string;
  readonly state: QueueState;
  /** Whether the state reached the one asked for (false: `wait: false`, or the wait ran out or was cut). */
  readonly settled: boolean;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Disables (`paused: true`) or enables a job's event source mapping; with `wait`, polls it until
 * it settles. Asking for the state it is already in changes nothing.
 * @throws {NotFoundError} when the job's queue has no mapping on the target.
 * @throws {OperationFailedError} when the mapping has not settled within `maxWaitMs`.
 */
export async function setQueuePaused(
  target: Target,
  job: JobDefinition,
  paused: boolean,
  options: PauseOptions = {},
): Promise<QueuePauseResult> {
  const lambda = target.lambda();
  const mapping = await findMapping(target, job);
  const uuid = mapping.UUID ?? '';
  const goal = paused ? 'Disabled' : 'Enabled';
  // Already there or on the way: Lambda refuses an update in transition (ResourceInUseException).
  const underway = mapping.State === goal || mapping.State === (paused ? 'Disabling' : 'Enabling');
  let state = underway
    ? mapping.State
    : (await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: !paused }))).State;
  const result = (settled: boolean) => ({
    job: job.name,
    mapping: uuid,
    state: queueStateOf(state),
    settled,
  });
  if (state === goal) return result(true);
  if (options.wait === false) return result(false);

  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  const interval =
    options.pollIntervalMs ??
    (target.kind === 'local' ? PAUSE_RULES.localPollIntervalMs : PAUSE_RULES.pollIntervalMs);
  const maxWaitMs = options.maxWaitMs ?? PAUSE_RULES.maxWaitMs;
  const deadline = now() + maxWaitMs;
  while (now() < deadline) {
    if (options.signal?.aborted) return result(false);
    await sleep(interval);
    state = (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State;
    if (state === goal) return result(true);
  }
  throw new OperationFailedError(
    `The event source of ${job.name} still reports ${state ?? 'no state'} after ${Math.round(maxWaitMs / 1000)} s; ` +
      `Lambda finishes on its own: see \`hangar queues\``,
  );
}

/** Every job's queue state, by job name; a job without a mapping on the target is absent. */
export async function queueStates(
  target: Target,
  registry: JobRegistry,
): Promise<Record<string, QueueState>> {
  const states = await Promise.all(
    registry.jobs.map(async (job) => {
      try {
        return [[job.name, queueStateOf((await findMapping(target, job)).State)] as const];
      } catch (error) {
        if (error instanceof NotFoundError) return [];
        throw error;
      }
    }),
  );
  return Object.fromEntries(states.flat());
}

export interface SchedulePauseResult {
  readonly schedule: string;
  readonly job: string;
  readonly state: 'ENABLED' | 'DISABLED';
}

/**
 * Disables (`paused: true`) or enables a recurring schedule, found as `hangar run` finds it (by
 * name, or by the name of a job with one schedule). Takes effect at once: a disabled schedule
 * does not fire.
 * @throws {UnknownScheduleError} naming the schedules there are.
 */
export async function setSchedulePaused(
  target: Target,
  registry: JobRegistry,
  name: string,
  paused: boolean,
): Promise<SchedulePauseResult> {
  const source = target.scheduleSource();
  const view = findSchedule(await listSchedules(source, registry), name);
  const state = paused ? 'DISABLED' : 'ENABLED';
  if (view.state !== state) {
    const current = await source.client.send(
      new GetScheduleCommand({ Name: view.name, GroupName: source.groupName }),
    );
    await source.client.send(
      new UpdateScheduleCommand({
        Name: view.name,
        GroupName: source.groupName,
        ScheduleExpression: current.ScheduleExpression,
        ScheduleExpressionTimezone: current.ScheduleExpressionTimezone,
        StartDate: current.StartDate,
        EndDate: current.EndDate,
        Description: current.Description,
        KmsKeyArn: current.KmsKeyArn,
        Target: current.Target,
        FlexibleTimeWindow: current.FlexibleTimeWindow,
        ActionAfterCompletion: current.ActionAfterCompletion,
        State: state,
      }),
    );
  }
  return { schedule: view.name, job: view.job, state };
}

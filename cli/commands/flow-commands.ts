/** `pause`, `resume`, `schedules pause`, `schedules resume`: stopping and restarting processing. */

import { parseJob } from '../args.js';
import { PAUSE_RULES, setQueuePaused, setSchedulePaused } from '../flow-control.js';
import type { CommandContext } from './context.js';

export interface QueuePauseCommandOptions {
  /** commander's `--no-wait`. */
  readonly wait?: boolean;
}

export async function queuePauseCommand(
  ctx: CommandContext,
  jobName: string,
  paused: boolean,
  options: QueuePauseCommandOptions,
): Promise<void> {
  const job = parseJob(ctx.registry, jobName);
  const target = await ctx.target();
  const wait = options.wait !== false;
  if (wait && !ctx.out.json)
    ctx.out.note(`Waiting for the event source of ${job.name} to be ${paused ? 'disabled' : 'enabled'}…`);
  const result = await setQueuePaused(target, job, paused, {
    wait,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (ctx.out.json) return ctx.out.data(result);
  const verb = paused ? 'Paused' : 'Resumed';
  if (result.settled) {
    ctx.out.line(
      paused
        ? `${verb} ${job.name}: its worker takes no more messages; producers still enqueue and messages wait on the queue.`
        : `${verb} ${job.name}: its worker takes messages again.`,
    );
  } else {
    ctx.out.line(
      `Asked to ${paused ? 'pause' : 'resume'} ${job.name}; its event source is ${result.state} (see \`hangar queues\`).`,
    );
  }
  if (paused && target.kind === 'aws')
    ctx.out.note(
      'A `cdk deploy` that changes this job’s event source settings enables it again unless the stage configuration lists it in pausedJobs.',
    );
}

export async function schedulePauseCommand(
  ctx: CommandContext,
  name: string,
  paused: boolean,
): Promise<void> {
  const result = await setSchedulePaused(await ctx.target(), ctx.registry, name, paused);
  if (ctx.out.json) return ctx.out.data(result);
  ctx.out.line(
    paused
      ? `Paused schedule ${result.schedule} (${result.job}): it does not fire until resumed.`
      : `Resumed schedule ${result.schedule} (${result.job}): it fires at its next time; missed firings are not made up.`,
  );
}

/** For the help text. */
export const PAUSE_WAIT_SECONDS = PAUSE_RULES.maxWaitMs / 1000;

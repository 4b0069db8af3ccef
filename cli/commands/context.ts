import type { JobDefinition, JobRegistry } from '../../lib/index.js';
import { parseJob } from '../args.js';
import type { Printer } from '../output.js';
import type { JobQueues, Target } from '../target.js';

/** What every command gets: where to print, and the target it runs against (resolved on first use). */
export interface CommandContext {
  readonly out: Printer;
  readonly registry: JobRegistry;
  target(): Promise<Target>;
  readonly now: () => Date;
  /** Aborted by Ctrl-C: long operations stop between batches and give back what they hold. */
  readonly signal: AbortSignal | undefined;
}

/** Options every command takes. */
export interface CommonOptions {
  readonly stage?: string;
  readonly json?: boolean;
}

/** A job argument resolved to its declaration and its queues. Unknown jobs fail before any network call. */
export async function jobAndQueues(
  ctx: CommandContext,
  name: string,
): Promise<{ job: JobDefinition; queues: JobQueues; target: Target }> {
  const job = parseJob(ctx.registry, name);
  const target = await ctx.target();
  return { job, queues: await target.queuesOf(job), target };
}

/** `queues`, `dlq peek`, `dlq discard`: the commands that read queues directly. */

import { errorMessage } from '../../lib/errors.js';
import { parseInteger, splitList } from '../args.js';
import { discardDead } from '../discard.js';
import { type DeadMessageView, describeDead, peekDlq } from '../dlq.js';
import { NotFoundError, OperationFailedError, UsageError } from '../errors.js';
import { type QueueState, queueStates } from '../flow-control.js';
import { cell, formatAge } from '../output.js';
import { queueRows } from '../queues.js';
import { type CommandContext, jobAndQueues } from './context.js';

export async function queuesCommand(ctx: CommandContext): Promise<void> {
  const target = await ctx.target();
  // Pause state comes from Lambda's API: a target that cannot answer it still shows its queues.
  const [{ rows, agesKnown }, states] = await Promise.all([
    queueRows(target, ctx.registry, ctx.now()),
    queueStates(target, ctx.registry).then(
      (found): { found: Record<string, QueueState>; problem?: string } => ({ found }),
      (error: unknown): { found: Record<string, QueueState>; problem?: string } => ({
        found: {},
        problem: errorMessage(error),
      }),
    ),
  ]);
  const result = rows.map((r) => ({ ...r, state: states.found[r.job] ?? null }));
  if (ctx.out.json) return ctx.out.data(result);
  const age = (seconds: number | null) => (seconds === null ? (agesKnown ? '-' : 'n/a') : formatAge(seconds));
  const c = ctx.out.colors;
  ctx.out.table(
    ['JOB', 'STATE', 'QUEUE', 'VISIBLE', 'IN FLIGHT', 'DELAYED', 'OLDEST', 'DLQ', 'DLQ OLDEST'],
    result.map((r) => [
      r.job,
      r.state === null ? '-' : r.state === 'active' ? r.state : c.yellow(r.state),
      r.queue,
      String(r.visible),
      String(r.inFlight),
      String(r.delayed),
      age(r.oldestAgeSeconds),
      r.dlqDepth > 0 ? c.red(String(r.dlqDepth)) : String(r.dlqDepth),
      age(r.dlqOldestAgeSeconds),
    ]),
  );
  if (!agesKnown) ctx.out.note('Oldest-message ages come from CloudWatch: see them with --stage.');
  if (states.problem !== undefined) ctx.out.note(`Paused or not is unknown: ${states.problem}`);
}

export async function dlqPeekCommand(
  ctx: CommandContext,
  jobName: string,
  options: { limit?: string },
): Promise<void> {
  const limit = options.limit === undefined ? 20 : parseInteger('--limit', options.limit, 1, 1000);
  const { queues, target } = await jobAndQueues(ctx, jobName);
  const dead = (
    await peekDlq(target.sqs, queues.dlq.url, { limit, ...(ctx.signal ? { signal: ctx.signal } : {}) })
  ).map(describeDead);
  if (ctx.out.json) return ctx.out.data(dead);
  if (dead.length === 0) {
    ctx.out.line(`${queues.dlq.name} is empty.`);
    return;
  }
  printDead(ctx, dead);
  ctx.out.note(
    `${dead.length} dead message(s) shown from ${queues.dlq.name}${dead.length === limit ? ` (--limit ${limit}; there may be more)` : ''}; nothing was consumed.` +
      (queues.dlq.name.endsWith('.fifo')
        ? '\nFIFO DLQ: a message group shows only its first message(s) while they are held; the rest wait behind them.'
        : ''),
  );
}

export function printDead(ctx: CommandContext, dead: readonly DeadMessageView[]): void {
  ctx.out.table(
    ['JOB ID', 'NAME', 'ATTEMPTS', 'FAILED AT', 'MESSAGE ID', 'REASON'],
    dead.map((d) => [
      cell(d.jobId),
      cell(d.name),
      cell(d.attempt),
      cell(d.failedAt),
      d.messageId,
      d.errorCode === null
        ? (d.problem ?? 'moved by the SQS redrive policy (no reason recorded)')
        : `${d.errorCode}: ${d.errorMessage ?? ''}`,
    ]),
  );
}

export interface DiscardCommandOptions {
  readonly ids?: string[];
  readonly all?: boolean;
  readonly yes?: boolean;
}

export async function dlqDiscardCommand(
  ctx: CommandContext,
  jobName: string,
  options: DiscardCommandOptions,
): Promise<void> {
  const ids = splitList(options.ids);
  if ((ids === undefined) === (options.all !== true))
    throw new UsageError('Give either --ids <id...> (message ids or job ids) or --all');
  if (!options.yes && !ctx.out.interactive)
    throw new UsageError(
      'dlq discard deletes messages for good: pass --yes to confirm when no terminal is attached',
    );
  const { queues, target } = await jobAndQueues(ctx, jobName);
  const result = await discardDead(target.sqs, queues.dlq.url, {
    ...(ids === undefined ? { all: true } : { ids }),
    confirm: async (plan) => {
      if (options.yes) return true;
      if (plan.kind === 'ids') {
        printDead(ctx, plan.messages.map(describeDead));
        return ctx.out.confirm(
          `Delete these ${plan.messages.length} message(s) from ${queues.dlq.name} for good?`,
        );
      }
      return ctx.out.confirm(
        `Delete all ${plan.approximateCount} message(s) in ${queues.dlq.name} (SQS's count) for good?`,
      );
    },
    signal: ctx.signal,
  });
  const summary = {
    deleted: result.deleted.map(describeDead),
    failed: result.failed.map((f) => ({ ...describeDead(f.message), reason: f.reason })),
    notFound: result.notFound,
  };
  if (ctx.out.json) ctx.out.data(summary);
  else {
    ctx.out.line(
      result.deleted.length === 0
        ? `Deleted nothing from ${queues.dlq.name}.`
        : `Deleted ${result.deleted.length} message(s) from ${queues.dlq.name}: ${result.deleted.map((m) => m.jobId ?? m.messageId).join(', ')}`,
    );
    for (const f of summary.failed) ctx.out.note(`Not deleted: ${f.jobId ?? f.messageId}: ${f.reason}`);
  }
  if (result.failed.length > 0)
    throw new OperationFailedError(`${result.failed.length} message(s) could not be deleted`);
  if (result.notFound.length > 0)
    throw new NotFoundError(`Not in ${queues.dlq.name}: ${result.notFound.join(', ')}`);
}

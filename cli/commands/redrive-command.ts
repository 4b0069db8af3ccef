import { parseInteger, parseOlderThan, parsePositiveNumber, splitList } from '../args.js';
import type { DeadMessageFilter } from '../dlq.js';
import { describeDead } from '../dlq.js';
import { InterruptedError, NotFoundError, OperationFailedError, UsageError } from '../errors.js';
import type { Progress } from '../output.js';
import { queueDepth } from '../queues.js';
import {
  type MoveTaskStatus,
  nativeRedrive,
  type RedriveResult,
  selectiveRedrive,
  usesNativeRedrive,
} from '../redrive.js';
import { reachLedger } from '../target.js';
import { type CommandContext, jobAndQueues } from './context.js';
import { printDead } from './queue-commands.js';

export interface RedriveOptions {
  readonly name?: string[];
  readonly errorCode?: string[];
  readonly olderThan?: string;
  readonly ids?: string[];
  readonly max?: string;
  readonly dryRun?: boolean;
  readonly rate?: string;
  /** Use the selective path on AWS too (fresh attempts, ledger records) without any selector. */
  readonly selective?: boolean;
}

/** `MaxNumberOfMessagesPerSecond` of a move task. */
const NATIVE_MAX_RATE = 500;

export async function redriveCommand(
  ctx: CommandContext,
  jobName: string,
  options: RedriveOptions,
): Promise<void> {
  const names = splitList(options.name);
  const errorCodes = splitList(options.errorCode);
  const ids = splitList(options.ids);
  const failedBefore =
    options.olderThan === undefined ? undefined : parseOlderThan(options.olderThan, ctx.now());
  const max = options.max === undefined ? undefined : parseInteger('--max', options.max, 1, 1_000_000);
  const rate = options.rate === undefined ? undefined : parsePositiveNumber('--rate', options.rate);
  const filter: DeadMessageFilter = {
    ...(names ? { names } : {}),
    ...(errorCodes ? { errorCodes } : {}),
    ...(ids ? { ids } : {}),
    ...(failedBefore ? { failedBefore } : {}),
  };
  const filtered = Object.keys(filter).length > 0;
  const { job, queues, target } = await jobAndQueues(ctx, jobName);
  const native = usesNativeRedrive(target.kind, {
    filter,
    max,
    dryRun: options.dryRun,
    selective: options.selective,
  });
  const route = `${queues.dlq.name} → ${queues.queue.name}`;

  if (native) {
    if (rate !== undefined && (!Number.isInteger(rate) || rate > NATIVE_MAX_RATE))
      throw new UsageError(
        `--rate of a native move task must be a whole number from 1 to ${NATIVE_MAX_RATE}`,
      );
    if (!queues.dlq.arn || !queues.queue.arn) throw new UsageError(`The ARNs of ${route} are unknown`);
    let bar: Progress | undefined;
    const status = await nativeRedrive(target.sqs, {
      dlqArn: queues.dlq.arn,
      queueArn: queues.queue.arn,
      ...(rate === undefined ? {} : { rate }),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (task) => {
        bar ??= ctx.out.progress(`Moving ${route}`, task.toMove ?? 0);
        bar?.update(task.moved, { moved: task.moved, skipped: 0, failed: 0 });
      },
    }).finally(() => bar?.stop());
    reportNative(ctx, route, status);
    return;
  }

  // Each moved job's record is written back to `queued`: without the ledger, the jobs would move
  // and their records would still say `dead`.
  if (!options.dryRun) await reachLedger(target);
  const total = (await queueDepth(target.sqs, queues.dlq.url)).visible;
  const bar = options.dryRun ? undefined : ctx.out.progress(`Redriving ${route}`, total);
  let result: RedriveResult;
  try {
    result = await selectiveRedrive(target.sqs, {
      job,
      dlqUrl: queues.dlq.url,
      queueUrl: queues.queue.url,
      filter,
      ...(max === undefined ? {} : { max }),
      ...(rate === undefined ? {} : { rate }),
      dryRun: options.dryRun === true,
      ...(target.recorder ? { recorder: target.recorder } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (p) => bar?.update(p.seen, { moved: p.moved, skipped: p.skipped, failed: p.failed }),
    });
  } finally {
    bar?.stop();
  }
  const summary = {
    moved: result.moved.length,
    skipped: result.skipped.length,
    failed: result.failed.length,
  };
  if (ctx.out.json) {
    ctx.out.data({
      mode: 'selective',
      dryRun: result.dryRun,
      from: queues.dlq.name,
      to: queues.queue.name,
      summary,
      moved: result.moved.map(describeDead),
      skipped: result.skipped.map((s) => ({ ...describeDead(s.message), reason: s.reason })),
      failed: result.failed.map((f) => ({ ...describeDead(f.message), reason: f.reason, sent: f.sent })),
      notFound: result.notFound,
      ledgerWarnings: result.ledgerWarnings,
    });
  } else {
    if (result.dryRun && result.moved.length > 0) printDead(ctx, result.moved.map(describeDead));
    for (const f of result.failed)
      ctx.out.note(`Failed: ${f.message.jobId ?? f.message.messageId}: ${f.reason}`);
    for (const w of result.ledgerWarnings) ctx.out.note(`Ledger not updated for ${w.jobId}: ${w.reason}`);
    ctx.out.line(
      result.dryRun
        ? `Dry run (${route}): would move ${summary.moved}, skip ${summary.skipped}; nothing was moved.`
        : `Redrive ${route}: moved ${summary.moved}, skipped ${summary.skipped}, failed ${summary.failed}.`,
    );
  }
  if (result.interrupted) throw new InterruptedError('Interrupted; everything not moved is back in the DLQ.');
  if (result.failed.length > 0)
    throw new OperationFailedError(`${result.failed.length} message(s) were not moved cleanly (see above)`);
  if (result.ledgerWarnings.length > 0)
    throw new OperationFailedError(
      `${result.ledgerWarnings.length} moved job(s) still show their old status in the ledger (${target.ledgerSource ?? 'its table'}); see above`,
    );
  if (result.notFound.length > 0)
    throw new NotFoundError(`Not in ${queues.dlq.name}: ${result.notFound.join(', ')}`);
  if (filtered && result.moved.length === 0)
    throw new NotFoundError(`No message in ${queues.dlq.name} matched`);
}

function reportNative(ctx: CommandContext, route: string, status: MoveTaskStatus): void {
  if (status.status === 'RUNNING' && ctx.signal?.aborted) {
    if (ctx.out.json) ctx.out.data({ mode: 'native', ...status });
    else
      ctx.out.line(
        `Move task ${status.taskHandle} is still RUNNING (${route}): moved ${status.moved} so far.`,
      );
    throw new InterruptedError('Stopped following the move task; it goes on in SQS.');
  }
  if (ctx.out.json) {
    ctx.out.data({ mode: 'native', from: route.split(' → ')[0], to: route.split(' → ')[1], ...status });
  } else {
    ctx.out.line(
      `Move task ${status.status} (${route}): moved ${status.moved}` +
        (status.toMove === undefined ? '' : ` of ${status.toMove}`) +
        (status.failureReason ? `; ${status.failureReason}` : '') +
        '.',
    );
  }
  if (status.status !== 'COMPLETED') {
    throw new OperationFailedError(
      `The move task ended ${status.status}${status.failureReason ? `: ${status.failureReason}` : ''}`,
    );
  }
}

/** `send`, `status`, `cancel`, `jobs`: the commands that go through the HTTP API. */

import type { JobRecord } from '../../lib/ledger/index.js';
import { check, describeIssues } from '../../lib/validation.js';
import { parseInstant, parseInteger, parseJob, parseStatus, readJsonArgument } from '../args.js';
import { UsageError } from '../errors.js';
import { cell } from '../output.js';
import type { CommandContext } from './context.js';

export interface SendOptions {
  readonly delay?: string;
  readonly runAt?: string;
  readonly idempotencyKey?: string;
}

export async function sendCommand(
  ctx: CommandContext,
  jobName: string,
  payloadArg: string,
  options: SendOptions,
): Promise<void> {
  const job = parseJob(ctx.registry, jobName);
  const payload = await readJsonArgument(payloadArg);
  const checked = check(job.schema, payload, 'payload');
  if (!checked.ok) throw new UsageError(`Invalid payload for ${job.name}: ${describeIssues(checked.issues)}`);
  if (options.delay !== undefined && options.runAt !== undefined)
    throw new UsageError('Give --delay or --run-at, not both');
  const delaySeconds =
    options.delay === undefined ? undefined : parseInteger('--delay', options.delay, 0, 365 * 86_400);
  const runAt = options.runAt === undefined ? undefined : parseInstant('--run-at', options.runAt);
  const api = await (await ctx.target()).api();
  const accepted = await api.send({
    name: job.name,
    payload,
    ...(delaySeconds === undefined ? {} : { delaySeconds }),
    ...(runAt === undefined ? {} : { runAt }),
    ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
  });
  if (ctx.out.json) return ctx.out.data(accepted);
  ctx.out.line(
    accepted.replayed
      ? `Job ${accepted.jobId} (${job.name}) already has idempotency key "${options.idempotencyKey}": ${accepted.status}; nothing was sent`
      : `Accepted job ${accepted.jobId} (${job.name}): ${accepted.status}` +
          (accepted.runAt ? `, runs at ${accepted.runAt}` : ''),
  );
}

function printRecord(ctx: CommandContext, record: JobRecord): void {
  const { colors: c } = ctx.out;
  const rows: [string, string | undefined][] = [
    ['name', record.name],
    ['status', record.status],
    ['attempts', record.attempts === undefined ? undefined : String(record.attempts)],
    ['continuation', record.continuation ? String(record.continuation) : undefined],
    ['created', record.createdAt],
    ['updated', record.updatedAt],
    ['runs at', record.runAt],
    ['retries at', record.retryAt],
    [
      'last error',
      record.lastError
        ? `${record.lastError.code}: ${record.lastError.message}${record.lastError.at ? ` (at ${record.lastError.at})` : ''}`
        : undefined,
    ],
    ['progress', record.progress ? JSON.stringify(record.progress) : undefined],
    ['result', record.result ? JSON.stringify(record.result) : undefined],
  ];
  ctx.out.line(`${c.bold('Job')} ${record.jobId}`);
  for (const [label, value] of rows) if (value !== undefined) ctx.out.line(`  ${label.padEnd(12)}  ${value}`);
}

export async function statusCommand(ctx: CommandContext, jobId: string): Promise<void> {
  const record = await (await (await ctx.target()).api()).get(jobId);
  if (ctx.out.json) return ctx.out.data(record);
  printRecord(ctx, record);
}

export async function cancelCommand(ctx: CommandContext, jobId: string): Promise<void> {
  const record = await (await (await ctx.target()).api()).cancel(jobId);
  if (ctx.out.json) return ctx.out.data(record);
  ctx.out.line(
    `Cancelled job ${record.jobId ?? jobId}${record.name ? ` (${record.name})` : ''}: ${record.status ?? 'cancelled'}`,
  );
}

export interface JobsOptions {
  readonly status?: string;
  readonly name?: string;
  readonly limit?: string;
  readonly cursor?: string;
}

export async function jobsCommand(ctx: CommandContext, options: JobsOptions): Promise<void> {
  const status = options.status === undefined ? undefined : parseStatus(options.status);
  const name = options.name === undefined ? undefined : parseJob(ctx.registry, options.name).name;
  const limit = options.limit === undefined ? undefined : parseInteger('--limit', options.limit, 1, 100);
  const page = await (await (await ctx.target()).api()).list({
    ...(status === undefined ? {} : { status }),
    ...(name === undefined ? {} : { name }),
    ...(limit === undefined ? {} : { limit }),
    ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
  });
  if (ctx.out.json) return ctx.out.data(page);
  if (page.jobs.length === 0) ctx.out.line('No jobs.');
  else {
    ctx.out.table(
      ['JOB ID', 'NAME', 'STATUS', 'ATTEMPTS', 'UPDATED', 'LAST ERROR'],
      page.jobs.map((j) => [
        j.jobId,
        j.name,
        j.status,
        cell(j.attempts),
        cell(j.updatedAt ?? j.createdAt),
        j.lastError ? `${j.lastError.code}: ${j.lastError.message}` : '-',
      ]),
    );
  }
  if (page.cursor) {
    const args = [
      status ? `--status ${status}` : '',
      name ? `--name ${name}` : '',
      limit ? `--limit ${limit}` : '',
    ].filter(Boolean);
    ctx.out.note(`More: hangar jobs ${[...args, `--cursor ${page.cursor}`].join(' ')}`);
  }
}

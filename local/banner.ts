/**
 * What `npm run dev` prints once the runtime is up: where everything is, what runs, and a
 * copy-paste command that sends an e-mail through the API.
 */
import pc from 'picocolors';
import type { LocalRuntime } from './start-local.js';

export interface BannerFacts {
  readonly startupMs: number;
  readonly persistDir: string | undefined;
  /** The dashboard's URL, when `npm run dev` serves one. */
  readonly dashboard?: string;
}

/** The job the banner's `curl` enqueues: an e-mail to a sample address, visible in the mail viewer. */
export const SAMPLE_EMAIL_JOB = {
  name: 'email.send',
  payload: { to: ['ada@example.com'], subject: 'Hello from Hangar', text: 'It works.' },
} as const;

/** The copy-paste command that enqueues an e-mail through the API. */
export function curlEmail(apiUrl: string): string {
  return `curl -X POST ${apiUrl}/jobs -H 'content-type: application/json' -d '${JSON.stringify(SAMPLE_EMAIL_JOB)}'`;
}

/** The sample e-mail command, when the API is served and the registry has the e-mail job. */
function tryEmail(local: LocalRuntime): string | undefined {
  const registered = local.settings.jobs.some((job) => job.jobName === SAMPLE_EMAIL_JOB.name);
  return local.endpoints.api === undefined || !registered ? undefined : curlEmail(local.endpoints.api);
}

/** Pads each column to its longest cell, so any job name lines up (`report.generate` too). */
function columns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, i) => cell.padEnd((widths[i] ?? 0) + 2)).join(''));
}

/** The banner as data, for a JSON log line. */
export function summarize(local: LocalRuntime, { startupMs, persistDir, dashboard }: BannerFacts) {
  return {
    startupMs,
    endpoints: local.endpoints,
    ...(dashboard === undefined ? {} : { dashboard }),
    mailViewer: `${local.endpoints.ses}/`,
    persistDir: persistDir ?? null,
    queues: Object.values(local.queues).map((q) => ({
      job: q.jobName,
      queue: q.queue.name,
      dlq: q.dlq.name,
    })),
    workers: local.workers.map((w) => ({
      job: w.jobName,
      status: w.status,
      ...(w.reason ? { reason: w.reason } : {}),
    })),
    warnings: local.warnings,
    ...(tryEmail(local) === undefined ? {} : { try: tryEmail(local) }),
  };
}

/** The banner for a terminal. */
export function renderBanner(local: LocalRuntime, { startupMs, persistDir, dashboard }: BannerFacts): string {
  const { endpoints } = local;
  const row = (label: string, value: string, note = '') =>
    `  ${pc.dim(label.padEnd(14))}${value}${note ? `  ${pc.dim(note)}` : ''}`;
  const lines = [
    '',
    `${pc.bold('Hangar local runtime')} ${pc.dim(`up in ${startupMs} ms`)}`,
    '',
    endpoints.api === undefined
      ? row('API', pc.yellow('not served'), 'functions/api/handler.ts does not exist yet')
      : row('API', pc.cyan(endpoints.api)),
    ...(dashboard === undefined
      ? []
      : [row('Dashboard', pc.cyan(dashboard), '`npx hangar dashboard` serves another on its own port')]),
    row('Mail viewer', pc.cyan(`${endpoints.ses}/`), `sent mail as JSON: ${endpoints.ses}/store`),
    row('SQS', endpoints.sqs),
    row('DynamoDB', endpoints.dynamodb, `table ${local.tableName}`),
    row('Scheduler', endpoints.scheduler, `group ${local.scheduleGroupName}`),
    row('Sample source', `${endpoints.sampleSource}/items`, 'for sync.run'),
    row(
      'State',
      persistDir ? `persisted in ${persistDir}` : 'in memory',
      persistDir ? '' : '--persist <dir> keeps it',
    ),
    '',
    pc.bold('  Queues'),
    ...queueRows(local),
    ...recurring(local),
    ...(local.warnings.length > 0 ? ['', ...local.warnings.map((w) => `  ${pc.yellow('!')} ${w}`)] : []),
    '',
    pc.bold('  Try it'),
    ...(endpoints.api === undefined
      ? [pc.dim('    (the API is not served yet; enqueue with JobClient or SQS SendMessage)')]
      : [
          ...(tryEmail(local) === undefined
            ? []
            : [`    ${tryEmail(local)}`, `    curl ${endpoints.ses}/store`]),
          `    curl ${endpoints.api}/jobs/<jobId>`,
        ]),
    '',
    pc.bold('  Point other tools here'),
    ...Object.entries(local.environment).map(([name, value]) => pc.dim(`    export ${name}=${value}`)),
    '',
    pc.dim('  Ctrl-C stops.'),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

function queueRows(local: LocalRuntime): string[] {
  const queues = Object.values(local.queues);
  const rows = columns(queues.map((q) => [q.jobName, q.queue.name, `DLQ ${q.dlq.name}`]));
  return queues.map((q, i) => {
    const worker = local.workers.find((w) => w.jobName === q.jobName);
    const status =
      worker?.status === 'running' ? pc.green(`worker ${worker.functionName}`) : pc.yellow('no worker');
    return `    ${rows[i] ?? ''}${status}`;
  });
}

function recurring(local: LocalRuntime): string[] {
  const schedules = local.settings.jobs.flatMap((job) => job.schedules);
  if (schedules.length === 0) return [];
  const rows = columns(schedules.map((s) => [s.name, `${s.expression} ${s.timeZone}`]));
  return [
    '',
    pc.bold('  Schedules'),
    ...schedules.map((s, i) => {
      const next = local.scheduler.nextFiring(local.scheduleGroupName, s.name);
      return `    ${rows[i] ?? ''}${pc.dim(`next ${next?.toISOString() ?? 'never'}`)}`;
    }),
  ];
}

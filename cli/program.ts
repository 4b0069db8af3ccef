/**
 * The `hangar` command line: arguments in, exit code out. Commands live in `commands/`, the work
 * in modules that take their clients as parameters; this file only wires them to commander and
 * turns every error into a message and an exit code (see EXIT_CODES).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { DASHBOARD_DEFAULTS } from '../dashboard/server/constants.js';
import { registry as appRegistry } from '../jobs/index.js';
import { errorMessage } from '../lib/errors.js';
import type { JobRegistry } from '../lib/index.js';
import { API_DEFAULTS } from './api-client.js';
import { cancelCommand, jobsCommand, sendCommand, statusCommand } from './commands/api-commands.js';
import type { CommandContext, CommonOptions } from './commands/context.js';
import {
  PAUSE_WAIT_SECONDS,
  type QueuePauseCommandOptions,
  queuePauseCommand,
  schedulePauseCommand,
} from './commands/flow-commands.js';
import { ledgerMigrateCommand } from './commands/ledger-command.js';
import {
  type FormatFiles,
  formatWithBiome,
  type NewJobCommandOptions,
  newJobCommand,
} from './commands/new-command.js';
import { dlqDiscardCommand, dlqPeekCommand, queuesCommand } from './commands/queue-commands.js';
import { redriveCommand } from './commands/redrive-command.js';
import { runCommand, schedulesCommand } from './commands/schedule-commands.js';
import { CliError, EXIT_CODES, exitCodeOf, isConnectionError } from './errors.js';
import { type CliIo, Printer } from './output.js';
import { checkStageName, LOCAL_DEFAULTS, resolveTarget, type Target, type TargetOptions } from './target.js';

export interface CliDependencies {
  /** @default the application's registry (`jobs/index.ts`) */
  readonly registry?: JobRegistry;
  /** @default resolveTarget (local defaults, or the stack of `--stage`) */
  readonly resolveTarget?: (options: TargetOptions) => Promise<Target>;
  readonly now?: () => Date;
  /** Aborted on Ctrl-C. */
  readonly signal?: AbortSignal;
  /** Where `hangar new` writes. @default process.cwd() */
  readonly cwd?: string;
  /** How `hangar new` formats what it wrote. @default formatWithBiome (the project's Biome) */
  readonly format?: FormatFiles;
}

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const EXIT_CODE_HELP = `
Exit codes:
  0  ok (an empty DLQ or an empty list is an answer, not an error)
  1  the operation failed (messages not moved, move task failed, job already started)
  2  bad arguments: unknown command, option, job or schedule; malformed JSON; invalid payload
  3  target unreachable: endpoint down, stack or queue missing, no credentials
  4  not found: unknown job id, ids not in the DLQ, selectors that matched nothing
  5  declined at the confirmation prompt; nothing changed
130  interrupted (Ctrl-C); held messages were given back

Targets: the local system (\`npm run dev\`) by default: API at HANGAR_API_URL (default
${API_DEFAULTS.url}), SQS at AWS_ENDPOINT_URL_SQS (default ${LOCAL_DEFAULTS.sqsEndpoint}), the ledger
(redrive, dashboard) at AWS_ENDPOINT_URL_DYNAMODB (default ${LOCAL_DEFAULTS.dynamodbEndpoint}),
table HANGAR_TABLE_NAME (default ${LOCAL_DEFAULTS.tableName}).
--stage <name> reads the outputs of stack Hangar-<name> with the SDK's credentials and region.
Jobs: the application's registry (jobs/index.ts), or the module HANGAR_JOBS names.`;

/**
 * Runs one `hangar` invocation.
 * @returns the exit code.
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  deps: CliDependencies = {},
): Promise<number> {
  const registry = deps.registry ?? appRegistry;
  const now = deps.now ?? (() => new Date());
  let exitCode: number = EXIT_CODES.ok;

  const run = async (options: CommonOptions, command: (ctx: CommandContext) => Promise<void>) => {
    const out = new Printer(io, { json: options.json === true });
    let target: Promise<Target> | undefined;
    const ctx: CommandContext = {
      out,
      registry,
      now,
      signal: deps.signal,
      target: () => {
        target ??= (deps.resolveTarget ?? resolveTarget)({
          ...(options.stage === undefined ? {} : { stage: options.stage }),
          env: io.env,
          registry,
        });
        return target;
      },
    };
    try {
      if (options.stage !== undefined) {
        checkStageName(options.stage);
        // Left over from a local session, these would send the stage's calls to the emulators.
        const overrides = Object.keys(io.env).filter((name) => name.startsWith('AWS_ENDPOINT_URL'));
        if (overrides.length > 0)
          out.note(`Note: ${overrides.join(', ')} set; the AWS SDK sends those calls there.`);
      }
      await command(ctx);
      if (deps.signal?.aborted) exitCode = EXIT_CODES.interrupted;
    } catch (error) {
      exitCode = exitCodeOf(error);
      let message = errorMessage(error);
      if (!(error instanceof CliError) && isConnectionError(error)) {
        const resolved = await target?.catch(() => undefined);
        message = `Cannot reach ${resolved?.label ?? 'the target'}: ${message}`;
        if (resolved?.kind === 'local') message += `; ${LOCAL_DEFAULTS.hint}`;
      }
      out.error(message, exitCode);
      if (io.env.HANGAR_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    } finally {
      await target?.then((t) => t.destroy()).catch(() => undefined);
    }
  };

  const program = new Command('hangar')
    .description(
      'Operate Hangar: send and inspect jobs, watch, pause and resume queues and schedules, peek, discard and redrive dead letters.',
    )
    .version(version)
    .addHelpText('after', EXIT_CODE_HELP)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`hangar: ${text}`),
    });

  const common = (command: Command, { json = true }: { json?: boolean } = {}) => {
    command
      .exitOverride()
      .addOption(new Option('--stage <name>', 'run against deployed stage <name> (stack Hangar-<name>)'));
    if (json) command.option('--json', 'print the result as JSON (for scripts)');
    return command;
  };

  common(
    program
      .command('send')
      .description('send a job through the API')
      .argument('<job>', 'job name, e.g. email.send')
      .argument('<payload>', 'the payload as JSON, or @file to read it from a file')
      .option('--delay <seconds>', 'run after this many seconds')
      .option('--run-at <iso>', 'run at this time (ISO 8601)')
      .option('--idempotency-key <key>', 'the same key again returns the first job, nothing is sent twice'),
  ).action((job: string, payload: string, options: CommonOptions & Parameters<typeof sendCommand>[3]) =>
    run(options, (ctx) => sendCommand(ctx, job, payload, options)),
  );

  common(
    program.command('status').description("show a job's ledger record").argument('<id>', 'job id'),
  ).action((id: string, options: CommonOptions) => run(options, (ctx) => statusCommand(ctx, id)));

  common(
    program.command('cancel').description('cancel a job that has not started yet').argument('<id>', 'job id'),
  ).action((id: string, options: CommonOptions) => run(options, (ctx) => cancelCommand(ctx, id)));

  common(
    program
      .command('jobs')
      .description('list jobs from the ledger, newest first')
      .option('--status <status>', 'only jobs in this status (queued, running, dead, …)')
      .option('--name <job>', 'only jobs of this job name')
      .option('--limit <n>', 'at most this many (1–100)')
      .option('--cursor <cursor>', 'the next page, as printed after a full page'),
  ).action((options: CommonOptions & Parameters<typeof jobsCommand>[1]) =>
    run(options, (ctx) => jobsCommand(ctx, options)),
  );

  common(
    program
      .command('queues')
      .description('per job: paused or active, visible, in flight, delayed, DLQ depth, oldest message age'),
  ).action((options: CommonOptions) => run(options, (ctx) => queuesCommand(ctx)));

  for (const [verb, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    common(
      program
        .command(verb)
        .description(
          paused
            ? "stop processing a job's queue (its worker's event source is disabled); producers keep enqueueing"
            : "start processing a paused job's queue again",
        )
        .argument('<job>', 'job name, e.g. email.send')
        .option(
          '--no-wait',
          `return once the change is asked for, without waiting (up to ${PAUSE_WAIT_SECONDS} s) for it to take effect`,
        ),
    ).action((job: string, options: CommonOptions & QueuePauseCommandOptions) =>
      run(options, (ctx) => queuePauseCommand(ctx, job, paused, options)),
    );
  }
  const ledger = program.command('ledger').description('maintain the job ledger table').exitOverride();
  common(
    ledger
      .command('migrate')
      .description(
        'give job records written before the index redesign their status partition (a step of the deploy sequence)',
      ),
  ).action((options: CommonOptions) => run(options, (ctx) => ledgerMigrateCommand(ctx)));

  const dlq = program.command('dlq').description('inspect and clean up dead-letter queues').exitOverride();
  common(
    dlq
      .command('peek')
      .description('show dead messages with job id, name, attempts and reason, without consuming them')
      .argument('<job>', 'job name')
      .option('--limit <n>', 'at most this many (1–1000)', '20'),
  ).action((job: string, options: CommonOptions & { limit?: string }) =>
    run(options, (ctx) => dlqPeekCommand(ctx, job, options)),
  );
  common(
    dlq
      .command('discard')
      .description('delete dead messages for good, after a confirmation on a terminal')
      .argument('<job>', 'job name')
      .option('--ids <ids...>', 'message ids or job ids (space- or comma-separated)')
      .option('--all', 'every message in the DLQ')
      .option('--yes', 'do not ask (required when no terminal is attached)'),
  ).action((job: string, options: CommonOptions & Parameters<typeof dlqDiscardCommand>[2]) =>
    run(options, (ctx) => dlqDiscardCommand(ctx, job, options)),
  );

  common(
    program
      .command('redrive')
      .description(
        "move dead jobs back to their queue: SQS's native move task on a stage without selectors, else a selective redrive",
      )
      .argument('<job>', 'job name')
      .option('--name <names...>', 'only messages of these job names')
      .option('--error-code <codes...>', 'only messages that failed with these error codes')
      .option('--older-than <age>', 'only messages that failed before this (30m, 2h, 7d, or an ISO time)')
      .option('--ids <ids...>', 'only these message ids or job ids')
      .option('--max <n>', 'move at most this many')
      .option('--rate <n>', 'at most this many messages per second')
      .option('--dry-run', 'list what would move; move nothing')
      .option('--selective', 'on a stage, use the selective redrive even without selectors (fresh attempts)'),
  ).action((job: string, options: CommonOptions & Parameters<typeof redriveCommand>[2]) =>
    run(options, (ctx) => redriveCommand(ctx, job, options)),
  );

  const schedules = common(
    program.command('schedules').description('list recurring schedules; pause or resume one'),
  ).action((options: CommonOptions) => run(options, (ctx) => schedulesCommand(ctx)));
  for (const [verb, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    common(
      schedules
        .command(verb)
        .description(
          paused
            ? 'disable a recurring schedule: it does not fire until resumed'
            : 'enable a paused schedule again (missed firings are not made up)',
        )
        .argument(
          '<schedule>',
          'schedule name (see `hangar schedules`), or the job name of a job with one schedule',
        ),
    ).action((name: string, options: CommonOptions) =>
      run(options, (ctx) => schedulePauseCommand(ctx, name, paused)),
    );
  }

  common(
    program
      .command('run')
      .description('fire a recurring schedule now (e.g. the nightly cleanup)')
      .argument(
        '<schedule>',
        'schedule name (see `hangar schedules`), or the job name of a job with one schedule',
      ),
  ).action((schedule: string, options: CommonOptions) => run(options, (ctx) => runCommand(ctx, schedule)));

  common(
    program
      .command('dashboard')
      .description('serve the dashboard in a browser (on 127.0.0.1) until Ctrl-C')
      .option('--port <n>', `port on 127.0.0.1 (0 for a free one; default ${DASHBOARD_DEFAULTS.port})`)
      .option('--read-only', 'show everything, change nothing: no actions, and the server refuses them'),
    { json: false },
  ).action((options: CommonOptions & { port?: string; readOnly?: boolean }) =>
    // Loaded on use: the other commands do not pay for the web server and the bundler.
    run(options, async (ctx) =>
      (await import('./commands/dashboard-command.js')).dashboardCommand(ctx, options),
    ),
  );

  const create = program.command('new').description('scaffold application code').exitOverride();
  create
    .command('job')
    .description(
      'scaffold a job: declaration, handler (signal and ledger wired), function entry, unit test, and its line in jobs/index.ts',
    )
    .argument('<name>', 'job name, e.g. report.generate (lower case words joined by "." or "-")')
    .option('--schedule <expression>', 'a recurring schedule: cron(...) or rate(...)')
    .option('--time-zone <zone>', "the schedule's IANA time zone, e.g. Europe/Berlin (default UTC)")
    .option('--json', 'print the result as JSON (for scripts)')
    .exitOverride()
    .action((name: string, options: NewJobCommandOptions & CommonOptions) =>
      run(options, (ctx) =>
        newJobCommand(ctx, name, options, deps.cwd ?? process.cwd(), deps.format ?? formatWithBiome),
      ),
    );

  if (argv.length === 0) {
    io.stderr.write(program.helpInformation());
    return EXIT_CODES.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) &&
      error.exitCode === 0
      ? EXIT_CODES.ok
      : EXIT_CODES.usage;
  }
  return exitCode;
}

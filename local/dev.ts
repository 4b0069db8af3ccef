/**
 * `npm run dev`: the whole system on this machine. A thin wrapper around `startLocal` — options,
 * a banner, logs, and Ctrl-C — so everything it runs is what the tests and benchmarks run.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolveTarget } from '../cli/target.js';
import { DASHBOARD_DEFAULTS } from '../dashboard/server/constants.js';
import { EmfCollector, metricsLog } from '../dashboard/server/metrics/emf-collector.js';
import { type Dashboard, startDashboard } from '../dashboard/server/start-dashboard.js';
import { targetFlowControl } from '../dashboard/server/target-flow-control.js';
import { registry } from '../jobs/index.js';
import { errorMessage } from '../lib/errors.js';
import { renderBanner, summarize } from './banner.js';
import { createConsoleLog, type LogLevel } from './log.js';
import {
  LOCAL_DEFAULTS,
  LOCAL_PORTS,
  type LocalPorts,
  type LocalRuntime,
  startLocal,
} from './start-local.js';

// Lambda runs functions in UTC (TZ=:UTC). A time zone is process-wide — a worker thread's own
// environment cannot change it — so the dev process adopts it before anything reads the clock.
process.env.TZ = 'UTC';

const PORT_FLAGS: Readonly<Record<keyof LocalPorts, string>> = {
  api: '--api-port',
  sqs: '--sqs-port',
  ses: '--ses-port',
  dynamodb: '--dynamodb-port',
  scheduler: '--scheduler-port',
  sampleSource: '--source-port',
};

const port = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    throw new InvalidArgumentError('must be a port number (0 for a free one)');
  }
  return parsed;
};

const milliseconds = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new InvalidArgumentError('must be a whole number of milliseconds');
  return parsed;
};

const program = new Command('npm run dev --')
  .description('Runs Hangar locally: emulators, queues, workers, the API and the scheduler on 127.0.0.1.')
  .option(
    '--persist <dir>',
    'keep queues, messages, the table, one-time schedules and pauses in <dir> across restarts',
  )
  .option('--sender <email>', 'the address e-mail is sent as', LOCAL_DEFAULTS.senderEmail)
  .option('--time-zone <zone>', "the stage's time zone (nightly cleanup, scheduled sync sources)")
  .option('--cleanup-schedule <expression>', "the cleanup's cron(...) expression")
  .addOption(
    new Option('--log-level <level>', 'lowest level shown')
      .choices(['debug', 'info', 'warn', 'error'])
      .default('info'),
  )
  .addOption(new Option('--json', 'JSON log lines even on a terminal').default(false))
  .option(
    '--grace <ms>',
    'how long Ctrl-C lets running invocations finish',
    milliseconds,
    LOCAL_DEFAULTS.shutdownGraceMs,
  );
for (const [name, flag] of Object.entries(PORT_FLAGS)) {
  program.option(`${flag} <port>`, `port of ${name}`, port, LOCAL_PORTS[name as keyof LocalPorts]);
}
program.option('--dashboard-port <port>', 'port of the dashboard', port, DASHBOARD_DEFAULTS.devPort);

interface DevOptions {
  readonly persist?: string;
  readonly timeZone?: string;
  readonly cleanupSchedule?: string;
  readonly sender: string;
  readonly logLevel: LogLevel;
  readonly json: boolean;
  readonly grace: number;
  readonly apiPort: number;
  readonly sqsPort: number;
  readonly sesPort: number;
  readonly dynamodbPort: number;
  readonly schedulerPort: number;
  readonly sourcePort: number;
  readonly dashboardPort: number;
}

async function main(): Promise<void> {
  const options = program.parse().opts<DevOptions>();
  const pretty = !options.json && process.stdout.isTTY === true;
  // The workers' EMF lines, which CloudWatch would count in AWS, feed the dashboard's chart.
  const metrics = new EmfCollector(registry, LOCAL_DEFAULTS.stage);
  const log = metricsLog(createConsoleLog({ pretty, level: options.logLevel }), metrics);
  const started = Date.now();
  let local: LocalRuntime;
  try {
    local = await startLocal({
      ports: {
        api: options.apiPort,
        sqs: options.sqsPort,
        ses: options.sesPort,
        dynamodb: options.dynamodbPort,
        scheduler: options.schedulerPort,
        sampleSource: options.sourcePort,
      },
      ...(options.persist === undefined ? {} : { persistDir: options.persist }),
      senderEmail: options.sender,
      stage: {
        ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
        ...(options.cleanupSchedule === undefined ? {} : { cleanupSchedule: options.cleanupSchedule }),
      },
      shutdownGraceMs: options.grace,
      log,
    });
  } catch (error) {
    log.event('dev', 'error', 'The local runtime did not start', { error: errorMessage(error) });
    process.exitCode = 1;
    return;
  }
  const target = await resolveTarget({ env: local.environment, registry });
  let dashboard: Dashboard;
  try {
    dashboard = await startDashboard({
      target,
      registry,
      metrics,
      port: options.dashboardPort,
      flowControl: targetFlowControl(target, registry),
    });
  } catch (error) {
    log.event('dev', 'error', 'The dashboard did not start', { error: errorMessage(error) });
    target.destroy();
    await local.stop();
    process.exitCode = 1;
    return;
  }
  const startupMs = Date.now() - started;
  const facts = { startupMs, persistDir: options.persist, dashboard: dashboard.url };
  if (pretty) process.stdout.write(renderBanner(local, facts));
  else log.event('dev', 'info', 'Hangar local runtime ready', summarize(local, facts));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.event('dev', 'warn', `${signal} again: exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    log.event('dev', 'info', `${signal}: stopping (running invocations get ${options.grace} ms)`);
    dashboard
      .stop()
      .then(() => target.destroy())
      .then(() => local.stop())
      .then(
        () => {
          log.event('dev', 'info', 'Stopped');
          process.exit(0);
        },
        (error: unknown) => {
          log.event('dev', 'error', 'Stopping failed', { error: errorMessage(error) });
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();

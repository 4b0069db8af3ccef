/**
 * The whole Hangar system on one machine, in-process: emulators for SQS, SES and DynamoDB; the
 * queues, DLQs and ledger table derived from the settings module; every job's worker behind a
 * Lambda-like SQS event source, each function instance a worker thread; the HTTP API; a local
 * EventBridge Scheduler; and a sample external source. `npm run dev`, the integration tests, the
 * chaos run and the benchmarks all start it through `startLocal`.
 */

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { deriveStageSettings, STAGE_DEFAULTS, type StageConfig } from '../infra/config.js';
import {
  API_FUNCTION,
  registry as builtinRegistry,
  ConfigError,
  check,
  describeIssues,
  functionDir,
  isScheduleExpression,
  isTimeZone,
  type JobRegistry,
  type Settings,
  type SyncSourceConfig,
  syncRun,
  syncSourcesSchema,
} from '../lib/index.js';
import { bundleEntries } from './bundle.js';
import { PortInUseError, startDynamoEmulator, startSesEmulator, startSqsEmulator } from './emulators.js';
import { LOCAL_IDENTITY, LOCAL_PORTS, type LocalPorts } from './endpoints.js';
import { type EventSource, type EventSourceMapping, startEventSource } from './event-source.js';
import { type FaultLayer, startFaultLayer } from './faults/fault-layer.js';
import type { FaultOptions } from './faults/fault-plan.js';
import {
  apiEnvironment,
  awsEnvironment,
  LOCAL_CREDENTIALS,
  type LocalStage,
  workerEnvironment,
  workerFunctionName,
} from './function-environment.js';
import { type HttpApi, startHttpApi } from './http-api.js';
import { LocalFunction } from './local-function.js';
import { type LocalLog, silentLog } from './log.js';
import { createJobQueues, createTable, type JobQueues } from './resources.js';
import { type SampleSource, startSampleSource } from './sample-source.js';
import { LOCAL_SCHEDULER_ROLE_ARN, LocalScheduler } from './scheduler.js';
import { type SchedulerApi, startSchedulerApi } from './scheduler-api.js';

/** The loopback ports of PRODUCT.md ("Local endpoints"), plus the two this runtime adds. */
export { LOCAL_PORTS, type LocalPorts } from './endpoints.js';

/** Defaults of `startLocal`; each `@default` below names one of these. */
export const LOCAL_DEFAULTS = {
  region: LOCAL_IDENTITY.region,
  stage: 'local',
  tableName: LOCAL_IDENTITY.tableName,
  scheduleGroupName: LOCAL_IDENTITY.scheduleGroupName,
  senderEmail: 'hangar@example.com',
  /** Lambda's long-poll wait. */
  pollWaitSeconds: 20,
  /** How long in-flight invocations may run on at `stop()` before their threads are terminated. */
  shutdownGraceMs: 10_000,
  /** The sync source a fresh runtime configures: the sample source, paged small enough to show continuations. */
  sampleSource: { id: 'sample', pageSize: 50 },
  /** The function folder each job's `handler.ts` lives in: `functions/<functionDir(job)>/`. */
  functionsDir: fileURLToPath(new URL('../functions/', import.meta.url)),
} as const;

/** The file a function folder provides, exporting `handler` (as the stack expects it). */
export const HANDLER_FILE = 'handler.ts';

/**
 * The API function, as the stack configures it (`API_FUNCTION_DIR` and `API_DEFAULTS` in `infra/`,
 * which load aws-cdk-lib and would cost `npm run dev` a second). The parity test holds these to
 * the synthesized template.
 */
export const LOCAL_API = {
  ...API_FUNCTION,
  functionName: API_FUNCTION.dir,
  /** API Gateway invokes as many instances as requests need; locally, up to this many at once. */
  maxInstances: 10,
} as const;

/** The part of a stage's configuration (`infra/config.ts`, `StageConfig`) that applies locally. */
export interface LocalStageOptions {
  readonly timeZone?: string;
  readonly cleanupSchedule?: string;
  /** Sources `sync.run` pulls from; `url` may be `http://` locally. */
  readonly syncSources?: readonly SyncSourceConfig[];
}

export interface StartLocalOptions {
  /** Ports on 127.0.0.1, each overridable; `'free'` takes a free port for each. @default LOCAL_PORTS */
  readonly ports?: Partial<LocalPorts> | 'free';
  /** Keeps queues, messages, the table and one-time schedules here across restarts. @default in memory */
  readonly persistDir?: string;
  /** @default the built-in registry */
  readonly registry?: JobRegistry;
  /**
   * The stage configuration keys that shape settings (`timeZone`, `cleanupSchedule`,
   * `syncSources`), derived exactly as the stack derives them (`deriveStageSettings`).
   * @default LOCAL_DEFAULTS.timeZone, the declared cleanup schedule, and one source: the sample source
   */
  readonly stage?: LocalStageOptions;
  /** Where `<functionDir>/handler.ts` is looked up. @default LOCAL_DEFAULTS.functionsDir */
  readonly functionsDir?: string;
  /** Which jobs get a worker: all whose handler exists, none, or the named ones. @default true */
  readonly workers?: boolean | readonly string[];
  /** `{ start }`: a manual clock for the scheduler, moved by `scheduler.advanceTo`. @default the system clock */
  readonly clock?: { readonly start: Date };
  /** @default LOCAL_DEFAULTS.senderEmail */
  readonly senderEmail?: string;
  /** Extra variables for every function; they may not replace derived ones. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default LOCAL_DEFAULTS.pollWaitSeconds */
  readonly pollWaitSeconds?: number;
  /** @default LOCAL_DEFAULTS.shutdownGraceMs */
  readonly shutdownGraceMs?: number;
  /** @default silentLog */
  readonly log?: LocalLog;
  /**
   * Fails a seeded share of the workers' and event sources' SQS, DynamoDB and SES calls
   * (`local/faults/`); the runtime's own client and the emulators' URLs stay direct. @default none
   */
  readonly faults?: FaultOptions;
}

const OPTION_KEYS: readonly (keyof StartLocalOptions)[] = [
  'ports',
  'persistDir',
  'registry',
  'stage',
  'functionsDir',
  'workers',
  'clock',
  'senderEmail',
  'environment',
  'pollWaitSeconds',
  'shutdownGraceMs',
  'log',
  'faults',
];

export interface LocalEndpoints {
  /** The HTTP API; undefined when `functions/api/handler.ts` does not exist yet. */
  readonly api: string | undefined;
  readonly sqs: string;
  /** SES; the mail viewer is at `/`, sent mail as JSON at `/store`. */
  readonly ses: string;
  readonly dynamodb: string;
  readonly scheduler: string;
  readonly sampleSource: string;
}

/** What became of a job's worker. */
export interface LocalWorker {
  readonly jobName: string;
  readonly functionName: string;
  /** The handler file it runs (or would run). */
  readonly entry: string;
  readonly status: 'running' | 'skipped';
  /** Why it was skipped. */
  readonly reason?: string;
  /** A running worker's event source mapping. */
  readonly eventSource?: EventSourceMapping;
}

export interface LocalRuntime {
  readonly endpoints: LocalEndpoints;
  readonly region: string;
  readonly settings: Settings;
  /** Each job's queue and DLQ (name, URL, ARN), by job name. */
  readonly queues: Readonly<Record<string, JobQueues>>;
  readonly tableName: string;
  readonly scheduleGroupName: string;
  readonly scheduler: LocalScheduler;
  readonly workers: readonly LocalWorker[];
  /** Local functions by name. */
  readonly functions: ReadonlyMap<string, LocalFunction>;
  /** Problems worth a line in the banner (a skipped worker, a missing API handler). */
  readonly warnings: readonly string[];
  /**
   * The variables another tool needs to use this runtime (region, dummy credentials,
   * `AWS_ENDPOINT_URL_<SERVICE>`, `HANGAR_API_URL`): export them in a shell and point the CLI at it.
   */
  readonly environment: Readonly<Record<string, string>>;
  /** An SQS client for the local queues. */
  readonly sqs: SQSClient;
  /** With the `faults` option: its counts and rules. */
  readonly faults: FaultLayer | undefined;
  /** Stops polling, lets in-flight invocations finish (bounded), stops the emulators. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the local runtime.
 *
 * @throws {ConfigError} for an unknown option, a worker named that is not a job, or a function environment clash.
 * @throws {PortInUseError} when a fixed port is taken.
 * @example
 * const local = await startLocal({ ports: 'free', clock: { start: new Date('2026-11-23T02:59:00Z') } });
 * await local.scheduler.advanceTo(new Date('2026-11-23T03:00:00Z'));
 * await local.stop();
 */
export async function startLocal(options: StartLocalOptions = {}): Promise<LocalRuntime> {
  const unknown = Object.keys(options).filter((key) => !(OPTION_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) throw new ConfigError(`Unknown startLocal option(s): ${unknown.join(', ')}`);
  const registry = options.registry ?? builtinRegistry;
  const wanted = options.workers ?? true;
  if (Array.isArray(wanted)) for (const name of wanted) registry.get(name);
  const ports = resolvePorts(options.ports);
  const log = options.log ?? silentLog;
  const region = LOCAL_DEFAULTS.region;
  const functionsDir = options.functionsDir ?? LOCAL_DEFAULTS.functionsDir;
  const persistDir = options.persistDir;
  if (persistDir !== undefined) await mkdir(join(persistDir, 'sqs'), { recursive: true });

  // Everything started so far, stopped in reverse if a later step fails.
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => log.event('runtime', 'warn', 'Stop step failed', { error }));
    }
  };
  try {
    const buildDir = await mkdtemp(join(tmpdir(), 'hangar-local-'));
    cleanups.push(() => rm(buildDir, { recursive: true, force: true }));
    // First, because the default sync source's URL is part of the stage configuration.
    const sampleSource: SampleSource = await track(cleanups, startSampleSource(ports.sampleSource));
    const senderEmail = options.senderEmail ?? LOCAL_DEFAULTS.senderEmail;
    const { settings, environment: stageEnvironment } = deriveStageSettings(
      stageConfig(options.stage, registry, senderEmail, sampleSource.url),
      registry,
    );

    // Which functions run: a job whose handler file does not exist is skipped, never faked.
    const workers: LocalWorker[] = [];
    const entries: Record<string, string> = {};
    for (const job of settings.jobs) {
      const entry = join(functionsDir, functionDir(job.jobName), HANDLER_FILE);
      const functionName = workerFunctionName(job.jobName);
      const enabled = wanted === true || (Array.isArray(wanted) && wanted.includes(job.jobName));
      if (!enabled) {
        workers.push({
          jobName: job.jobName,
          functionName,
          entry,
          status: 'skipped',
          reason: 'not requested',
        });
      } else if (!existsSync(entry)) {
        workers.push({
          jobName: job.jobName,
          functionName,
          entry,
          status: 'skipped',
          reason: `${entry} does not exist yet`,
        });
      } else {
        workers.push({ jobName: job.jobName, functionName, entry, status: 'running' });
        entries[functionName] = entry;
      }
    }
    const apiEntry = join(functionsDir, LOCAL_API.dir, HANDLER_FILE);
    const serveApi = existsSync(apiEntry);
    if (serveApi) entries[LOCAL_API.functionName] = apiEntry;
    const threadEntry = fileURLToPath(new URL('./function-thread.ts', import.meta.url));

    // Settled, not raced: whatever did start is tracked for the clean-up before a failure is thrown.
    const [sqsEmulator, sesEmulator, dynamoEmulator, bundles] = await allStarted([
      track(cleanups, startSqsEmulator(ports.sqs, persistDir && join(persistDir, 'sqs'))),
      track(cleanups, startSesEmulator(ports.ses)),
      track(cleanups, startDynamoEmulator(ports.dynamodb, persistDir && join(persistDir, 'dynamodb'))),
      bundleEntries({ ...entries, 'function-thread': threadEntry }, join(buildDir, 'functions')),
    ] as const);

    const clientConfig = { region, credentials: LOCAL_CREDENTIALS };
    const sqs = new SQSClient({ ...clientConfig, endpoint: sqsEmulator.url });
    cleanups.push(async () => sqs.destroy());
    const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: dynamoEmulator.url });
    const [queues] = await Promise.all([
      createJobQueues(sqs, settings),
      createTable(dynamodb, LOCAL_DEFAULTS.tableName, settings.table).finally(() => dynamodb.destroy()),
    ]);

    const scheduler = new LocalScheduler({
      sqs,
      groupName: LOCAL_DEFAULTS.scheduleGroupName,
      settings,
      queueArns: Object.fromEntries(Object.values(queues).map((q) => [q.jobName, q.queue.arn])),
      ...(options.clock ? { manualClockStart: options.clock.start } : {}),
      ...(persistDir === undefined ? {} : { persistFile: join(persistDir, 'schedules.json') }),
      log: {
        info: (message, fields) => log.event('scheduler', 'info', message, fields),
        error: (message, fields) => log.event('scheduler', 'error', message, fields),
      },
    });
    await scheduler.start();
    cleanups.push(() => scheduler.stop());
    const schedulerApi: SchedulerApi = await track(cleanups, startSchedulerApi(scheduler, ports.scheduler));

    const stage: LocalStage = {
      stage: LOCAL_DEFAULTS.stage,
      region,
      endpoints: {
        sqs: sqsEmulator.url,
        ses: sesEmulator.url,
        dynamodb: dynamoEmulator.url,
        scheduler: schedulerApi.url,
        fallback: schedulerApi.url,
      },
      tableName: LOCAL_DEFAULTS.tableName,
      scheduleGroupName: LOCAL_DEFAULTS.scheduleGroupName,
      schedulerRoleArn: LOCAL_SCHEDULER_ROLE_ARN,
      senderEmail,
      queues,
      awsConfigFile: join(buildDir, 'no-aws-config'),
    };
    // With faults, the workers and their event sources reach the emulators through the fault layer.
    const faults =
      options.faults === undefined
        ? undefined
        : await track(
            cleanups,
            startFaultLayer(options.faults, {
              sqs: sqsEmulator.url,
              dynamodb: dynamoEmulator.url,
              ses: sesEmulator.url,
            }),
          );
    const workerStage = faults ? faults.routeStage(stage) : stage;
    const sourceSqs = faults ? faults.sqsClient() : sqs;
    const threadScript = bundles['function-thread'];
    if (threadScript === undefined) throw new Error('The function thread was not bundled');

    const functions = new Map<string, LocalFunction>();
    const sources: EventSource[] = [];
    cleanups.push(async () => {
      await stopFunctions(sources, functions, options.shutdownGraceMs ?? LOCAL_DEFAULTS.shutdownGraceMs);
    });
    for (const [index, worker] of workers.entries()) {
      if (worker.status !== 'running') continue;
      const job = settings.job(worker.jobName);
      const bundle = bundles[worker.functionName];
      const jobQueues = workerStage.queues[worker.jobName];
      if (bundle === undefined || jobQueues === undefined)
        throw new Error(`No bundle for ${worker.functionName}`);
      const fn = new LocalFunction({
        name: worker.functionName,
        bundle,
        threadScript,
        environment: workerEnvironment(job, workerStage, {
          ...stageEnvironment[job.jobName],
          ...options.environment,
        }),
        timeoutSeconds: job.function.timeoutSeconds,
        memoryMiB: job.function.memoryMiB,
        // One instance per concurrent invocation, as Lambda scales an event source mapping.
        maxInstances: job.eventSource.maxConcurrency,
        region,
        onOutput: (line, stream) => log.output(worker.functionName, line, stream),
      });
      functions.set(fn.name, fn);
      const source = await startEventSource({
        sqs: sourceSqs,
        queueUrl: jobQueues.queue.url,
        function: fn,
        batchSize: job.eventSource.batchSize,
        maxBatchingWindowSeconds: job.eventSource.maxBatchingWindowSeconds,
        maxConcurrency: job.eventSource.maxConcurrency,
        functionTimeoutSeconds: job.function.timeoutSeconds,
        pollWaitSeconds: options.pollWaitSeconds ?? LOCAL_DEFAULTS.pollWaitSeconds,
        onInvocation: (report) => {
          if (report.records === 0) {
            log.event(worker.functionName, 'warn', 'Polling failed; retrying', { error: report.error });
            return;
          }
          const level = report.outcome === 'ok' ? (report.failed > 0 ? 'warn' : 'info') : 'error';
          log.event(worker.functionName, level, `Invocation ${report.outcome}`, {
            records: report.records,
            deleted: report.deleted,
            failed: report.failed,
            ms: report.durationMs,
            cold: report.cold,
            error: report.error instanceof Error ? report.error.message : describeThreadError(report.error),
          });
        },
      });
      sources.push(source);
      workers[index] = { ...worker, eventSource: source.mapping };
    }

    const api = serveApi
      ? await track(
          cleanups,
          startApi({
            bundle: bundles[LOCAL_API.functionName],
            threadScript,
            environment: apiEnvironment(stage, LOCAL_API.memoryMiB, options.environment),
            port: ports.api,
            region,
            log,
            functions,
          }),
        )
      : undefined;

    const warnings = [
      ...workers
        .filter((w) => w.status === 'skipped' && w.reason !== 'not requested')
        .map((w) => `No worker for job "${w.jobName}": ${w.reason}`),
      ...(serveApi ? [] : [`No HTTP API: ${apiEntry} does not exist yet`]),
    ];
    const endpoints: LocalEndpoints = {
      api: api?.url,
      sqs: sqsEmulator.url,
      ses: sesEmulator.url,
      dynamodb: dynamoEmulator.url,
      scheduler: schedulerApi.url,
      sampleSource: sampleSource.url,
    };
    faults?.arm();
    let stopped: Promise<void> | undefined;
    return {
      endpoints,
      region,
      settings,
      queues,
      tableName: LOCAL_DEFAULTS.tableName,
      scheduleGroupName: LOCAL_DEFAULTS.scheduleGroupName,
      scheduler,
      workers,
      functions,
      warnings,
      environment: toolEnvironment(stage, endpoints),
      sqs,
      faults,
      stop() {
        stopped ??= cleanUp();
        return stopped;
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/**
 * The HTTP API: the API function in worker threads behind a server that turns requests into API
 * Gateway payload 2.0 events. A function error or timeout is what API Gateway answers for a
 * failed integration (500); every request is logged as method, path, status and duration.
 */
async function startApi(options: {
  readonly bundle: string | undefined;
  readonly threadScript: string;
  readonly environment: Record<string, string>;
  readonly port: number;
  readonly region: string;
  readonly log: LocalLog;
  readonly functions: Map<string, LocalFunction>;
}): Promise<HttpApi> {
  const { log } = options;
  if (options.bundle === undefined) throw new Error('The API function was not bundled');
  const fn = new LocalFunction({
    name: LOCAL_API.functionName,
    bundle: options.bundle,
    threadScript: options.threadScript,
    environment: options.environment,
    timeoutSeconds: LOCAL_API.timeoutSeconds,
    memoryMiB: LOCAL_API.memoryMiB,
    maxInstances: LOCAL_API.maxInstances,
    region: options.region,
    onOutput: (line, stream) => log.output(LOCAL_API.functionName, line, stream),
  });
  options.functions.set(fn.name, fn);
  const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
    const invocation = await fn.invoke(event);
    const request = `${event.requestContext.http.method} ${event.rawPath}`;
    if (invocation.outcome === 'ok') {
      const response = invocation.response as APIGatewayProxyResultV2;
      const status = typeof response === 'object' && response !== null ? (response.statusCode ?? 200) : 200;
      // The API logs each request itself; the runtime adds its view (duration, cold start) at debug.
      log.event('api', status >= 500 ? 'error' : 'debug', `${request} → ${status}`, {
        ms: invocation.durationMs,
        cold: invocation.cold || undefined,
      });
      return response;
    }
    log.event('api', 'error', `${request} → 500 (function ${invocation.outcome})`, {
      ms: invocation.durationMs,
      error: invocation.outcome === 'error' ? describeThreadError(invocation.error) : undefined,
    });
    throw new Error(`The API function ended with ${invocation.outcome}`);
  };
  try {
    return await startHttpApi({
      handler,
      port: options.port,
      functionName: LOCAL_API.functionName,
      timeoutMs: LOCAL_API.timeoutSeconds * 1000,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new PortInUseError('api', options.port, error);
    throw error;
  }
}

/** The stage configuration the stack would get, with local defaults; validated as the stack validates sources. */
function stageConfig(
  stage: LocalStageOptions | undefined,
  registry: JobRegistry,
  senderEmail: string,
  sampleSourceUrl: string,
): StageConfig {
  const unknown = Object.keys(stage ?? {}).filter(
    (key) => !['timeZone', 'cleanupSchedule', 'syncSources'].includes(key),
  );
  if (unknown.length > 0) throw new ConfigError(`Unknown stage option(s): ${unknown.join(', ')}`);
  const timeZone = stage?.timeZone ?? STAGE_DEFAULTS.timeZone;
  if (!isTimeZone(timeZone)) throw new ConfigError(`stage.timeZone: unknown time zone "${timeZone}"`);
  if (stage?.cleanupSchedule !== undefined && !isScheduleExpression(stage.cleanupSchedule)) {
    throw new ConfigError(
      `stage.cleanupSchedule: "${stage.cleanupSchedule}" is not a cron(...) or rate(...) expression`,
    );
  }
  const defaultSources = registry.find(syncRun.name)
    ? [{ ...LOCAL_DEFAULTS.sampleSource, url: `${sampleSourceUrl}/items` }]
    : [];
  const sources = check(syncSourcesSchema, stage?.syncSources ?? defaultSources, 'stage.syncSources');
  if (!sources.ok) throw new ConfigError(`Invalid local stage: ${describeIssues(sources.issues)}`);
  return {
    stage: LOCAL_DEFAULTS.stage,
    senderEmail,
    alarmEmail: undefined,
    timeZone,
    cleanupSchedule: stage?.cleanupSchedule,
    syncSources: sources.value,
    createSesIdentity: false,
    production: false,
  };
}

/** For a shell or a tool: the service endpoints, without the functions' catch-all `AWS_ENDPOINT_URL`. */
function toolEnvironment(stage: LocalStage, endpoints: LocalEndpoints): Record<string, string> {
  const { AWS_ENDPOINT_URL: _catchAll, ...aws } = awsEnvironment(stage);
  return { ...aws, ...(endpoints.api === undefined ? {} : { HANGAR_API_URL: endpoints.api }) };
}

function resolvePorts(ports: StartLocalOptions['ports']): LocalPorts {
  if (ports === 'free') {
    return Object.fromEntries(Object.keys(LOCAL_PORTS).map((key) => [key, 0])) as unknown as LocalPorts;
  }
  const resolved = { ...LOCAL_PORTS, ...(ports ?? {}) };
  for (const [name, port] of Object.entries(resolved)) {
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new ConfigError(`Port of ${name} must be 0–65535, got ${String(port)}`);
    }
  }
  return resolved;
}

/** Like `Promise.all`, but waits for every promise before throwing the first failure. */
async function allStarted<T extends readonly unknown[]>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

/** Registers a started piece's `stop` for the clean-up, once it has started. */
async function track<T extends { stop(): Promise<void> }>(
  cleanups: (() => Promise<void>)[],
  starting: Promise<T>,
): Promise<T> {
  const started = await starting;
  cleanups.push(() => started.stop());
  return started;
}

/**
 * Ctrl-C semantics: polling stops at once; invocations already running get `graceMs` to finish,
 * then their threads are terminated — their records stay on the queue, as after a Lambda timeout.
 */
async function stopFunctions(
  sources: readonly EventSource[],
  functions: ReadonlyMap<string, LocalFunction>,
  graceMs: number,
): Promise<void> {
  await Promise.all([
    ...sources.map((source) => source.stop()),
    ...[...functions.values()].map((fn) => fn.stop(graceMs)),
  ]);
}

function describeThreadError(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return `${String(name ?? 'Error')}: ${String(message)}`;
  }
  return String(error);
}

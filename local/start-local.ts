/**
 * The whole Hangar system on one machine, in-process: emulators for SQS, SES and DynamoDB; the
 * queues, DLQs and ledger table derived from the settings module; every job's worker behind a
 * Lambda-like SQS event source, each function instance a worker thread; the HTTP API; a local
 * EventBridge Scheduler; and a sample external source. `npm run dev`, the integration tests, the
 * chaos run and the benchmarks all start it through `startLocal`. This file is the order of
 * things; each piece lives in its own module (options, workers, API, teardown).
 */

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { registry as appRegistry } from '../jobs/index.js';
import { deriveStageSettings, functionEntry, type Settings } from '../lib/deploy/index.js';
import { startLocalAwsApi } from './aws-api.js';
import { bundleEntries, bundleFunctionThread } from './bundle.js';
import { startDynamoEmulator, startSesEmulator, startSqsEmulator } from './emulators.js';
import { LOCAL_IDENTITY } from './endpoints.js';
import type { EventSource } from './event-source.js';
import { LocalEventSourceMappings } from './event-source-mappings.js';
import { type FaultLayer, startFaultLayer } from './faults/fault-layer.js';
import {
  apiEnvironment,
  awsEnvironment,
  LOCAL_CREDENTIALS,
  type LocalStage,
} from './function-environment.js';
import { startApi } from './local-api.js';
import type { LocalFunction } from './local-function.js';
import {
  checkStartLocalOptions,
  LOCAL_API,
  LOCAL_DEFAULTS,
  localStageConfig,
  resolvePorts,
  type StartLocalOptions,
} from './local-options.js';
import { type LocalWorker, planWorkers, startWorkers, stopFunctions } from './local-workers.js';
import { silentLog } from './log.js';
import { createJobQueues, createTable, type JobQueues } from './resources.js';
import { startSampleSource } from './sample-source.js';
import { LOCAL_SCHEDULER_ROLE_ARN, LocalScheduler } from './scheduler.js';
import { allStarted, Teardown } from './teardown.js';

/** The loopback ports of PRODUCT.md ("Local endpoints"), plus the two this runtime adds. */
export { LOCAL_PORTS, type LocalPorts } from './endpoints.js';
export {
  LOCAL_API,
  LOCAL_DEFAULTS,
  type LocalStageOptions,
  type StartLocalOptions,
} from './local-options.js';
export type { LocalWorker } from './local-workers.js';

export interface LocalEndpoints {
  /** The HTTP API; undefined when `functions/api/handler.ts` does not exist yet. */
  readonly api: string | undefined;
  readonly sqs: string;
  /** SES; the mail viewer is at `/`, sent mail as JSON at `/store`. */
  readonly ses: string;
  readonly dynamodb: string;
  readonly scheduler: string;
  /** Lambda's event-source-mapping API (pause and resume); the same server as the scheduler's. */
  readonly lambda: string;
  readonly sampleSource: string;
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
  /** The workers' event sources as Lambda's API shows them; disabling one pauses its job's queue. */
  readonly mappings: LocalEventSourceMappings;
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
  checkStartLocalOptions(options);
  const registry = options.registry ?? appRegistry;
  const wanted = options.workers ?? true;
  if (Array.isArray(wanted)) for (const name of wanted) registry.get(name);
  const ports = resolvePorts(options.ports);
  const log = options.log ?? silentLog;
  const region = LOCAL_DEFAULTS.region;
  const functionsDir = options.functionsDir ?? LOCAL_DEFAULTS.functionsDir;
  const persistDir = options.persistDir;
  if (persistDir !== undefined) await mkdir(join(persistDir, 'sqs'), { recursive: true });

  // Everything started so far is stopped in reverse if a later step fails, or at stop().
  const teardown = new Teardown((error) => log.event('runtime', 'warn', 'Stop step failed', { error }));
  try {
    const buildDir = await mkdtemp(join(tmpdir(), 'hangar-local-'));
    teardown.add(() => rm(buildDir, { recursive: true, force: true }));
    // First, because the default sync source's URL is part of the stage configuration.
    const sampleSource = await teardown.track(startSampleSource(ports.sampleSource));
    const senderEmail = options.senderEmail ?? LOCAL_DEFAULTS.senderEmail;
    const { settings, environment: stageEnvironment } = deriveStageSettings(
      localStageConfig(options.stage, registry, senderEmail, sampleSource.url),
      registry,
    );

    const plan = planWorkers(settings, wanted, functionsDir);
    const entries: Record<string, string> = { ...plan.entries };
    const apiEntry = functionEntry(functionsDir, LOCAL_API.dir);
    const serveApi = existsSync(apiEntry);
    if (serveApi) entries[LOCAL_API.functionName] = apiEntry;

    // Settled, not raced: whatever did start is tracked for the teardown before a failure is thrown.
    const functionsBuildDir = join(buildDir, 'functions');
    const [sqsEmulator, sesEmulator, dynamoEmulator, bundles, threadScript] = await allStarted([
      teardown.track(startSqsEmulator(ports.sqs, persistDir && join(persistDir, 'sqs'))),
      teardown.track(startSesEmulator(ports.ses)),
      teardown.track(startDynamoEmulator(ports.dynamodb, persistDir && join(persistDir, 'dynamodb'))),
      bundleEntries(entries, functionsBuildDir),
      bundleFunctionThread(functionsBuildDir),
    ] as const);

    const clientConfig = { region, credentials: LOCAL_CREDENTIALS };
    const sqs = new SQSClient({ ...clientConfig, endpoint: sqsEmulator.url });
    teardown.add(async () => sqs.destroy());
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
    teardown.add(() => scheduler.stop());
    const mappings = new LocalEventSourceMappings({
      region,
      accountId: LOCAL_IDENTITY.accountId,
      ...(persistDir === undefined ? {} : { persistFile: join(persistDir, 'event-source-mappings.json') }),
    });
    await mappings.load();
    const awsApi = await teardown.track(startLocalAwsApi({ scheduler, mappings }, ports.scheduler));

    const stage: LocalStage = {
      stage: LOCAL_DEFAULTS.stage,
      region,
      endpoints: {
        sqs: sqsEmulator.url,
        ses: sesEmulator.url,
        dynamodb: dynamoEmulator.url,
        scheduler: awsApi.url,
        lambda: awsApi.url,
        fallback: awsApi.url,
      },
      tableName: LOCAL_DEFAULTS.tableName,
      scheduleGroupName: LOCAL_DEFAULTS.scheduleGroupName,
      schedulerRoleArn: LOCAL_SCHEDULER_ROLE_ARN,
      senderEmail,
      ...(options.stage?.emailSendRate === undefined ? {} : { emailSendRate: options.stage.emailSendRate }),
      queues,
      awsConfigFile: join(buildDir, 'no-aws-config'),
    };
    // With faults, the workers and their event sources reach the emulators through the fault layer.
    const faults =
      options.faults === undefined
        ? undefined
        : await teardown.track(
            startFaultLayer(options.faults, {
              sqs: sqsEmulator.url,
              dynamodb: dynamoEmulator.url,
              ses: sesEmulator.url,
            }),
          );
    const workerStage = faults ? faults.routeStage(stage) : stage;

    const functions = new Map<string, LocalFunction>();
    const sources: EventSource[] = [];
    teardown.add(() =>
      stopFunctions(sources, functions, options.shutdownGraceMs ?? LOCAL_DEFAULTS.shutdownGraceMs),
    );
    const workers = await startWorkers({
      workers: plan.workers,
      settings,
      queues: workerStage.queues,
      bundles,
      threadScript,
      stage: workerStage,
      stageEnvironment,
      environment: options.environment,
      sqs: faults ? faults.sqsClient() : sqs,
      pollWaitSeconds: options.pollWaitSeconds ?? LOCAL_DEFAULTS.pollWaitSeconds,
      log,
      functions,
      sources,
      mappings,
    });

    const api = serveApi
      ? await teardown.track(
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
      scheduler: awsApi.url,
      lambda: awsApi.url,
      sampleSource: sampleSource.url,
    };
    faults?.arm();
    return {
      endpoints,
      region,
      settings,
      queues,
      tableName: LOCAL_DEFAULTS.tableName,
      scheduleGroupName: LOCAL_DEFAULTS.scheduleGroupName,
      scheduler,
      mappings,
      workers,
      functions,
      warnings,
      environment: toolEnvironment(stage, endpoints),
      sqs,
      faults,
      stop: () => teardown.run(),
    };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}

/** For a shell or a tool: the service endpoints, without the functions' catch-all `AWS_ENDPOINT_URL`. */
function toolEnvironment(stage: LocalStage, endpoints: LocalEndpoints): Record<string, string> {
  const { AWS_ENDPOINT_URL: _catchAll, ...aws } = awsEnvironment(stage);
  return { ...aws, ...(endpoints.api === undefined ? {} : { HANGAR_API_URL: endpoints.api }) };
}

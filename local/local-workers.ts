/**
 * The workers of the local runtime: which jobs get one (a job whose handler file does not exist
 * is skipped, never faked), and each running one as Lambda runs it — a function whose instances
 * are worker threads, behind an SQS event source mapping with the job's derived settings.
 */
import { existsSync } from 'node:fs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { functionDir, functionEntry, type Settings } from '../lib/deploy/index.js';
import { LocalRuntimeError } from './errors.js';
import { type EventSource, type EventSourceMapping, startEventSource } from './event-source.js';
import type { LocalEventSourceMappings } from './event-source-mappings.js';
import { type LocalStage, workerEnvironment, workerFunctionName } from './function-environment.js';
import { describeThreadError, LocalFunction } from './local-function.js';
import type { LocalLog } from './log.js';
import type { JobQueues } from './resources.js';

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

/**
 * Decides each job's worker: running when wanted and its handler file exists, else skipped with
 * the reason. Returns the workers and the entry file of each running one, by function name.
 */
export function planWorkers(
  settings: Settings,
  wanted: boolean | readonly string[],
  functionsDir: string,
): { readonly workers: LocalWorker[]; readonly entries: Record<string, string> } {
  const workers: LocalWorker[] = [];
  const entries: Record<string, string> = {};
  for (const job of settings.jobs) {
    const entry = functionEntry(functionsDir, functionDir(job.jobName));
    const functionName = workerFunctionName(job.jobName);
    const enabled = wanted === true || (Array.isArray(wanted) && wanted.includes(job.jobName));
    if (!enabled) {
      workers.push({ jobName: job.jobName, functionName, entry, status: 'skipped', reason: 'not requested' });
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
  return { workers, entries };
}

export interface StartWorkersOptions {
  readonly workers: readonly LocalWorker[];
  readonly settings: Settings;
  readonly queues: Readonly<Record<string, JobQueues>>;
  /** Bundled code by function name, and the worker-thread script that runs a bundle. */
  readonly bundles: Readonly<Record<string, string>>;
  readonly threadScript: string;
  readonly stage: LocalStage;
  /** Per job name, variables its worker gets from the stage configuration. */
  readonly stageEnvironment: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly environment: Readonly<Record<string, string>> | undefined;
  readonly sqs: SQSClient;
  readonly pollWaitSeconds: number;
  readonly log: LocalLog;
  /** Every function started is added here, by name. */
  readonly functions: Map<string, LocalFunction>;
  /** Every event source started is added here. */
  readonly sources: EventSource[];
  /** Every event source is registered here, and starts disabled if it was paused before a restart. */
  readonly mappings: LocalEventSourceMappings;
}

/** Starts each running worker's function and event source; returns the workers with their mappings. */
export async function startWorkers(options: StartWorkersOptions): Promise<LocalWorker[]> {
  const { log, settings } = options;
  const started: LocalWorker[] = [];
  for (const worker of options.workers) {
    if (worker.status !== 'running') {
      started.push(worker);
      continue;
    }
    const job = settings.job(worker.jobName);
    const bundle = options.bundles[worker.functionName];
    const jobQueues = options.queues[worker.jobName];
    if (bundle === undefined || jobQueues === undefined)
      throw new LocalRuntimeError(`No bundle for ${worker.functionName}`);
    const fn = new LocalFunction({
      name: worker.functionName,
      bundle,
      threadScript: options.threadScript,
      environment: workerEnvironment(job, options.stage, {
        ...options.stageEnvironment[job.jobName],
        ...options.environment,
      }),
      timeoutSeconds: job.function.timeoutSeconds,
      memoryMiB: job.function.memoryMiB,
      // One instance per concurrent invocation, as Lambda scales an event source mapping.
      maxInstances: job.eventSource.maxConcurrency,
      region: options.stage.region,
      onOutput: (line, stream) => log.output(worker.functionName, line, stream),
    });
    options.functions.set(fn.name, fn);
    const source = await startEventSource({
      sqs: options.sqs,
      queueUrl: jobQueues.queue.url,
      function: fn,
      batchSize: job.eventSource.batchSize,
      maxBatchingWindowSeconds: job.eventSource.maxBatchingWindowSeconds,
      maxConcurrency: job.eventSource.maxConcurrency,
      functionTimeoutSeconds: job.function.timeoutSeconds,
      pollWaitSeconds: options.pollWaitSeconds,
      enabled: !options.mappings.isDisabled(worker.functionName, jobQueues.queue.arn),
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
    options.sources.push(source);
    options.mappings.add(worker.functionName, source);
    started.push({ ...worker, eventSource: source.mapping });
  }
  return started;
}

/**
 * Ctrl-C semantics: polling stops at once; invocations already running get `graceMs` to finish,
 * then their threads are terminated — their records stay on the queue, as after a Lambda timeout.
 */
export async function stopFunctions(
  sources: readonly EventSource[],
  functions: ReadonlyMap<string, LocalFunction>,
  graceMs: number,
): Promise<void> {
  await Promise.all([
    ...sources.map((source) => source.stop()),
    ...[...functions.values()].map((fn) => fn.stop(graceMs)),
  ]);
}

/**
 * `coldStart`: each function's bundle, as the stack bundles it, and its cold start — a fresh
 * process that imports the bundle and handles one event whose AWS calls go to the local runtime's
 * emulators — against a baseline e-mail worker written the usual way (./baseline-email-worker.ts),
 * bundled the same way. Each process gets exactly the environment the local runtime gives that
 * function, plus the `NODE_OPTIONS` the stack sets. Runs are interleaved across functions.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { API_FUNCTION, encodeEnvelope, functionDir } from '../../lib/deploy/index.js';
import { ENVELOPE_VERSION, type JobDefinition, type JobEnvelope } from '../../lib/index.js';
import { cleanupRun, emailSend, registry, syncRun } from '../../lib/jobs/builtin/index.js';
import { workerFunctionName } from '../../local/function-environment.js';
import { LOCAL_API, LOCAL_DEFAULTS, type LocalRuntime } from '../../local/start-local.js';
import { apiEvent } from '../../test/helpers/api-events.js';
import { runChild } from '../shared/child.js';
import { round, type Summary, summarize } from '../shared/stats.js';

export const BASELINE = 'baseline';

export interface ColdStartBundle {
  readonly file: string;
  readonly bytes: number;
  /** What the stack sets as `NODE_OPTIONS` on this function. */
  readonly nodeOptions: string | undefined;
}

export interface ColdStartOptions {
  /** Each function folder's bundle (`api`, `email`, …) and the baseline's, under `BASELINE`. */
  readonly bundles: Readonly<Record<string, ColdStartBundle>>;
  /** The bundled ./driver.ts. */
  readonly driver: string;
  readonly local: LocalRuntime;
  readonly workDir: string;
  readonly runs: number;
  readonly onProgress?: (message: string) => void;
}

interface Run {
  readonly bootMs: number;
  readonly initMs: number;
  readonly invokeMs: number;
  readonly processMs: number;
  readonly warmMs: number;
  readonly response: unknown;
  readonly warmResponse: unknown;
}

export interface FunctionColdStart {
  readonly bundleBytes: number;
  /** Import of the bundle: what Lambda reports as part of Init Duration. */
  readonly initMs: Summary;
  /** The first event, with every client's first connection. */
  readonly firstEventMs: Summary;
  /** init + first event: the figure compared. */
  readonly coldStartMs: Summary;
  /** Process start to response, Node's own start-up included (the same for all). */
  readonly processMs: number;
  /** A second event in the same process, warm: what the cost section bills per job. */
  readonly warmEventMs: number;
}

export interface ColdStartSection {
  readonly ratio: number;
  readonly goal: string;
  readonly unit: string;
  readonly functions: Record<string, FunctionColdStart>;
  readonly baseline: FunctionColdStart;
  readonly runs: number;
}

/** The functions the stack deploys: one per job folder, and the API. */
export function deployedFunctionDirs(): string[] {
  return [API_FUNCTION.dir, ...new Set(registry.jobs.map((job) => functionDir(job.name)))];
}

const EMAIL = { to: ['ada@example.com'], subject: 'Cold start', text: 'Hello from the benchmark.' };

function envelope(job: JobDefinition, payload: unknown): JobEnvelope {
  return {
    version: ENVELOPE_VERSION,
    jobId: randomUUID().replaceAll('-', ''),
    name: job.name,
    payload: payload as JobEnvelope['payload'],
    enqueuedAt: new Date().toISOString(),
    attempt: 1,
    continuation: 0,
  };
}

function sqsEvent(local: LocalRuntime, job: JobDefinition, payload: unknown, groupId?: string): SQSEvent {
  const queue = local.queues[job.name];
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: `cold-${randomUUID()}`,
        body: encodeEnvelope(envelope(job, payload)),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'AIDABENCH',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
          ...(groupId === undefined ? {} : { MessageGroupId: groupId }),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: queue?.queue.arn ?? '',
        awsRegion: local.region,
      },
    ],
  };
}

/** A fresh event per run (a new job id each time, so the ledger never answers "already done"). */
function eventFor(name: string, local: LocalRuntime): unknown {
  switch (name) {
    case API_FUNCTION.dir:
      return apiEvent('POST', '/jobs', { body: { name: emailSend.name, payload: EMAIL } });
    case BASELINE:
    case functionDir(emailSend.name):
      return sqsEvent(local, emailSend, EMAIL);
    case functionDir(syncRun.name):
      return sqsEvent(
        local,
        syncRun,
        { sourceId: LOCAL_DEFAULTS.sampleSource.id },
        LOCAL_DEFAULTS.sampleSource.id,
      );
    case functionDir(cleanupRun.name):
      return sqsEvent(local, cleanupRun, {});
    default:
      throw new Error(`No cold-start event for function "${name}"`);
  }
}

/** The local function whose environment a bundle runs with. */
function environmentOf(name: string, local: LocalRuntime): Record<string, string> {
  const functionName =
    name === API_FUNCTION.dir
      ? LOCAL_API.functionName
      : workerFunctionName(
          (name === BASELINE ? emailSend : registry.jobs.find((job) => functionDir(job.name) === name))
            ?.name ?? name,
        );
  const fn = local.functions.get(functionName);
  if (!fn) throw new Error(`The local runtime runs no function "${functionName}"`);
  return { ...fn.configuration.environment };
}

function succeeded(name: string, response: unknown): boolean {
  if (name === API_FUNCTION.dir) return (response as { statusCode?: number } | null)?.statusCode === 202;
  const failures = (response as { batchItemFailures?: unknown[] } | null)?.batchItemFailures;
  return Array.isArray(failures) && failures.length === 0;
}

export async function measureColdStart(options: ColdStartOptions): Promise<ColdStartSection> {
  const names = Object.keys(options.bundles);
  const runs = new Map<string, Run[]>();
  for (let round = 1; round <= options.runs; round++) {
    for (const name of names) {
      const bundle = options.bundles[name];
      if (!bundle) continue;
      const eventFile = join(options.workDir, `cold-${name}.json`);
      const warmFile = join(options.workDir, `warm-${name}.json`);
      writeFileSync(eventFile, JSON.stringify(eventFor(name, options.local)));
      writeFileSync(warmFile, JSON.stringify(eventFor(name, options.local)));
      const env = environmentOf(name, options.local);
      const run = await runChild<Run>(options.driver, [bundle.file, eventFile, warmFile, name], {
        env: { ...env, ...(bundle.nodeOptions === undefined ? {} : { NODE_OPTIONS: bundle.nodeOptions }) },
      });
      if (!succeeded(name, run.response) || !succeeded(name, run.warmResponse)) {
        throw new Error(
          `Cold start of ${name} did not succeed: ${JSON.stringify([run.response, run.warmResponse])}`,
        );
      }
      runs.set(name, [...(runs.get(name) ?? []), run]);
    }
    if (round % 5 === 0 || round === options.runs)
      options.onProgress?.(`coldStart: round ${round}/${options.runs}`);
  }
  const figures = (name: string): FunctionColdStart => {
    const of = runs.get(name) ?? [];
    const tidy = (s: Summary): Summary => ({
      ...s,
      median: round(s.median, 1),
      min: round(s.min, 1),
      max: round(s.max, 1),
      spread: round(s.spread),
    });
    return {
      bundleBytes: options.bundles[name]?.bytes ?? 0,
      initMs: tidy(summarize(of.map((r) => r.initMs))),
      firstEventMs: tidy(summarize(of.map((r) => r.invokeMs))),
      coldStartMs: tidy(summarize(of.map((r) => r.initMs + r.invokeMs))),
      processMs: round(summarize(of.map((r) => r.processMs)).median, 1),
      warmEventMs: round(summarize(of.map((r) => r.warmMs)).median, 1),
    };
  };
  const functions = Object.fromEntries(names.filter((n) => n !== BASELINE).map((n) => [n, figures(n)]));
  const baseline = figures(BASELINE);
  const email = functions[functionDir(emailSend.name)];
  return {
    ratio: round((email?.coldStartMs.median ?? Number.NaN) / baseline.coldStartMs.median),
    goal: '≤ 0.5',
    unit: 'ms, import + first event (median)',
    functions,
    baseline,
    runs: options.runs,
  };
}

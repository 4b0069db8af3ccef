/**
 * `coldStart`: each function's bundle, as the stack bundles it, and its cold start — a fresh
 * process that loads the bundle and handles one event whose AWS calls go to the local runtime's
 * emulators — against a baseline e-mail worker written the usual way (./baseline-email-worker.ts)
 * and bundled the usual way (`NodejsFunction`'s defaults plus `minify` and `bundleAwsSDK`). The
 * same baseline bundled exactly as Hangar's functions are is kept beside it for reference, and so
 * are the e-mail worker's AWS calls alone (./sdk-floor-email-worker.ts): the SDK's share. Each
 * process gets exactly the environment the local runtime gives that function, plus the
 * `NODE_OPTIONS` its function sets, if any. Runs are interleaved across functions.
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
import { type ProfilePhases, phasesFile, profileArgs } from './profile.js';

/** The bundles Hangar's e-mail worker is compared with, by name: they get its environment and its events. */
export const BASELINES = {
  /** Bundled as a team deploys it with CDK: the baseline `coldStart.ratio` divides by. */
  usual: 'baseline',
  /** Bundled exactly as Hangar's functions are: the reference. */
  identicalBundling: 'baselineIdenticalBundling',
  /** The e-mail worker's AWS calls alone (./sdk-floor-email-worker.ts), bundled as Hangar's functions. */
  sdkFloor: 'sdkFloor',
} as const;
const isBaseline = (name: string) => (Object.values(BASELINES) as string[]).includes(name);

export interface ColdStartBundle {
  readonly file: string;
  readonly bytes: number;
  /** What the stack sets as `NODE_OPTIONS` on this function. */
  readonly nodeOptions: string | undefined;
}

export interface ColdStartOptions {
  /** Each function folder's bundle (`api`, `email`, …) and the baseline's two, under `BASELINES`. */
  readonly bundles: Readonly<Record<string, ColdStartBundle>>;
  /** The bundled ./driver.ts. */
  readonly driver: string;
  readonly local: LocalRuntime;
  readonly workDir: string;
  readonly runs: number;
  /** Writes a CPU profile of every run to `<profileDir>/<function>/run-<n>.cpuprofile`, its phases beside it. */
  readonly profileDir?: string;
  readonly onProgress?: (message: string) => void;
}

interface Run {
  readonly bootMs: number;
  readonly initMs: number;
  readonly invokeMs: number;
  readonly processMs: number;
  readonly initCpuMs: number;
  readonly invokeCpuMs: number;
  readonly marksUs: ProfilePhases;
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
  /** The process's CPU time (user + system) for the import, the first event and both. */
  readonly cpu: { readonly initMs: Summary; readonly firstEventMs: Summary; readonly coldStartMs: Summary };
  /** Process start to response, Node's own start-up included (the same for all). */
  readonly processMs: number;
  /** A second event in the same process, warm: what the cost section bills per job. */
  readonly warmEventMs: number;
}

export interface ColdStartSection {
  /** Hangar's e-mail worker ÷ the baseline bundled the usual way, wall-clock medians. */
  readonly ratio: number;
  readonly goal: string;
  readonly stretchGoal: string;
  /** The same ratio in CPU time: what load from other processes on the machine does not move. */
  readonly cpuRatio: number;
  /** Against the baseline bundled exactly as Hangar's functions are (the reference). */
  readonly identicalBundlingRatio: number;
  /** The e-mail worker's AWS calls alone ÷ the baseline, wall and CPU: how low `ratio` can go with the AWS SDK. */
  readonly sdkFloorRatio: { readonly wall: number; readonly cpu: number };
  readonly unit: string;
  readonly functions: Record<string, FunctionColdStart>;
  /** The baseline e-mail worker bundled the usual way. */
  readonly baseline: FunctionColdStart;
  /** The same baseline bundled exactly as Hangar's functions are. */
  readonly baselineIdenticalBundling: FunctionColdStart;
  /** The e-mail worker's AWS calls alone, with the same clients, bundled as Hangar's functions. */
  readonly sdkFloor: FunctionColdStart;
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
    case BASELINES.usual:
    case BASELINES.identicalBundling:
    case BASELINES.sdkFloor:
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
          (isBaseline(name) ? emailSend : registry.jobs.find((job) => functionDir(job.name) === name))
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
      const profile = options.profileDir === undefined ? undefined : join(options.profileDir, name);
      const run = await runChild<Run>(options.driver, [bundle.file, eventFile, warmFile, name], {
        env: { ...env, ...(bundle.nodeOptions === undefined ? {} : { NODE_OPTIONS: bundle.nodeOptions }) },
        ...(profile === undefined ? {} : { nodeArgs: profileArgs(profile, round) }),
      });
      if (profile !== undefined) writeFileSync(phasesFile(profile, round), JSON.stringify(run.marksUs));
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
      cpu: {
        initMs: tidy(summarize(of.map((r) => r.initCpuMs))),
        firstEventMs: tidy(summarize(of.map((r) => r.invokeCpuMs))),
        coldStartMs: tidy(summarize(of.map((r) => r.initCpuMs + r.invokeCpuMs))),
      },
      processMs: round(summarize(of.map((r) => r.processMs)).median, 1),
      warmEventMs: round(summarize(of.map((r) => r.warmMs)).median, 1),
    };
  };
  const functions = Object.fromEntries(names.filter((n) => !isBaseline(n)).map((n) => [n, figures(n)]));
  const baseline = figures(BASELINES.usual);
  const baselineIdenticalBundling = figures(BASELINES.identicalBundling);
  const sdkFloor = figures(BASELINES.sdkFloor);
  const email = functions[functionDir(emailSend.name)];
  const ratio = (of: (f: FunctionColdStart) => Summary, to: FunctionColdStart, from = email) =>
    round((from ? of(from).median : Number.NaN) / of(to).median);
  return {
    ratio: ratio((f) => f.coldStartMs, baseline),
    goal: '≤ 0.7',
    stretchGoal: '≤ 0.6',
    cpuRatio: ratio((f) => f.cpu.coldStartMs, baseline),
    identicalBundlingRatio: ratio((f) => f.coldStartMs, baselineIdenticalBundling),
    sdkFloorRatio: {
      wall: ratio((f) => f.coldStartMs, baseline, sdkFloor),
      cpu: ratio((f) => f.cpu.coldStartMs, baseline, sdkFloor),
    },
    unit: 'ms, import + first event (median)',
    functions,
    baseline,
    baselineIdenticalBundling,
    sdkFloor,
    runs: options.runs,
  };
}

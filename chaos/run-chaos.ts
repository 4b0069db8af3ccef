/**
 * The chaos run: a local runtime of its own, `jobs` chaos jobs enqueued through the client with
 * the faults of a seeded plan, some messages injected twice at the queue, and a wait — bounded in
 * time — until every job has ended and the queue is empty. Then it reads the side-effect log, the
 * ledger, the DLQ and the queue, and checks them (./check.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DEAD_LETTER_ATTRIBUTES,
  decodeEnvelope,
  encodeEnvelope,
  METRIC_NAMES,
  SQS_LIMITS,
} from '../lib/deploy/index.js';
import { ENVELOPE_VERSION, JOB_STATUSES, JobClient, type JobStatus } from '../lib/index.js';
import { DynamoJobLedger, LEDGER_DEFAULTS } from '../lib/ledger/index.js';
import { WORKER_LOG_MESSAGES } from '../lib/worker/rules.js';
import { LOCAL_CREDENTIALS } from '../local/function-environment.js';
import type { LocalLog } from '../local/log.js';
import { startLocal } from '../local/start-local.js';
import { queueDepth } from '../test/helpers/queues.js';
import { type ChaosVerdict, checkChaos, type DeadLetter } from './check.js';
import { readEvents } from './effects.js';
import { CHAOS_DIR_VARIABLE, chaosRegistry, chaosRun } from './job.js';
import { type ChaosPlan, planChaos } from './plan.js';

/** Where the chaos job's handler lives (`<functionsDir>/chaos/handler.ts`). */
export const CHAOS_FUNCTIONS = fileURLToPath(new URL('./functions/', import.meta.url));

export const CHAOS_DEFAULTS = {
  /** Jobs sent per `enqueueMany` call, so workers start while the rest is still being sent. */
  enqueueChunk: 500,
  /** How often the run looks whether everything has ended. */
  pollMs: 500,
  /** A run stops by itself after this long, finished or not. */
  timeLimitMs: 9 * 60_000,
} as const;

export interface ChaosOptions {
  readonly jobs: number;
  readonly seed: number;
  /** @default CHAOS_DEFAULTS.timeLimitMs */
  readonly timeLimitMs?: number;
  /** Progress lines while the run waits. */
  readonly onProgress?: (line: string) => void;
}

/** How often each fault actually happened, as observed (the handler's notes and the runtime's logs). */
export interface FaultFirings {
  /** Attempts that failed on purpose; the worker's `JobRetried` count. */
  readonly transientFailures: number;
  readonly retried: number;
  /** Permanent failures raised; the worker's `JobDeadLettered` count. */
  readonly permanentFailures: number;
  readonly deadLettered: number;
  /** Jobs that ran past their margin; the records handed back unstarted (`JobHandedBack`). */
  readonly slowJobs: number;
  readonly handedBack: number;
  /** Jobs that ignored their signal; the records the worker left at its hard stop. */
  readonly stuckJobs: number;
  readonly hardStops: number;
  /** Jobs that blocked their invocation; invocations the runtime terminated at the timeout. */
  readonly blockingJobs: number;
  readonly terminated: number;
  /** Copies injected; deliveries of an already finished job dropped by its ledger claim. */
  readonly duplicatesInjected: number;
  readonly droppedAsSettled: number;
}

export interface ChaosReport {
  readonly plan: ChaosPlan;
  readonly fired: FaultFirings;
  readonly verdict: ChaosVerdict;
  /** Kinds of fault that were planned but never observed. */
  readonly silentFaults: readonly string[];
  readonly seconds: number;
  /** The run's last line: `{ seed, jobs, succeeded, dead, expectedDead, lost, duplicateEffects, drained, seconds }`. */
  readonly summary: {
    readonly seed: number;
    readonly jobs: number;
    readonly succeeded: number;
    readonly dead: number;
    readonly expectedDead: number;
    readonly lost: number;
    readonly duplicateEffects: number;
    readonly drained: boolean;
    readonly seconds: number;
  };
  readonly ok: boolean;
}

/** Counts what the runtime and its functions report: EMF metrics, worker log lines, terminations. */
class Observer implements LocalLog {
  readonly metrics = new Map<string, number>();
  hardStops = 0;
  droppedAsSettled = 0;
  terminated = 0;

  event(_source: string, _level: string, message: string): void {
    if (message === 'Invocation timeout') this.terminated += 1;
  }

  output(_source: string, line: string): void {
    if (!line.startsWith('{')) return;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof parsed._aws === 'object') {
      for (const name of Object.values(METRIC_NAMES)) {
        const value = parsed[name];
        if (typeof value === 'number' && name !== METRIC_NAMES.duration) {
          this.metrics.set(name, (this.metrics.get(name) ?? 0) + value);
        }
      }
      return;
    }
    if (parsed.message === WORKER_LOG_MESSAGES.hardStop) this.hardStops += 1;
    else if (parsed.message === WORKER_LOG_MESSAGES.alreadySettled) this.droppedAsSettled += 1;
  }

  metric(name: string): number {
    return this.metrics.get(name) ?? 0;
  }
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const timeLimitMs = options.timeLimitMs ?? CHAOS_DEFAULTS.timeLimitMs;
  const progress = options.onProgress ?? (() => undefined);
  const plan = planChaos(options.jobs, options.seed);
  const dir = await mkdtemp(join(tmpdir(), 'hangar-chaos-'));
  const observer = new Observer();
  const local = await startLocal({
    ports: 'free',
    registry: chaosRegistry,
    functionsDir: CHAOS_FUNCTIONS,
    workers: [chaosRun.name],
    environment: { [CHAOS_DIR_VARIABLE]: dir },
    shutdownGraceMs: 0,
    log: observer,
  });
  try {
    const queues = local.queues[chaosRun.name];
    if (!queues) throw new Error(`No queues for ${chaosRun.name}`);
    const enqueuedAt = new Date();
    const client = new JobClient({
      registry: chaosRegistry,
      sqs: local.sqs,
      queues: { [chaosRun.name]: { url: queues.queue.url } },
      // One clock reading for every job, so an injected copy can be byte-identical to its original.
      now: () => enqueuedAt,
    });

    const jobIds: string[] = [];
    for (let from = 0; from < plan.jobs.length; from += CHAOS_DEFAULTS.enqueueChunk) {
      const chunk = plan.jobs.slice(from, from + CHAOS_DEFAULTS.enqueueChunk);
      const results = await client.enqueueMany(
        chaosRun,
        chunk.map((job) => job.payload),
      );
      for (const result of results) {
        if (!result.ok) throw result.error;
        jobIds[from + result.index] = result.jobId;
      }
      const copies = chunk.flatMap((job, i) => {
        const jobId = jobIds[from + i];
        if (job.duplicateDelaySeconds === undefined || jobId === undefined) return [];
        const body = encodeEnvelope({
          version: ENVELOPE_VERSION,
          jobId,
          name: chaosRun.name,
          payload: job.payload,
          enqueuedAt: enqueuedAt.toISOString(),
          attempt: 1,
          continuation: 0,
        });
        return [{ Id: String(i), MessageBody: body, DelaySeconds: job.duplicateDelaySeconds }];
      });
      for (let i = 0; i < copies.length; i += SQS_LIMITS.batchEntries) {
        const out = await local.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queues.queue.url,
            Entries: copies.slice(i, i + SQS_LIMITS.batchEntries),
          }),
        );
        if ((out.Failed ?? []).length > 0)
          throw new Error(`Injecting copies failed: ${JSON.stringify(out.Failed)}`);
      }
    }
    progress(`enqueued ${jobIds.length} jobs and ${plan.counts.duplicate} copies in ${elapsed(started)} s`);

    // Wait until every job has ended and the queue is empty, or the time limit.
    const expectedEffects = plan.jobs.length - plan.counts.permanent;
    let lastReport = 0;
    let depth = Number.NaN;
    for (;;) {
      const effects = new Set(
        readEvents(dir)
          .filter((e) => e.kind === 'effect')
          .map((e) => e.jobId),
      ).size;
      depth = await queueDepth(local.sqs, queues.queue.url);
      const deadDepth = await queueDepth(local.sqs, queues.dlq.url);
      const done = effects >= expectedEffects && deadDepth >= plan.counts.permanent && depth === 0;
      if (done || Date.now() - started > timeLimitMs) {
        if (!done) progress(`time limit of ${timeLimitMs / 1000} s reached`);
        break;
      }
      if (Date.now() - lastReport >= 5_000) {
        lastReport = Date.now();
        progress(
          `${elapsed(started)} s: ${effects}/${expectedEffects} side effects, ${deadDepth}/${plan.counts.permanent} dead-lettered, ${depth} messages on the queue`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, CHAOS_DEFAULTS.pollMs));
    }

    const deadLetters = await drainDeadLetters(local.sqs, queues.dlq.url);
    const ledger = await readLedger(local.endpoints.dynamodb, local.region, local.tableName);
    const events = readEvents(dir);
    const verdict = checkChaos({
      plan,
      jobIds,
      events,
      ledger,
      deadLetters,
      queueDepth: await queueDepth(local.sqs, queues.queue.url),
    });
    const noted = (kind: string) => events.filter((e) => e.kind === kind).length;
    const fired: FaultFirings = {
      transientFailures: noted('transient'),
      retried: observer.metric(METRIC_NAMES.retried),
      permanentFailures: noted('permanent'),
      deadLettered: observer.metric(METRIC_NAMES.deadLettered),
      slowJobs: noted('slow'),
      handedBack: observer.metric(METRIC_NAMES.handedBack),
      stuckJobs: noted('stuck'),
      hardStops: observer.hardStops,
      blockingJobs: noted('blocking'),
      terminated: observer.terminated,
      duplicatesInjected: plan.counts.duplicate,
      droppedAsSettled: observer.droppedAsSettled,
    };
    const silentFaults = [
      ['transient', fired.transientFailures > 0 && fired.retried > 0],
      ['permanent', fired.permanentFailures > 0 && fired.deadLettered > 0],
      ['slow (records handed back)', fired.slowJobs > 0 && fired.handedBack > 0],
      ['stuck (hard stop)', fired.stuckJobs > 0 && fired.hardStops > 0],
      ['blocking (invocation terminated)', fired.blockingJobs > 0 && fired.terminated > 0],
      ['duplicate (dropped by the ledger)', fired.droppedAsSettled > 0],
    ].flatMap(([kind, fired]) => (fired ? [] : [String(kind)]));
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    return {
      plan,
      fired,
      verdict,
      silentFaults,
      seconds,
      summary: {
        seed: plan.seed,
        jobs: plan.jobs.length,
        succeeded: verdict.succeeded,
        dead: verdict.dead,
        expectedDead: verdict.expectedDead,
        lost: verdict.lost,
        duplicateEffects: verdict.duplicateEffects,
        drained: verdict.drained,
        seconds,
      },
      ok: verdict.ok && silentFaults.length === 0,
    };
  } finally {
    await local.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function elapsed(since: number): number {
  return Math.round((Date.now() - since) / 1000);
}

/** Reads every message of the DLQ once (they stay hidden while it reads), with its reason. */
async function drainDeadLetters(
  sqs: import('@aws-sdk/client-sqs').SQSClient,
  url: string,
): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for (let empty = 0; empty < 2; ) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: SQS_LIMITS.batchEntries,
        VisibilityTimeout: 600,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) empty += 1;
    for (const message of messages) {
      let jobId: string | undefined;
      try {
        jobId = decodeEnvelope(message.Body ?? '').jobId;
      } catch {
        jobId = undefined;
      }
      letters.push({
        jobId,
        errorCode: message.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.errorCode]?.StringValue,
      });
    }
  }
  return letters;
}

/** Every record of the chaos job in the ledger, by status, through the ledger's own listing. */
async function readLedger(
  endpoint: string,
  region: string,
  tableName: string,
): Promise<Map<string, JobStatus>> {
  const client = new DynamoDBClient({ region, endpoint, credentials: LOCAL_CREDENTIALS });
  try {
    const ledger = new DynamoJobLedger({
      tableName,
      client: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    });
    const statuses = new Map<string, JobStatus>();
    for (const status of JOB_STATUSES) {
      let cursor: string | undefined;
      do {
        const page = await ledger.listJobs({
          name: chaosRun.name,
          status,
          limit: LEDGER_DEFAULTS.maxListLimit,
          ...(cursor === undefined ? {} : { cursor }),
        });
        for (const job of page.jobs) statuses.set(job.jobId, job.status);
        cursor = page.cursor;
      } while (cursor !== undefined);
    }
    return statuses;
  } finally {
    client.destroy();
  }
}

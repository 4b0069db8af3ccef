/**
 * The chaos run: a local runtime of its own, `jobs` chaos jobs enqueued through the client with
 * the faults of a seeded plan, some messages injected twice at the queue, and a wait — bounded in
 * time — until every queue is empty. Then it reads the side-effect log, the ledger, the DLQ and the
 * queue, and checks them (./check.ts).
 *
 * With `infraFaults`, the runtime's fault layer (local/faults/) fails that share of every AWS call
 * the workers and their event sources make, spread evenly over the fault kinds, and half the jobs
 * are real `email.send` jobs run by the real e-mail worker, whose effects are read from the SES
 * store by job.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EMAIL_LOG_MESSAGES } from '../functions/email/send-email.js';
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
import {
  CARRIED_OUT_KINDS,
  FAULT_KINDS,
  type FaultCounts,
  type FaultKind,
  type Injection,
  type OperationCounts,
} from '../local/faults/fault-plan.js';
import { ledgerWriteOf } from '../local/faults/ledger-write.js';
import { LOCAL_CREDENTIALS } from '../local/function-environment.js';
import type { LocalLog } from '../local/log.js';
import { startLocal } from '../local/start-local.js';
import { queueDepth } from '../test/helpers/queues.js';
import { type ChaosVerdict, checkChaos, type DeadLetter, type EmailObservation } from './check.js';
import { readEvents } from './effects.js';
import {
  CHAOS_DIR_VARIABLE,
  CHAOS_INFRA_VARIABLE,
  CHAOS_KEYED,
  chaosEmail,
  chaosEmailNumber,
  chaosEmailSend,
  chaosInfraRegistry,
  chaosKey,
  chaosKeyed,
  chaosRegistry,
  chaosRun,
} from './job.js';
import { type ChaosPlan, planChaos } from './plan.js';

/** Where the chaos job's handler lives (`<functionsDir>/chaos/handler.ts`). */
export const CHAOS_FUNCTIONS = fileURLToPath(new URL('./functions/', import.meta.url));

export const CHAOS_DEFAULTS = {
  /** Jobs sent per `enqueueMany` call, so workers start while the rest is still being sent. */
  enqueueChunk: 500,
  /** How often the run looks whether everything has ended. */
  pollMs: 500,
  /** A run stops by itself after this long, finished or not. */
  timeLimitMs: 20 * 60_000,
  /** With infrastructure faults, this share of the jobs are e-mails. */
  emailShare: 0.5,
  /** Jobs named in problems whose trail the report gives. */
  trails: 10,
  /** Empty polls of every queue in a row that end the wait (one could fall between a re-send and its delete). */
  drainedPolls: 2,
} as const;

export interface ChaosOptions {
  readonly jobs: number;
  readonly seed: number;
  /**
   * The share (0–1) of the workers' and event sources' AWS calls that fail, evenly over the fault
   * kinds; half the jobs are then e-mails. @default no infrastructure faults
   */
  readonly infraFaults?: number;
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
  /** Records a worker could not settle (its own SQS or ledger call failed): each waits a visibility timeout. */
  readonly unsettled: number;
  /** Warnings and errors logged by the functions and the runtime, by source and message. */
  readonly warnings: ReadonlyMap<string, number>;
  /** With infrastructure faults: what the fault layer did. */
  readonly infra?: InfraFirings;
}

export interface InfraFirings {
  readonly rate: number;
  readonly totals: OperationCounts;
  readonly byOperation: FaultCounts;
  /** SES sends carried out whose answer the fault layer held or lost. */
  readonly sesAnswersLost: number;
  /** E-mails in the SES store whose message id never reached the handler. */
  readonly unansweredEmails: number;
}

export interface ChaosReport {
  readonly plan: ChaosPlan;
  readonly fired: FaultFirings;
  readonly verdict: ChaosVerdict;
  /** Kinds of fault that were planned but never observed. */
  readonly silentFaults: readonly string[];
  readonly seconds: number;
  /** The run's last line (see `ChaosSummary`). */
  readonly summary: ChaosSummary;
  /** For the first few jobs named in a problem: their ledger record and the faults their calls met. */
  readonly trails: readonly JobTrail[];
  readonly ok: boolean;
}

export interface JobTrail {
  readonly jobId: string;
  /** `status, attempt n, m claims, last error`, or that there is no record. */
  readonly record: string;
  /** Each fault a call naming the job met, in order: `dynamodb UpdateItem (succeed): error500`. */
  readonly faults: readonly string[];
}

/** `{ seed, jobs, succeeded, dead, expectedDead, lost, duplicateEffects, …, drained, seconds }` */
export type ChaosSummary = {
  readonly seed: number;
  readonly jobs: number;
  /** E-mail jobs among `jobs` (runs with infrastructure faults). */
  readonly emails?: number;
  readonly infraFaults?: number;
} & Pick<
  ChaosVerdict,
  | 'succeeded'
  | 'dead'
  | 'expectedDead'
  | 'lost'
  | 'duplicateEffects'
  | 'duplicateEffectsInWindow'
  | 'deadEarly'
  | 'ledgerMismatches'
  | 'stuck'
  | 'deadRanAgain'
  | 'drained'
> & {
    /** Keyed jobs sent, and the most of one key that ran at once (at most `keyedLimit`). */
    readonly keyedJobs: number;
    readonly keyedMaxConcurrent: number;
    readonly keyedLimit: number;
    /** DLQ messages beyond one per job (`ChaosVerdict.extraDeadLetters`). */
    readonly duplicateDeadLetters: number;
    /** Faults injected, by kind (runs with infrastructure faults). */
    readonly injected?: Readonly<Record<FaultKind, number>>;
    readonly seconds: number;
  };

/** Counts what the runtime and its functions report: EMF metrics, worker log lines, terminations. */
class Observer implements LocalLog {
  readonly metrics = new Map<string, number>();
  readonly warnings = new Map<string, number>();
  /** SES message ids whose answer reached the e-mail handler. */
  readonly acknowledged = new Set<string>();
  hardStops = 0;
  droppedAsSettled = 0;
  terminated = 0;
  unsettled = 0;

  event(source: string, level: string, message: string): void {
    if (message === 'Invocation timeout') this.terminated += 1;
    if (level === 'warn' || level === 'error') this.#warn(source, message);
  }

  #warn(source: string, message: string): void {
    const key = `${source}: ${message}`;
    this.warnings.set(key, (this.warnings.get(key) ?? 0) + 1);
  }

  output(source: string, line: string): void {
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
    else if (parsed.message === WORKER_LOG_MESSAGES.unsettled) this.unsettled += 1;
    else if (parsed.message === EMAIL_LOG_MESSAGES.sent && typeof parsed.sesMessageId === 'string') {
      this.acknowledged.add(parsed.sesMessageId);
    }
    if (parsed.level === 'WARN' || parsed.level === 'ERROR') this.#warn(source, String(parsed.message));
  }

  metric(name: string): number {
    return this.metrics.get(name) ?? 0;
  }
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const timeLimitMs = options.timeLimitMs ?? CHAOS_DEFAULTS.timeLimitMs;
  const progress = options.onProgress ?? (() => undefined);
  const rate = options.infraFaults;
  const emailCount = rate === undefined ? 0 : Math.floor(options.jobs * CHAOS_DEFAULTS.emailShare);
  const plan = planChaos(options.jobs - emailCount, options.seed);
  const keyedCount = Math.max(1, Math.round(plan.jobs.length * CHAOS_KEYED.share));
  const dir = await mkdtemp(join(tmpdir(), 'hangar-chaos-'));
  const observer = new Observer();
  let sesAnswersLost = 0;
  const lostReceives = new Map<string, number>();
  const injections: Pick<Injection, 'service' | 'operation' | 'kind' | 'requestBody'>[] = [];
  const local = await startLocal({
    ports: 'free',
    registry: rate === undefined ? chaosRegistry : chaosInfraRegistry,
    functionsDir: CHAOS_FUNCTIONS,
    workers:
      rate === undefined
        ? [chaosRun.name, chaosKeyed.name]
        : [chaosRun.name, chaosKeyed.name, chaosEmailSend.name],
    environment: {
      [CHAOS_DIR_VARIABLE]: dir,
      ...(rate === undefined ? {} : { [CHAOS_INFRA_VARIABLE]: '1' }),
    },
    shutdownGraceMs: 0,
    log: observer,
    ...(rate === undefined
      ? {}
      : {
          faults: {
            seed: options.seed,
            // A failing call fails through every SDK retry: a share of calls, not of attempts.
            rules: [{ rate, per: 'call' }],
            onInjection: ({ service, operation, kind, requestBody, answerBody }) => {
              if (operation === 'SendEmail' && CARRIED_OUT_KINDS.has(kind)) sesAnswersLost += 1;
              if (operation === 'ReceiveMessage' && CARRIED_OUT_KINDS.has(kind) && answerBody !== undefined) {
                countJobIds(answerBody, lostReceives);
              }
              injections.push({ service, operation, kind, requestBody });
            },
          },
        }),
  });
  try {
    const queues = local.queues[chaosRun.name];
    if (!queues) throw new Error(`No queues for ${chaosRun.name}`);
    const emailQueues = rate === undefined ? undefined : local.queues[chaosEmailSend.name];
    const keyedQueues = local.queues[chaosKeyed.name];
    if (!keyedQueues) throw new Error(`No queues for ${chaosKeyed.name}`);
    const enqueuedAt = new Date();
    const client = new JobClient({
      registry: rate === undefined ? chaosRegistry : chaosInfraRegistry,
      sqs: local.sqs,
      queues: {
        [chaosRun.name]: { url: queues.queue.url },
        [chaosKeyed.name]: { url: keyedQueues.queue.url },
        ...(emailQueues ? { [chaosEmailSend.name]: { url: emailQueues.queue.url } } : {}),
      },
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
    const emailIds: string[] = [];
    for (let from = 0; from < emailCount; from += CHAOS_DEFAULTS.enqueueChunk) {
      const payloads = Array.from(
        { length: Math.min(CHAOS_DEFAULTS.enqueueChunk, emailCount - from) },
        (_, i) => chaosEmail(from + i),
      );
      for (const result of await client.enqueueMany(chaosEmailSend, payloads)) {
        if (!result.ok) throw result.error;
        emailIds[from + result.index] = result.jobId;
      }
    }
    progress(
      `enqueued ${jobIds.length} jobs, ${plan.counts.duplicate} copies and ${emailIds.length} e-mails in ${elapsed(started)} s`,
    );

    // Wait until every queue is empty (each message ended: deleted or dead-lettered), or the time
    // limit. The keyed jobs go second, on a quiet runtime: their worker starting up beside the
    // chaos job's adds load that only stretches the first phase, and their limit is held either way.
    const mainQueues = [queues.queue.url, ...(emailQueues ? [emailQueues.queue.url] : [])];
    await waitDrained(local.sqs, mainQueues, { started, timeLimitMs, dir, progress, faults: local.faults });
    const keyedIds: string[] = [];
    for (let from = 0; from < keyedCount; from += CHAOS_DEFAULTS.enqueueChunk) {
      const payloads = Array.from(
        { length: Math.min(CHAOS_DEFAULTS.enqueueChunk, keyedCount - from) },
        (_, i) => ({ n: from + i, key: chaosKey(from + i) }),
      );
      for (const result of await client.enqueueMany(chaosKeyed, payloads)) {
        if (!result.ok) throw result.error;
        keyedIds[from + result.index] = result.jobId;
      }
    }
    progress(`enqueued ${keyedIds.length} keyed jobs in ${elapsed(started)} s`);
    await waitDrained(local.sqs, [keyedQueues.queue.url], {
      started,
      timeLimitMs,
      dir,
      progress,
      faults: local.faults,
    });

    const deadLetters = await drainDeadLetters(local.sqs, queues.dlq.url);
    const readStatuses = (jobName: string) =>
      readLedger(local.endpoints.dynamodb, local.region, local.tableName, jobName);
    const ledger = await readStatuses(chaosRun.name);
    const events = readEvents(dir);
    const sent = emailQueues ? await readSentEmails(local.endpoints.ses) : [];
    const emails: EmailObservation | undefined = emailQueues && {
      jobIds: emailIds,
      sent,
      acknowledged: observer.acknowledged,
      ledger: await readStatuses(chaosEmailSend.name),
      deadLetters: await drainDeadLetters(local.sqs, emailQueues.dlq.url),
      queueDepth: await queueDepth(local.sqs, emailQueues.queue.url),
    };
    const verdict = checkChaos({
      plan,
      jobIds,
      events,
      ledger,
      deadLetters,
      queueDepth: await queueDepth(local.sqs, queues.queue.url),
      keyed: {
        jobIds: keyedIds,
        limit: CHAOS_KEYED.limit,
        ledger: await readStatuses(chaosKeyed.name),
        deadLetters: await drainDeadLetters(local.sqs, keyedQueues.dlq.url),
        queueDepth: await queueDepth(local.sqs, keyedQueues.queue.url),
      },
      // Always: a late answer (a loaded machine) makes the SDK send a carried-out call again, as a lost one does.
      answersMayBeLost: true,
      ...(emails ? { emails, lostReceives } : {}),
    });
    const noted = (kind: string) => events.filter((e) => e.kind === kind).length;
    const infra: InfraFirings | undefined =
      rate === undefined || local.faults === undefined
        ? undefined
        : {
            rate,
            totals: local.faults.totals(),
            byOperation: local.faults.counts(),
            sesAnswersLost,
            unansweredEmails: sent.filter((email) => !observer.acknowledged.has(email.messageId)).length,
          };
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
      unsettled: observer.unsettled,
      warnings: observer.warnings,
      ...(infra ? { infra } : {}),
    };
    const silentFaults = [
      ['transient', fired.transientFailures > 0 && fired.retried > 0],
      ['permanent', fired.permanentFailures > 0 && fired.deadLettered > 0],
      ['slow (records handed back)', fired.slowJobs > 0 && fired.handedBack > 0],
      ['stuck (hard stop)', fired.stuckJobs > 0 && fired.hardStops > 0],
      ['blocking (invocation terminated)', fired.blockingJobs > 0 && fired.terminated > 0],
      ['duplicate (dropped by the ledger)', fired.droppedAsSettled > 0],
      ...FAULT_KINDS.map((kind) => [
        `infrastructure: ${kind}`,
        infra === undefined || infra.totals[kind] > 0,
      ]),
    ].flatMap(([kind, fired]) => (fired ? [] : [String(kind)]));
    const trails = await traceJobs(
      verdict.problemJobs.slice(0, CHAOS_DEFAULTS.trails),
      injections,
      local.endpoints.dynamodb,
      local.region,
      local.tableName,
    );
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    return {
      plan,
      fired,
      verdict,
      silentFaults,
      seconds,
      summary: {
        seed: plan.seed,
        jobs: options.jobs,
        ...(rate === undefined ? {} : { emails: emailCount, infraFaults: rate }),
        succeeded: verdict.succeeded,
        dead: verdict.dead,
        expectedDead: verdict.expectedDead,
        lost: verdict.lost,
        duplicateEffects: verdict.duplicateEffects,
        duplicateEffectsInWindow: verdict.duplicateEffectsInWindow,
        deadEarly: verdict.deadEarly,
        ledgerMismatches: verdict.ledgerMismatches,
        stuck: verdict.stuck,
        deadRanAgain: verdict.deadRanAgain,
        duplicateDeadLetters: verdict.extraDeadLetters,
        keyedJobs: keyedIds.length,
        keyedMaxConcurrent: verdict.keyed?.maxConcurrent ?? 0,
        keyedLimit: CHAOS_KEYED.limit,
        drained: verdict.drained,
        ...(infra ? { injected: kindsOf(infra.totals) } : {}),
        seconds,
      },
      trails,
      ok: verdict.ok && silentFaults.length === 0,
    };
  } finally {
    await local.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Polls the queues until every one is empty twice in a row, or the run's time limit; reports progress. */
async function waitDrained(
  sqs: SQSClient,
  queueUrls: readonly string[],
  run: {
    readonly started: number;
    readonly timeLimitMs: number;
    readonly dir: string;
    readonly progress: (line: string) => void;
    readonly faults: { totals(): OperationCounts } | undefined;
  },
): Promise<void> {
  const { started, timeLimitMs, dir, progress } = run;
  const depths = () => Promise.all(queueUrls.map((url) => queueDepth(sqs, url)));
  let lastReport = 0;
  for (let emptyPolls = 0; emptyPolls < CHAOS_DEFAULTS.drainedPolls; ) {
    const left = await depths();
    emptyPolls = left.every((depth) => depth === 0) ? emptyPolls + 1 : 0;
    if (Date.now() - started > timeLimitMs) {
      progress(`time limit of ${timeLimitMs / 1000} s reached`);
      return;
    }
    if (Date.now() - lastReport >= 5_000) {
      lastReport = Date.now();
      const effects = new Set(
        readEvents(dir)
          .filter((e) => e.kind === 'effect' || e.kind === 'keyed-end')
          .map((e) => e.jobId),
      ).size;
      const faults = run.faults?.totals();
      progress(
        `${elapsed(started)} s: ${effects} side effects, ${left.join(' + ')} messages on the queues` +
          (faults ? `, ${faults.requests} AWS requests, ${injectedOf(faults)} failed` : ''),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, CHAOS_DEFAULTS.pollMs));
  }
}

/** The ledger record of each job, and every fault met by a call whose request names it. */
async function traceJobs(
  jobIds: readonly string[],
  injections: readonly Pick<Injection, 'service' | 'operation' | 'kind' | 'requestBody'>[],
  endpoint: string,
  region: string,
  tableName: string,
): Promise<JobTrail[]> {
  const client = new DynamoDBClient({ region, endpoint, credentials: LOCAL_CREDENTIALS });
  try {
    const ledger = new DynamoJobLedger({ tableName, client });
    return await Promise.all(
      jobIds.map(async (jobId) => {
        const job = await ledger.getJob(jobId);
        const record = job
          ? `${job.status}, attempt ${job.attempts}, ${job.claims} claims${job.lastError ? `, last error ${job.lastError.code}` : ''}`
          : 'no record';
        const faults = injections
          .filter((injection) => injection.requestBody.includes(jobId))
          .map(({ service, operation, kind, requestBody }) => {
            const write = operation === 'UpdateItem' ? ledgerWriteOf(requestBody) : undefined;
            const dlq =
              operation === 'SendMessage' && requestBody.includes('-dlq') ? 'to the DLQ' : undefined;
            const what = write ?? dlq;
            return `${service} ${operation}${what ? ` (${what})` : ''}: ${kind}`;
          });
        return { jobId, record, faults };
      }),
    );
  } finally {
    client.destroy();
  }
}

/** Counts each job id (a ULID) an SQS answer names, once per message it holds. */
function countJobIds(answerBody: string, counts: Map<string, number>): void {
  for (const [jobId] of answerBody.matchAll(JOB_ID_IN_BODY)) counts.set(jobId, (counts.get(jobId) ?? 0) + 1);
}

/** A job id inside a message body as an SQS answer quotes it (escaped or not). */
const JOB_ID_IN_BODY = /(?<=jobId\\?"\s*:\s*\\?")[0-9A-HJKMNP-TV-Z]{26}/g;

function kindsOf(counts: OperationCounts): Record<FaultKind, number> {
  return Object.fromEntries(FAULT_KINDS.map((kind) => [kind, counts[kind]])) as Record<FaultKind, number>;
}

function injectedOf(counts: OperationCounts): number {
  return FAULT_KINDS.reduce((sum, kind) => sum + counts[kind], 0);
}

/** Every chaos e-mail in the SES store, in the order SES accepted them, by the n its subject names. */
async function readSentEmails(ses: string): Promise<{ n: number; messageId: string }[]> {
  const store = (await (await fetch(`${ses}/store`)).json()) as {
    emails: { messageId: string; subject: string }[];
  };
  return store.emails.flatMap((email) => {
    const n = chaosEmailNumber(email.subject);
    return n === undefined ? [] : [{ n, messageId: email.messageId }];
  });
}

function elapsed(since: number): number {
  return Math.round((Date.now() - since) / 1000);
}

/** Reads every message of the DLQ once (they stay hidden while it reads), with its reason. */
async function drainDeadLetters(sqs: SQSClient, url: string): Promise<DeadLetter[]> {
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

/** Every record of a job in the ledger, by status, through the ledger's own listing. */
async function readLedger(
  endpoint: string,
  region: string,
  tableName: string,
  jobName: string,
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
          name: jobName,
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

/**
 * `endToEnd`: jobs per second from enqueue to done through the local runtime — the client sends,
 * the event source polls, a worker thread runs the job, the event source deletes — for the no-op
 * job without the ledger, against the raw fauxqs loop on the same emulator as the ceiling (send in
 * batches of 10; as many consumers as the job's event source has pollers, each receiving 10 and
 * deleting them in one batch). Beside it, the same with the ledger against a raw loop doing the
 * same two ledger writes per message (claim and succeed, through the same `DynamoJobLedger`).
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeEnvelope, encodeEnvelope, SQS_LIMITS, sqsQueueAttributes } from '../../lib/deploy/index.js';
import { ENVELOPE_VERSION, JobClient, type JobDefinition } from '../../lib/index.js';
import { DynamoJobLedger } from '../../lib/ledger/index.js';
import { WORKER_RULES } from '../../lib/worker/index.js';
import { LOCAL_CREDENTIALS, workerFunctionName } from '../../local/function-environment.js';
import type { LocalLog } from '../../local/log.js';
import type { LocalRuntime } from '../../local/start-local.js';
import { benchJobPayload, benchRegistry, ledgerRun, noopRun } from '../jobs.js';
import { round, type Summary, summarize, summarizeRates } from '../shared/stats.js';

/** Counts the records each worker's event source deleted (the local runtime reports every invocation). */
export class DeletionCounter implements LocalLog {
  readonly #deleted = new Map<string, number>();
  #waiters: (() => void)[] = [];

  event(source: string, _level: string, message: string, fields?: Readonly<Record<string, unknown>>): void {
    if (!message.startsWith('Invocation ') || typeof fields?.deleted !== 'number') return;
    this.#deleted.set(source, (this.#deleted.get(source) ?? 0) + fields.deleted);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  output(): void {}

  deleted(functionName: string): number {
    return this.#deleted.get(functionName) ?? 0;
  }

  /** Resolves once `functionName` has deleted `count` records in all, or rejects after `timeoutMs`. */
  async until(functionName: string, count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.deleted(functionName) < count) {
      if (Date.now() > deadline) {
        throw new Error(
          `${functionName} deleted ${this.deleted(functionName)} of ${count} records in ${timeoutMs} ms`,
        );
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }
}

export interface EndToEndOptions {
  /** A runtime over `benchRegistry` whose log is `counter`. */
  readonly local: LocalRuntime;
  readonly counter: DeletionCounter;
  /** Jobs per run without the ledger. */
  readonly jobs: number;
  /** Jobs per run with the ledger (its writes make a run slower). */
  readonly ledgerJobs: number;
  readonly runs: number;
  /** A run that takes longer fails the benchmark. */
  readonly runTimeoutMs: number;
  readonly onProgress?: (message: string) => void;
}

export interface EndToEndSection {
  readonly ratio: number;
  readonly goal: string;
  readonly unit: string;
  /** Jobs (messages) per second, enqueue to done. */
  readonly noLedger: { readonly hangar: Summary; readonly rawLoop: Summary };
  readonly withLedger: { readonly hangar: Summary; readonly rawLoop: Summary; readonly ratio: number };
  readonly jobs: number;
  readonly ledgerJobs: number;
  readonly consumers: number;
  readonly runs: number;
}

/** Sends `jobs` jobs through the client and waits until the job's worker has deleted them all. */
async function throughHangar(options: EndToEndOptions, job: JobDefinition, jobs: number): Promise<number> {
  const { local, counter } = options;
  const client = new JobClient({ registry: benchRegistry, sqs: local.sqs });
  const functionName = workerFunctionName(job.name);
  const before = counter.deleted(functionName);
  const started = performance.now();
  const payloads = Array.from({ length: jobs }, (_, n) => benchJobPayload(n));
  const results = await client.enqueueMany(job, payloads);
  if (results.some((r) => !r.ok)) throw new Error(`Not every ${job.name} job was enqueued`);
  await counter.until(functionName, before + jobs, options.runTimeoutMs);
  return jobs / ((performance.now() - started) / 1000);
}

/** The ceiling: the same messages through bare send, receive and delete calls, optionally with the ledger writes. */
async function throughRawLoop(
  options: EndToEndOptions,
  job: JobDefinition,
  jobs: number,
  ledger: DynamoJobLedger | undefined,
) {
  const { local } = options;
  const settings = local.settings.job(job.name);
  const consumers = settings.eventSource.maxConcurrency;
  const name = `raw-${settings.queue.name}-${Date.now()}`;
  const created = await local.sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: sqsQueueAttributes(settings.queue) }),
  );
  const url = created.QueueUrl ?? '';
  const sequence = Date.now();
  const bodies = Array.from({ length: jobs }, (_, n) =>
    encodeEnvelope({
      version: ENVELOPE_VERSION,
      jobId: `RAW${sequence}${String(n).padStart(7, '0')}`,
      name: job.name,
      payload: benchJobPayload(n),
      enqueuedAt: new Date().toISOString(),
      attempt: 1,
      continuation: 0,
    }),
  );
  const started = performance.now();
  let done = 0;
  let finished = Number.NaN;
  const deadline = Date.now() + options.runTimeoutMs;
  // Consumers still in a long poll when the last message is deleted are cut short: the run ends
  // at that delete, as Hangar's ends at its event source's last delete.
  const stop = new AbortController();
  try {
    const send = (async () => {
      for (let i = 0; i < bodies.length; i += SQS_LIMITS.batchEntries) {
        await local.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: bodies
              .slice(i, i + SQS_LIMITS.batchEntries)
              .map((MessageBody, j) => ({ Id: String(j), MessageBody })),
          }),
        );
      }
    })();
    const consume = async () => {
      while (done < jobs && Date.now() < deadline) {
        const out = await local.sqs
          .send(
            new ReceiveMessageCommand({
              QueueUrl: url,
              MaxNumberOfMessages: SQS_LIMITS.batchEntries,
              WaitTimeSeconds: 1,
            }),
            { abortSignal: stop.signal },
          )
          .catch((error: unknown) => {
            if (stop.signal.aborted) return { Messages: [] };
            throw error;
          });
        const messages = out.Messages ?? [];
        if (messages.length === 0) continue;
        if (ledger) {
          await Promise.all(
            messages.map(async (message) => {
              const envelope = decodeEnvelope(message.Body ?? '');
              const ref = {
                jobId: envelope.jobId,
                jobName: envelope.name,
                attempt: envelope.attempt,
                continuation: envelope.continuation,
                enqueuedAt: envelope.enqueuedAt,
                messageId: message.MessageId ?? '',
                leaseMs: job.timeoutSeconds * 1000 + WORKER_RULES.leaseSlackMs,
              };
              const claim = await ledger.claim(ref);
              if (claim.outcome !== 'claimed') throw new Error(`Raw loop could not claim ${envelope.jobId}`);
              await ledger.succeed(ref, claim.token);
            }),
          );
        }
        await local.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: messages.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        done += messages.length;
        if (done >= jobs && Number.isNaN(finished)) {
          finished = performance.now();
          stop.abort();
        }
      }
    };
    await Promise.all([send, ...Array.from({ length: consumers }, consume)]);
    if (done < jobs) throw new Error(`The raw loop moved ${done} of ${jobs} messages in time`);
    return { rate: jobs / ((finished - started) / 1000), consumers };
  } finally {
    await local.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  }
}

export async function measureEndToEnd(options: EndToEndOptions): Promise<EndToEndSection> {
  const { local } = options;
  const dynamo = new DynamoDBClient({
    region: local.region,
    endpoint: local.endpoints.dynamodb,
    credentials: LOCAL_CREDENTIALS,
  });
  const ledger = new DynamoJobLedger({
    tableName: local.tableName,
    client: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
  });
  const rates = {
    hangar: [] as number[],
    raw: [] as number[],
    hangarLedger: [] as number[],
    rawLedger: [] as number[],
  };
  let consumers = 0;
  try {
    // Warm every worker up once: a cold start is not what this section measures.
    await throughHangar(options, noopRun, 50);
    await throughHangar(options, ledgerRun, 50);
    for (let run = 1; run <= options.runs; run++) {
      rates.hangar.push(await throughHangar(options, noopRun, options.jobs));
      const raw = await throughRawLoop(options, noopRun, options.jobs, undefined);
      rates.raw.push(raw.rate);
      consumers = raw.consumers;
      rates.hangarLedger.push(await throughHangar(options, ledgerRun, options.ledgerJobs));
      rates.rawLedger.push((await throughRawLoop(options, ledgerRun, options.ledgerJobs, ledger)).rate);
      options.onProgress?.(`endToEnd: run ${run}/${options.runs}`);
    }
  } finally {
    dynamo.destroy();
  }
  const noLedger = { hangar: summarizeRates(rates.hangar), rawLoop: summarizeRates(rates.raw) };
  const withLedger = { hangar: summarizeRates(rates.hangarLedger), rawLoop: summarizeRates(rates.rawLedger) };
  return {
    ratio: round(summarize(rates.hangar).median / summarize(rates.raw).median),
    goal: '≥ 0.5',
    unit: 'jobs per second, enqueue to done',
    noLedger,
    withLedger: {
      ...withLedger,
      ratio: round(summarize(rates.hangarLedger).median / summarize(rates.rawLedger).median),
    },
    jobs: options.jobs,
    ledgerJobs: options.ledgerJobs,
    consumers,
    runs: options.runs,
  };
}

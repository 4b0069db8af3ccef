/**
 * `producer`: what enqueueing costs. SQS requests for 10,000 jobs through the client, counted by a
 * loopback proxy in front of the local runtime's SQS emulator (the floor: one `SendMessageBatch`
 * per 10 jobs, 1,000); and enqueue throughput through the client and through the HTTP API (which
 * also writes each job's ledger record). Both send the built-in `email.send`, which the API
 * accepts; the runtime runs no workers, so nothing is consumed while it is measured.
 */
import { PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { API_LIMITS, SQS_LIMITS } from '../../lib/deploy/index.js';
import { JobClient } from '../../lib/index.js';
import { emailSend, registry } from '../../lib/jobs/builtin/index.js';
import { LOCAL_CREDENTIALS } from '../../local/function-environment.js';
import type { LocalRuntime } from '../../local/start-local.js';
import { startCountingProxy } from '../../test/helpers/counting-proxy.js';
import { round, type Summary, summarizeRates } from '../shared/stats.js';

export interface ProducerOptions {
  /** A runtime with the built-in jobs, its HTTP API, and no workers. */
  readonly local: LocalRuntime;
  /** Jobs per run through the client (the 10,000). */
  readonly jobs: number;
  /** Jobs per run through the API, one job per request (the slowest path). */
  readonly singleApiJobs: number;
  readonly runs: number;
  /** Requests the API gets at once. */
  readonly apiConcurrency: number;
  readonly onProgress?: (message: string) => void;
}

export interface ProducerSection {
  readonly ratio: number;
  readonly goal: string;
  /** SQS requests through the client for `jobs` jobs, by operation (every run alike). */
  readonly requests: {
    readonly total: number;
    readonly floor: number;
    readonly byOperation: Record<string, number>;
  };
  readonly jobs: number;
  /** Jobs per second enqueued. */
  readonly throughput: {
    readonly client: Summary;
    readonly apiBatch: Summary;
    readonly apiSingle: Summary;
  };
  readonly apiBatchSize: number;
  readonly apiConcurrency: number;
  readonly runs: number;
}

const EMAIL = { to: ['ada@example.com'], subject: 'Producer benchmark', text: 'Hello.' };

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

async function post(url: string, body: unknown, expected: number): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const parsed = (await response.json()) as unknown;
  if (response.status !== expected)
    throw new Error(`POST ${url} → ${response.status}: ${JSON.stringify(parsed)}`);
  return parsed;
}

export async function measureProducer(options: ProducerOptions): Promise<ProducerSection> {
  const { local } = options;
  const api = local.endpoints.api;
  const queue = local.queues[emailSend.name];
  if (api === undefined || queue === undefined)
    throw new Error('The producer benchmark needs the API and the e-mail queue');
  const proxy = await startCountingProxy(local.endpoints.sqs);
  const sqs = new SQSClient({
    region: local.region,
    credentials: LOCAL_CREDENTIALS,
    endpoint: proxy.endpoint,
  });
  // Configured as from a stack's outputs: the queue's URL is known, nothing is looked up.
  const client = new JobClient({ registry, sqs, queues: { [emailSend.name]: { url: queue.queue.url } } });
  const payloads = Array.from({ length: options.jobs }, () => EMAIL);
  const batch = API_LIMITS.batchJobs;
  const batches = Array.from({ length: Math.ceil(options.jobs / batch) }, (_, i) =>
    Array.from({ length: Math.min(batch, options.jobs - i * batch) }, () => ({
      name: emailSend.name,
      payload: EMAIL,
    })),
  );
  const rates = { client: [] as number[], apiBatch: [] as number[], apiSingle: [] as number[] };
  let counted: { total: number; byOperation: Record<string, number> } | undefined;
  const purge = () => local.sqs.send(new PurgeQueueCommand({ QueueUrl: queue.queue.url }));
  try {
    for (let run = 1; run <= options.runs; run++) {
      await purge();
      proxy.reset();
      let started = performance.now();
      const results = await client.enqueueMany(emailSend, payloads);
      rates.client.push(options.jobs / ((performance.now() - started) / 1000));
      const failed = results.filter((r) => !r.ok).length;
      if (failed > 0) throw new Error(`${failed} of ${options.jobs} jobs were not enqueued`);
      const byOperation = Object.fromEntries(
        ['AmazonSQS.SendMessageBatch', 'AmazonSQS.SendMessage', 'AmazonSQS.GetQueueUrl'].map((op) => [
          op.replace('AmazonSQS.', ''),
          proxy.count(op),
        ]),
      );
      counted = { total: proxy.total(), byOperation };

      await purge();
      started = performance.now();
      await inParallel(batches, options.apiConcurrency, async (jobs) => {
        const out = (await post(`${api}/jobs/batch`, { jobs }, 207)) as { results: { jobId?: string }[] };
        if (out.results.some((r) => r.jobId === undefined))
          throw new Error('The API refused jobs of a batch');
      });
      rates.apiBatch.push(options.jobs / ((performance.now() - started) / 1000));

      await purge();
      started = performance.now();
      await inParallel(
        Array.from({ length: options.singleApiJobs }, (_, i) => i),
        options.apiConcurrency,
        async () => {
          await post(`${api}/jobs`, { name: emailSend.name, payload: EMAIL }, 202);
        },
      );
      rates.apiSingle.push(options.singleApiJobs / ((performance.now() - started) / 1000));
      options.onProgress?.(`producer: run ${run}/${options.runs}`);
    }
  } finally {
    sqs.destroy();
    await proxy.stop();
    await purge();
  }
  const floor = Math.ceil(options.jobs / SQS_LIMITS.batchEntries);
  return {
    ratio: round((counted?.total ?? Number.NaN) / floor),
    goal: '1.0',
    requests: { total: counted?.total ?? 0, floor, byOperation: counted?.byOperation ?? {} },
    jobs: options.jobs,
    throughput: {
      client: summarizeRates(rates.client),
      apiBatch: summarizeRates(rates.apiBatch),
      apiSingle: summarizeRates(rates.apiSingle),
    },
    apiBatchSize: batch,
    apiConcurrency: options.apiConcurrency,
    runs: options.runs,
  };
}

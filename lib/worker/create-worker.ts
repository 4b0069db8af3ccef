/**
 * The worker's factory: `createWorker` turns job handlers into a Lambda handler for SQS events,
 * building once per function (at cold start) what every invocation shares.
 *
 * The worker, one idea per file:
 * - invocation.ts — one invocation: scheduling its records, their fates, the hard stop, the batch response
 * - run-record.ts — one record from start to fate: the one place a handler runs, and the ledger protocol
 * - attempt.ts — a record decoded and checked up to its handler, or dead on arrival; attempt arithmetic
 * - retry-policy.ts — retried or dead, and after how long
 * - sqs-actions.ts — every SQS call about a record: retry, hand-back, visibility, delete, dead-letter,
 *   continuation
 * - job-context.ts — the `JobContext` a handler gets
 * - runtime.ts (what is held per function and per invocation), outcome.ts (a record's fate),
 *   rules.ts (named numbers and log messages), describe-error.ts, deadline.ts, emf.ts (metrics),
 *   lanes.ts (concurrency and FIFO groups), types.ts (the contracts of handlers and the ledger)
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { sqsClientConfig } from '../config/aws-client.js';
import { readEnv } from '../config/env.js';
import { ENV_VARS } from '../constants.js';
import { ConfigError } from '../errors.js';
import type { LimitStore } from '../limits/limit-store.js';
import { EmfFormat } from './emf.js';
import { Invocation } from './invocation.js';
import { WORKER_RULES } from './rules.js';
import type { WorkerQueue, WorkerRuntime } from './runtime.js';
import type { JobBinding, JobLedger } from './types.js';

export interface WorkerOptions {
  /** The jobs this function runs, each with its handler (`handle(job, handler)`). */
  readonly jobs: readonly JobBinding[];
  /** The ledger; required when a job's declaration has `useLedger` (the default, and every built-in job). */
  readonly ledger?: JobLedger;
  /** Limit state, for jobs that declare limits (required then). */
  readonly limits?: LimitStore;
  /** @default a new SQSClient */
  readonly sqs?: SQSClient;
  /** @default read from `ENV_VARS.queueUrl` and `ENV_VARS.dlqUrl` at creation (cold start) */
  readonly queue?: WorkerQueue;
  /** @default a Powertools Logger (service name from POWERTOOLS_SERVICE_NAME, else "hangar") */
  readonly logger?: Logger;
  /** Where the invocation's EMF metrics line goes. @default process.stdout (Lambda ships it to CloudWatch) */
  readonly writeMetrics?: (line: string) => void;
  /** @default the largest `deadlineMarginMs` of the jobs */
  readonly deadlineMarginMs?: number;
  /** Records (FIFO: message groups) run at once. @default the smallest `batch.recordConcurrency` of the jobs */
  readonly recordConcurrency?: number;
  /** Source of jitter. @default Math.random */
  readonly random?: () => number;
}

export type SqsWorker = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Creates the Lambda handler for a job queue. Never throws for a per-record problem; returns
 * `{ batchItemFailures }` naming every record that must stay on the queue.
 *
 * @example
 * export const handler = createWorker({ jobs: [handle(emailSend, sendEmail)], ledger });
 */
export function createWorker(options: WorkerOptions): SqsWorker {
  if (options.jobs.length === 0) throw new ConfigError('createWorker needs at least one job');
  const bindings = new Map<string, JobBinding>();
  for (const binding of options.jobs) {
    if (bindings.has(binding.job.name)) throw new ConfigError(`Job "${binding.job.name}" is bound twice`);
    bindings.set(binding.job.name, binding);
  }
  const jobs = options.jobs.map((b) => b.job);
  const limited = jobs.find((job) => job.limits !== undefined);
  if (limited !== undefined && options.limits === undefined) {
    throw new ConfigError(
      `Job "${limited.name}" declares limits: createWorker needs a limit store (limits: new DynamoLimitStore({ tableName }))`,
    );
  }
  // Without this, such a job would run unrecorded: its ledger record would say `queued`,
  // `attempts: 0` forever, through the API and the CLI, and nothing would say why.
  const unrecorded = options.ledger === undefined ? jobs.filter((job) => job.useLedger) : [];
  if (unrecorded.length > 0) {
    const one = unrecorded.length === 1;
    throw new ConfigError(
      `${one ? 'Job' : 'Jobs'} ${unrecorded.map((job) => `"${job.name}"`).join(', ')} ${one ? 'uses' : 'use'} the ledger (useLedger, the default) but createWorker was given no ledger: pass { ledger } (ledgerFromEnv() in functions/shared/ builds one), or declare useLedger: false`,
    );
  }
  const queue = options.queue ?? queueFromEnv();
  const fifo = queue.url.endsWith('.fifo');
  const sqs = options.sqs ?? new SQSClient(sqsClientConfig());
  // The stack names each worker's service (POWERTOOLS_SERVICE_NAME); the dashboard finds metrics by it.
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'hangar';
  const logger = options.logger ?? new Logger({ serviceName });
  const marginMs = options.deadlineMarginMs ?? Math.max(...jobs.map((j) => j.deadlineMarginMs));
  const worker: WorkerRuntime = {
    bindings,
    queue,
    fifo,
    sqs,
    logger,
    ledger: options.ledger,
    limits: options.limits,
    random: options.random ?? Math.random,
    emf: new EmfFormat({
      service: serviceName,
      jobName: jobs.length === 1 ? jobs[0]?.name : undefined,
      disabled: process.env.POWERTOOLS_METRICS_DISABLED === 'true',
      ...(options.writeMetrics ? { write: options.writeMetrics } : {}),
    }),
    marginMs,
    // The hard stop must come after the signal, leaving a cooperating handler time to save its place.
    reserveMs: Math.min(WORKER_RULES.hardStopReserveMs, marginMs / 2),
    concurrency: options.recordConcurrency ?? Math.min(...jobs.map((j) => j.batch.recordConcurrency)),
  };
  return (event, context) => new Invocation(worker, context).run(event.Records);
}

function queueFromEnv(): WorkerQueue {
  const nonEmpty = z.string().check(z.minLength(1));
  const env = readEnv({ [ENV_VARS.queueUrl]: nonEmpty, [ENV_VARS.dlqUrl]: nonEmpty });
  return { url: String(env[ENV_VARS.queueUrl]), dlqUrl: String(env[ENV_VARS.dlqUrl]) };
}

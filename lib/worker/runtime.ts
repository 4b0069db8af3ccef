/**
 * What the worker holds, at its two lifetimes: `WorkerRuntime`, built once per function at cold
 * start, and `InvocationScope`, what every record helper works with during one invocation — the
 * function's runtime (held, not copied) plus that invocation's own metrics and deadline.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { LimitStore } from '../limits/limit-store.js';
import type { Deadline } from './deadline.js';
import type { EmfFormat, InvocationMetrics } from './emf.js';
import type { JobBinding, JobLedger } from './types.js';

export interface WorkerQueue {
  /** The queue this function consumes; retries, hand-backs and continuations go back to it. */
  readonly url: string;
  /** Its DLQ, where the worker dead-letters messages itself. */
  readonly dlqUrl: string;
}

/** What a worker function holds for all its invocations (built once, at cold start). */
export interface WorkerRuntime {
  readonly bindings: ReadonlyMap<string, JobBinding>;
  readonly queue: WorkerQueue;
  readonly fifo: boolean;
  readonly sqs: SQSClient;
  readonly logger: Logger;
  readonly ledger: JobLedger | undefined;
  /** Where declared limits keep their state; set whenever a bound job declares one. */
  readonly limits: LimitStore | undefined;
  readonly random: () => number;
  readonly emf: EmfFormat;
  readonly marginMs: number;
  readonly reserveMs: number;
  readonly concurrency: number;
}

/**
 * One invocation as the record helpers see it. Metrics and deadline are per invocation: a warm
 * environment may run invocations concurrently, and their counts and signals must never mix.
 */
export interface InvocationScope {
  readonly worker: WorkerRuntime;
  readonly metrics: InvocationMetrics;
  readonly deadline: Deadline;
}

/**
 * `workerOverhead`: framework overhead per record on a no-op job without the ledger, at batches of
 * 10 and 100. Three handlers do the same work per record (parse the body, validate its payload
 * with the job's schema): a raw loop (the floor), Powertools' BatchProcessor, and Hangar's worker.
 * Each run is a fresh process; runs are interleaved (raw, Powertools, Hangar, raw, …) so a burst
 * of load on the machine hits all three alike. Overhead = µs/record minus the raw loop's, taken per
 * round (the three runs next to each other in time) and then the median over rounds.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { ENV_VARS, encodeEnvelope } from '../../lib/deploy/index.js';
import { benchEnvelope } from '../jobs.js';
import { runChild } from '../shared/child.js';
import { median, round, type Summary, summarize } from '../shared/stats.js';

export const WORKER_OVERHEAD_HANDLERS = ['raw', 'powertools', 'hangar'] as const;
export type OverheadHandler = (typeof WORKER_OVERHEAD_HANDLERS)[number];

/**
 * What is run: the three handlers, and — for the report's breakdown, not the ratio — Hangar's with
 * its metrics switched off, which shows what the one EMF line per invocation costs.
 */
const VARIANTS = [
  { name: 'raw', handler: 'raw', env: {} },
  { name: 'powertools', handler: 'powertools', env: {} },
  { name: 'hangar', handler: 'hangar', env: {} },
  { name: 'hangarWithoutMetrics', handler: 'hangar', env: { POWERTOOLS_METRICS_DISABLED: 'true' } },
] as const;
type Variant = (typeof VARIANTS)[number]['name'];
export const WORKER_OVERHEAD_BATCHES = [10, 100] as const;

export interface WorkerOverheadOptions {
  /** Bundles of ./handlers/*.ts, built as the stack builds functions. */
  readonly bundles: Readonly<Record<OverheadHandler, string>>;
  /** The bundled ./driver.ts. */
  readonly driver: string;
  readonly workDir: string;
  readonly rounds: number;
  /** Records timed per run. */
  readonly records: number;
  readonly onProgress?: (message: string) => void;
}

interface RunResult {
  readonly cpuUs: number;
  readonly wallUs: number;
}

export interface BatchFigures {
  /** CPU µs per record of each handler. */
  readonly perRecordUs: Record<OverheadHandler, Summary>;
  /** Wall-clock µs per record, for reference (noisier on a shared machine). */
  readonly wallPerRecordUs: Record<OverheadHandler, number>;
  /** Median over rounds of (handler − raw loop), CPU µs per record. */
  readonly overheadUs: { readonly powertools: number; readonly hangar: number };
  /** Hangar's overhead with metrics off: the rest is what its one EMF line per invocation costs. */
  readonly hangarWithoutMetricsOverheadUs: number;
}

export interface WorkerOverheadSection {
  readonly ratio: number;
  readonly goal: string;
  readonly unit: string;
  readonly batches: Record<string, BatchFigures>;
  readonly rounds: number;
  readonly recordsPerRun: number;
}

/** The event each run replays: `size` valid `noop.run` records. */
export function benchEvent(size: number): SQSEvent {
  const records: SQSRecord[] = Array.from({ length: size }, (_, i) => ({
    messageId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    receiptHandle: `receipt-${i}`,
    body: encodeEnvelope(benchEnvelope(i)),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1763892000000',
      SenderId: 'AIDABENCH',
      ApproximateFirstReceiveTimestamp: '1763892000001',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:noop-run',
    awsRegion: 'us-east-1',
  }));
  return { Records: records };
}

/** What the stack sets on a worker, as far as these handlers read it. */
const WORKER_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_SERVICE_NAME: 'hangar-bench-noop-run',
  [ENV_VARS.queueUrl]: 'http://127.0.0.1:9/000000000000/noop-run',
  [ENV_VARS.dlqUrl]: 'http://127.0.0.1:9/000000000000/noop-run-dlq',
};

export async function measureWorkerOverhead(options: WorkerOverheadOptions): Promise<WorkerOverheadSection> {
  const events = Object.fromEntries(
    WORKER_OVERHEAD_BATCHES.map((size) => {
      const file = join(options.workDir, `event-${size}.json`);
      writeFileSync(file, JSON.stringify(benchEvent(size)));
      return [size, file];
    }),
  );
  const runs = new Map<string, RunResult[]>();
  for (let round = 1; round <= options.rounds; round++) {
    for (const size of WORKER_OVERHEAD_BATCHES) {
      for (const variant of VARIANTS) {
        const result = await runChild<RunResult>(
          options.driver,
          [options.bundles[variant.handler], events[size] ?? '', String(options.records)],
          { env: { ...WORKER_ENV, ...variant.env } },
        );
        const key = `${size}/${variant.name}`;
        runs.set(key, [...(runs.get(key) ?? []), result]);
      }
    }
    options.onProgress?.(`workerOverhead: round ${round}/${options.rounds}`);
  }
  const batches: Record<string, BatchFigures> = {};
  for (const size of WORKER_OVERHEAD_BATCHES) {
    const of = (name: Variant) => runs.get(`${size}/${name}`) ?? [];
    const cpu = (name: Variant) => of(name).map((r) => r.cpuUs);
    const overhead = (name: Variant) => median(cpu(name).map((us, i) => us - (cpu('raw')[i] ?? Number.NaN)));
    batches[String(size)] = {
      perRecordUs: {
        raw: roundSummary(summarize(cpu('raw'))),
        powertools: roundSummary(summarize(cpu('powertools'))),
        hangar: roundSummary(summarize(cpu('hangar'))),
      },
      wallPerRecordUs: {
        raw: round(median(of('raw').map((r) => r.wallUs))),
        powertools: round(median(of('powertools').map((r) => r.wallUs))),
        hangar: round(median(of('hangar').map((r) => r.wallUs))),
      },
      overheadUs: { powertools: round(overhead('powertools')), hangar: round(overhead('hangar')) },
      hangarWithoutMetricsOverheadUs: round(overhead('hangarWithoutMetrics')),
    };
  }
  const at10 = batches['10'];
  return {
    ratio: round((at10?.overheadUs.hangar ?? Number.NaN) / (at10?.overheadUs.powertools ?? Number.NaN)),
    goal: '≤ 0.5',
    unit: 'CPU µs per record',
    batches,
    rounds: options.rounds,
    recordsPerRun: options.records,
  };
}

function roundSummary(summary: Summary): Summary {
  return {
    median: round(summary.median),
    min: round(summary.min),
    max: round(summary.max),
    spread: round(summary.spread),
    runs: summary.runs,
  };
}

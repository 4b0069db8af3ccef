/**
 * `cost`: price per million jobs of each built-in job, from the stack's own settings (batch sizes,
 * memory, FIFO or not, the ledger table's indexes) and the durations this run measured, priced
 * with the named constants of ./prices.ts. What a job does beyond the framework (the items a sync
 * writes, the records a cleanup deletes) is priced per 1,000 such writes beside it, not guessed.
 *
 * The model, per job, with full batches:
 * - SQS: one `SendMessageBatch` per 10 jobs (the client), and per batch of the event source one
 *   `ReceiveMessage` and one `DeleteMessageBatch`. Empty long polls cost per hour, not per job: left out.
 * - Lambda: one request per batch; duration = the warm single-record duration measured in
 *   `coldStart` (an upper bound: records of a batch run concurrently) × the function's memory.
 * - Ledger: `claim` creates the record of a job sent straight to SQS, `succeed` moves it. A write
 *   costs one unit on the table plus, per index (all project every attribute), one unit where the
 *   item's key in that index stays and two where it moves (delete + put). Records are under 1 KB.
 * - SES: one e-mail per `email.send` job.
 */

import {
  deriveSettings,
  functionDir,
  type JobSettings,
  SQS_LIMITS,
  TABLE_SPEC,
} from '../../lib/deploy/index.js';
import type { JobDefinition } from '../../lib/index.js';
import { cleanupRun, emailSend, registry, syncRun } from '../../lib/jobs/builtin/index.js';
import { TABLE_ATTRIBUTES } from '../../lib/ledger/table.js';
import type { ColdStartSection } from '../cold-start/measure.js';
import { round } from '../shared/stats.js';
import { PRICES } from './prices.js';

const PER_MILLION = 1_000_000;

/** Index keys each ledger write of a successful attempt changes (see the ledger's README table). */
const LEDGER_WRITES = [
  // claim: a new record (the job was sent straight to SQS): it enters every index.
  { name: 'claim', creates: true, movedKeys: [] as string[] },
  // succeed: running → succeeded, and a new expiry (records expire 30 days after their last change).
  { name: 'succeed', creates: false, movedKeys: [TABLE_ATTRIBUTES.status, TABLE_ATTRIBUTES.expiresAt] },
] as const;

/** Write units of one successful attempt's ledger writes, from the table's indexes. */
export function ledgerWriteUnits(): number {
  let units = 0;
  for (const write of LEDGER_WRITES) {
    units += 1;
    for (const index of TABLE_SPEC.indexes) {
      const moves = [index.partitionKey.name, index.sortKey.name].some((key) =>
        (write.movedKeys as readonly string[]).includes(key),
      );
      units += write.creates ? 1 : moves ? 2 : 1;
    }
  }
  return units;
}

export interface JobCost {
  /** USD per million jobs, by part. */
  readonly sqs: number;
  readonly lambdaRequests: number;
  readonly lambdaDuration: number;
  readonly ledger: number;
  readonly ses: number;
  readonly total: number;
  /** The quantities behind it, per job. */
  readonly perJob: {
    readonly sqsRequests: number;
    readonly lambdaRequests: number;
    readonly gbSeconds: number;
    readonly writeUnits: number;
    readonly emails: number;
  };
}

export interface CostSection {
  readonly ratio: number;
  readonly unit: string;
  readonly prices: typeof PRICES;
  readonly jobs: Record<string, JobCost>;
  /** The floor for e-mail: the same SQS and Lambda requests, the baseline worker's duration, SES — no ledger. */
  readonly emailFloor: JobCost;
  /** What a job's own extra writes cost (sync's items, cleanup's deletions), USD per 1,000 write units. */
  readonly perThousandWriteUnits: number;
  readonly ledgerWriteUnitsPerJob: number;
}

function price(settings: JobSettings, durationMs: number, writeUnits: number, emails: number): JobCost {
  const batch = settings.eventSource.batchSize;
  const sqsRequests = 1 / SQS_LIMITS.batchEntries + 2 / batch;
  const lambdaRequests = 1 / batch;
  const gbSeconds = (settings.function.memoryMiB / 1024) * (Math.max(1, Math.ceil(durationMs)) / 1000);
  const sqsPrice = settings.fifo ? PRICES.sqsFifoRequest : PRICES.sqsStandardRequest;
  const parts = {
    sqs: sqsRequests * sqsPrice * PER_MILLION,
    lambdaRequests: lambdaRequests * PRICES.lambdaRequest * PER_MILLION,
    lambdaDuration: gbSeconds * PRICES.lambdaGbSecondArm64 * PER_MILLION,
    ledger: writeUnits * PRICES.dynamoWriteUnit * PER_MILLION,
    ses: emails * PRICES.sesEmail * PER_MILLION,
  };
  const total = parts.sqs + parts.lambdaRequests + parts.lambdaDuration + parts.ledger + parts.ses;
  return {
    sqs: round(parts.sqs, 2),
    lambdaRequests: round(parts.lambdaRequests, 2),
    lambdaDuration: round(parts.lambdaDuration, 2),
    ledger: round(parts.ledger, 2),
    ses: round(parts.ses, 2),
    total: round(total, 2),
    perJob: {
      sqsRequests: round(sqsRequests, 3),
      lambdaRequests: round(lambdaRequests, 3),
      gbSeconds: round(gbSeconds, 5),
      writeUnits,
      emails,
    },
  };
}

export function measureCost(coldStart: ColdStartSection): CostSection {
  const settings = deriveSettings(registry);
  const units = ledgerWriteUnits();
  const warmMs = (job: JobDefinition) =>
    coldStart.functions[functionDir(job.name)]?.warmEventMs ?? Number.NaN;
  const jobs: Record<string, JobCost> = {};
  for (const job of [emailSend, syncRun, cleanupRun]) {
    const jobSettings = settings.job(job.name);
    jobs[job.name] = price(
      jobSettings,
      warmMs(job),
      jobSettings.useLedger ? units : 0,
      job === emailSend ? 1 : 0,
    );
  }
  const emailFloor = price(settings.job(emailSend.name), coldStart.baseline.warmEventMs, 0, 1);
  const email = jobs[emailSend.name];
  return {
    ratio: round((email?.total ?? Number.NaN) / emailFloor.total),
    unit: 'USD per million jobs',
    prices: PRICES,
    jobs,
    emailFloor,
    perThousandWriteUnits: round(1_000 * PRICES.dynamoWriteUnit, 6),
    ledgerWriteUnitsPerJob: units,
  };
}

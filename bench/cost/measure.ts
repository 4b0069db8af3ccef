/**
 * `cost`: price per million jobs of each built-in job, and of a generic job (no SES) on both
 * paths against the SQS + Lambda floor, from the stack's own settings (batch sizes, memory, FIFO or
 * not), the durations this run measured, and the ledger's write units as `recordLedgerWrites`
 * computed them from the items the ledger really wrote on dynalite and the table's index
 * definitions. Priced with the named constants of ./prices.ts. What a job does beyond the
 * framework (the items a sync writes, the records a cleanup deletes) is priced per 1,000 such
 * writes beside it, not guessed.
 *
 * The model, per job, with full batches:
 * - SQS: one `SendMessageBatch` per 10 jobs (the client) or one `SendMessage` per job (the API's
 *   `POST /jobs`), and per batch of the event source one `ReceiveMessage` and one
 *   `DeleteMessageBatch`. Empty long polls cost per hour, not per job: left out.
 * - Lambda: one request per batch; duration = the warm single-record duration measured in
 *   `coldStart` (an upper bound: records of a batch run concurrently) × the function's memory.
 *   The generic job's handler does nothing (1 ms, Lambda's smallest bill); with the ledger it also
 *   waits for its two writes, as long as the e-mail worker's warm event outlasts the baseline's.
 * - API path: one HTTP API request and one API function invocation (its measured warm duration).
 * - Ledger: the write units of a successful job (`recordLedgerWrites`).
 * - SES: one e-mail per `email.send` job.
 */

import {
  API_FUNCTION,
  deriveSettings,
  functionDir,
  type JobSettings,
  SQS_LIMITS,
} from '../../lib/deploy/index.js';
import type { JobDefinition } from '../../lib/index.js';
import { cleanupRun, emailSend, registry, syncRun } from '../../lib/jobs/builtin/index.js';
import type { LedgerWriteRecording } from '../../test/helpers/ledger-writes.js';
import type { ColdStartSection } from '../cold-start/measure.js';
import { benchRegistry, ledgerRun } from '../jobs.js';
import { round } from '../shared/stats.js';
import { PRICES } from './prices.js';

const PER_MILLION = 1_000_000;
/** Issue 15's goals for the ledger's write units per successful job. */
export const LEDGER_WRITE_UNIT_GOALS = { direct: '≤ 5', api: '≤ 8' } as const;
/** Lambda bills at least 1 ms: what a handler that does nothing costs. */
const LAMBDA_MIN_MS = 1;

export interface JobCost {
  /** USD per million jobs, by part. */
  readonly sqs: number;
  readonly lambdaRequests: number;
  readonly lambdaDuration: number;
  readonly ledger: number;
  readonly ses: number;
  /** API path only: the HTTP API request. */
  readonly api?: number;
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

/** What a job sent through the API adds: the HTTP API request and the API function's invocation. */
interface ApiLeg {
  readonly durationMs: number;
}

/** A generic job (no SES) on one path, with the ledger and without it. */
export interface GenericPathCost {
  readonly withLedger: JobCost;
  /** SQS + Lambda (+ the API's request and function on the API path) alone: no ledger. */
  readonly floor: JobCost;
  /** withLedger ÷ floor. */
  readonly ratio: number;
}

export interface CostSection {
  readonly ratio: number;
  readonly unit: string;
  readonly prices: typeof PRICES;
  readonly jobs: Record<string, JobCost>;
  /** The floor for e-mail: the same SQS and Lambda requests, the baseline worker's duration, SES — no ledger. */
  readonly emailFloor: JobCost;
  /** A generic job sent straight to SQS (`JobClient`) and through the API (`POST /jobs`). */
  readonly generic: { readonly direct: GenericPathCost; readonly api: GenericPathCost };
  /** What a job's own extra writes cost (sync's items, cleanup's deletions), USD per 1,000 write units. */
  readonly perThousandWriteUnits: number;
  /** Write units of a successful job sent straight to SQS: claim creates the record, succeed ends it. */
  readonly ledgerWriteUnitsPerJob: number;
  /** …of one through the API: the record is created `queued` first. */
  readonly apiLedgerWriteUnitsPerJob: number;
  /** …of one through the API with an idempotency key. */
  readonly apiKeyedLedgerWriteUnitsPerJob: number;
  /** The largest job record any of those writes left, in bytes (a write unit is 1 KB). */
  readonly ledgerItemBytes: number;
  readonly ledgerWriteUnitGoals: typeof LEDGER_WRITE_UNIT_GOALS;
}

function price(
  settings: JobSettings,
  durationMs: number,
  writeUnits: number,
  emails: number,
  api?: ApiLeg,
): JobCost {
  const batch = settings.eventSource.batchSize;
  // The client batches its sends; the API sends each job on its own.
  const sends = api === undefined ? 1 / SQS_LIMITS.batchEntries : 1;
  const sqsRequests = sends + 2 / batch;
  const lambdaRequests = 1 / batch + (api === undefined ? 0 : 1);
  const gbSecondsOf = (memoryMiB: number, ms: number) =>
    (memoryMiB / 1024) * (Math.max(1, Math.ceil(ms)) / 1000);
  const gbSeconds =
    gbSecondsOf(settings.function.memoryMiB, durationMs) +
    (api === undefined ? 0 : gbSecondsOf(API_FUNCTION.memoryMiB, api.durationMs));
  const sqsPrice = settings.fifo ? PRICES.sqsFifoRequest : PRICES.sqsStandardRequest;
  const parts = {
    sqs: sqsRequests * sqsPrice * PER_MILLION,
    lambdaRequests: lambdaRequests * PRICES.lambdaRequest * PER_MILLION,
    lambdaDuration: gbSeconds * PRICES.lambdaGbSecondArm64 * PER_MILLION,
    ledger: writeUnits * PRICES.dynamoWriteUnit * PER_MILLION,
    ses: emails * PRICES.sesEmail * PER_MILLION,
    api: (api === undefined ? 0 : PRICES.httpApiRequest) * PER_MILLION,
  };
  const total = Object.values(parts).reduce((sum, part) => sum + part, 0);
  return {
    sqs: round(parts.sqs, 2),
    lambdaRequests: round(parts.lambdaRequests, 2),
    lambdaDuration: round(parts.lambdaDuration, 2),
    ledger: round(parts.ledger, 2),
    ses: round(parts.ses, 2),
    ...(api === undefined ? {} : { api: round(parts.api, 2) }),
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

export function measureCost(coldStart: ColdStartSection, ledger: LedgerWriteRecording): CostSection {
  const settings = deriveSettings(registry);
  const units = ledger.direct.writeUnits;
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

  // The generic job: the bench's ledger job, as the stack would deploy it.
  const generic = deriveSettings(benchRegistry).job(ledgerRun.name);
  const ledgerWaitMs = Math.max(0, warmMs(emailSend) - coldStart.baseline.warmEventMs);
  const api: ApiLeg = { durationMs: coldStart.functions[API_FUNCTION.dir]?.warmEventMs ?? Number.NaN };
  const path = (withLedger: JobCost, floor: JobCost): GenericPathCost => ({
    withLedger,
    floor,
    ratio: round(withLedger.total / floor.total),
  });
  return {
    ratio: round((email?.total ?? Number.NaN) / emailFloor.total),
    unit: 'USD per million jobs',
    prices: PRICES,
    jobs,
    emailFloor,
    generic: {
      direct: path(
        price(generic, LAMBDA_MIN_MS + ledgerWaitMs, units, 0),
        price(generic, LAMBDA_MIN_MS, 0, 0),
      ),
      api: path(
        price(generic, LAMBDA_MIN_MS + ledgerWaitMs, ledger.api.writeUnits, 0, api),
        price(generic, LAMBDA_MIN_MS, 0, 0, api),
      ),
    },
    perThousandWriteUnits: round(1_000 * PRICES.dynamoWriteUnit, 6),
    ledgerWriteUnitsPerJob: units,
    apiLedgerWriteUnitsPerJob: ledger.api.writeUnits,
    apiKeyedLedgerWriteUnitsPerJob: ledger.apiWithKey.writeUnits,
    ledgerWriteUnitGoals: LEDGER_WRITE_UNIT_GOALS,
    ledgerItemBytes: Math.max(
      ledger.direct.maxItemBytes,
      ledger.api.maxItemBytes,
      ledger.apiWithKey.maxItemBytes,
    ),
  };
}

/**
 * `DynamoLimitStore`: the state behind every declared limit, as items of their own in the ledger
 * table (see ./limit-items.ts). The worker's gate and the producers' step use it; jobs that
 * declare no limit never reach it, so it adds nothing to their writes.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { documentClientOf } from '../ledger/document-client.js';
import { RecordTable } from '../ledger/record-table.js';
import { LEDGER_DEFAULTS } from '../ledger/records.js';
import { anyOption, checkOptions, functionOption, type OptionsShape } from '../options.js';
import { sleep } from '../retry/backoff.js';
import { releaseSlot, type SlotRequest, type SlotResult, takeSlot } from './concurrency-slots.js';
import {
  type DebounceAnswer,
  type DebounceEnqueue,
  joinWindow,
  takeWindow,
  type WindowState,
} from './debounce-windows.js';
import { LIMIT_RULES } from './options.js';
import { type StartRequest, type StartResult, takeStart } from './rate-starts.js';
import { holdUniqueKey, recordDuplicate, type UniqueRequest, type UniqueResult } from './unique-keys.js';

/** What the worker and the producers need of limit state (each method's cost: see its module). */
export interface LimitStore {
  takeSlot(request: SlotRequest): Promise<SlotResult>;
  releaseSlot(request: Pick<SlotRequest, 'jobName' | 'key' | 'holder'>, slot: number): Promise<void>;
  /** A start under a rate limit; undefined when other workers won the write (read again). */
  takeStart(request: StartRequest): Promise<StartResult | undefined>;
  holdUniqueKey(request: UniqueRequest): Promise<UniqueResult>;
  recordDuplicate(jobName: string, key: string, jobId: string): Promise<void>;
  joinWindow(request: DebounceEnqueue): Promise<DebounceAnswer>;
  takeWindow(jobName: string, key: string, jobId: string): Promise<WindowState | undefined>;
  /** A random pause between rounds of a contended write. */
  pause(): Promise<void>;
}

export interface DynamoLimitStoreOptions {
  readonly tableName: string;
  /** @default a DynamoDBDocumentClient over a new DynamoDBClient with `awsClientConfig()` */
  readonly client?: DynamoDBDocumentClient | DynamoDBClient;
  readonly now?: () => Date;
  /** Source of jitter (which slot to try first, pauses between contended writes). @default Math.random */
  readonly random?: () => number;
}

const OPTIONS_SCHEMA = z.strictObject({
  tableName: z.string().check(z.minLength(1, "is required: the ledger table's name")),
  client: anyOption,
  now: functionOption,
  random: functionOption,
} satisfies OptionsShape<DynamoLimitStoreOptions>);

/**
 * @example
 * const limits = new DynamoLimitStore({ tableName: process.env.HANGAR_TABLE_NAME });
 * export const handler = createWorker({ jobs: [handle(resizeImage, resize)], ledger, limits });
 */
export class DynamoLimitStore implements LimitStore {
  readonly #table: RecordTable;
  readonly #random: () => number;

  constructor(options: DynamoLimitStoreOptions) {
    checkOptions('DynamoLimitStore', OPTIONS_SCHEMA, options);
    this.#table = new RecordTable({
      client: documentClientOf(options.client),
      tableName: options.tableName,
      // Limit items set their own expiry; this one is the table's for job records and unused here.
      retentionSeconds: LEDGER_DEFAULTS.retentionSeconds,
      now: options.now ?? (() => new Date()),
    });
    this.#random = options.random ?? Math.random;
  }

  takeSlot(request: SlotRequest): Promise<SlotResult> {
    return takeSlot(this.#table, request, this.#random);
  }

  releaseSlot(request: Pick<SlotRequest, 'jobName' | 'key' | 'holder'>, slot: number): Promise<void> {
    return releaseSlot(this.#table, request, slot);
  }

  takeStart(request: StartRequest): Promise<StartResult | undefined> {
    return takeStart(this.#table, request);
  }

  holdUniqueKey(request: UniqueRequest): Promise<UniqueResult> {
    return holdUniqueKey(this.#table, request);
  }

  recordDuplicate(jobName: string, key: string, jobId: string): Promise<void> {
    return recordDuplicate(this.#table, jobName, key, jobId);
  }

  joinWindow(request: DebounceEnqueue): Promise<DebounceAnswer> {
    return joinWindow(this.#table, request, () => this.pause());
  }

  takeWindow(jobName: string, key: string, jobId: string): Promise<WindowState | undefined> {
    return takeWindow(this.#table, jobName, key, jobId);
  }

  pause(): Promise<void> {
    return sleep(this.#random() * LIMIT_RULES.contentionPauseMs);
  }
}

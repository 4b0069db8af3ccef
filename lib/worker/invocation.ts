/**
 * One invocation of a worker function: schedules its records (all at once up to the record
 * concurrency; on FIFO, one lane per message group, in order, the rest of a lane handed back
 * after a record that did not complete), keeps each record's fate by its position in the batch,
 * stops waiting at the hard stop, and answers with the batch item failures. What happens to one
 * record is ./run-record.ts.
 */
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { ERROR_CODES } from '../errors.js';
import { createDeadline, type Deadline } from './deadline.js';
import { describeError } from './describe-error.js';
import { InvocationMetrics } from './emf.js';
import { runLanes, toLanes } from './lanes.js';
import type { Fate } from './outcome.js';
import { WORKER_LOG_MESSAGES } from './rules.js';
import { type RecordRun, runRecord } from './run-record.js';
import type { WorkerRuntime } from './runtime.js';
import { type Settlement, sendSettlement } from './settlement.js';
import { handBackCopy } from './sqs-actions.js';

/**
 * One invocation: the function's runtime, its own deadline and metrics (see `InvocationScope`),
 * and the fate of each record, kept by position in the batch.
 */
export class Invocation implements RecordRun {
  readonly worker: WorkerRuntime;
  readonly metrics: InvocationMetrics;
  readonly deadline: Deadline;
  readonly #fates: (Fate | undefined)[] = [];
  /**
   * Where a record's fate is kept: the position of the first record of the batch with its message
   * id. Only made for a batch that repeats an id, so that a repeat is run at most once and shares
   * the first one's fate, as one message.
   */
  #slots: number[] | undefined;
  /**
   * Set once the invocation has answered. A record still waiting in a lane then (behind one that
   * ignored the hard stop) is left alone: it was reported unfinished and comes back by itself, so
   * running or handing it back now would make a second copy.
   */
  #closed = false;
  /**
   * Ends being written: a record whose job ran (or was judged dead) while its end is still on its
   * way to the ledger or the DLQ, by slot. Made on first use.
   */
  #endings: Map<number, Ending> | undefined;
  /**
   * Slots a step has taken up (to run, or to hand back at the margin), by slot. The rescue leaves
   * those to their step: a second copy from the rescue would only make a duplicate. Made on first use.
   */
  #entered: Uint8Array | undefined;
  #records: readonly SQSRecord[] = [];

  constructor(worker: WorkerRuntime, context: Context) {
    this.worker = worker;
    this.metrics = new InvocationMetrics(worker.emf);
    this.deadline = createDeadline(context, worker.marginMs, worker.reserveMs);
  }

  async run(records: readonly SQSRecord[]): Promise<SQSBatchResponse> {
    const { concurrency } = this.worker;
    this.#records = records;
    this.#slots = repeatedIds(records);
    try {
      const work = this.worker.fifo
        ? runLanes(toLanes(records), concurrency, async (lane) => {
            let blocked = false;
            for (const { record, index } of lane) {
              if (!(await this.#step(record, index, blocked))) blocked = true;
            }
          })
        : runLanes(records, concurrency, (record, index) => this.#step(record, index, false));
      const finished = await Promise.race([work.then(() => true), this.deadline.hardStop.then(() => false)]);
      if (!finished) {
        // No record may start now: the rescue below takes part of what is left before the deadline.
        this.#closed = true;
        await this.#rescue();
      }
    } finally {
      this.#closed = true;
      this.deadline.dispose();
      this.#flushMetrics();
    }
    return { batchItemFailures: this.#failures(records) };
  }

  /**
   * Starts one record (see `runRecord`) unless the invocation has answered, or the record repeats
   * one that already has its fate. Resolves whether the record completed.
   */
  #step(record: SQSRecord, index: number, blocked: boolean): Promise<boolean> {
    if (this.#closed) return NOT_COMPLETED;
    const slot = this.#slots?.[index] ?? index;
    if (this.#fates[slot] !== undefined) return COMPLETED;
    this.#entered ??= new Uint8Array(this.#records.length);
    this.#entered[slot] = 1;
    return runRecord(this, record, slot, blocked);
  }

  settle(slot: number, fate: Fate): void {
    this.#fates[slot] ??= fate;
    this.#endings?.delete(slot);
  }

  get closed(): boolean {
    return this.#closed;
  }

  holdEnd(slot: number, record: SQSRecord, settlement: Settlement): void {
    this.#endings ??= new Map();
    this.#endings.set(slot, { record, settlement });
  }

  /**
   * At the hard stop, what has no fate yet would be reported unfinished and come back after its
   * visibility timeout, one receive — one attempt — older. Two kinds need not:
   * - a record whose job ran but whose end is still being written: its end goes along with a copy
   *   of its message (the next delivery writes it instead of running the job again);
   * - on a standard queue, a record no step has taken up (waiting in its lane behind a slow
   *   record): a fresh copy is handed back, as at the margin, so no attempt is spent on it. A
   *   record in its step (its claim, or its own hand-back) is left to it: a second copy would only
   *   be a duplicate.
   * One try each, all at once, for at most half the reserve left before the deadline; each record
   * whose copy went out is acknowledged. A write still in flight may land later: writing the same
   * end twice is harmless, and a claim that lands after this answer does not run its handler.
   */
  async #rescue(): Promise<void> {
    const rescues: Promise<void>[] = [];
    for (let index = 0; index < this.#records.length; index++) {
      const slot = this.#slots?.[index] ?? index;
      const record = this.#records[index];
      if (slot !== index || record === undefined || this.#fates[slot] !== undefined) continue;
      const ending = this.#endings?.get(slot);
      if (ending !== undefined) {
        rescues.push(sendSettlement(this, record, ending.settlement).then(() => this.settle(slot, 'ack')));
      } else if (this.#entered?.[slot] !== 1 && !this.worker.fifo) {
        rescues.push(handBackCopy(this, record).then(() => this.settle(slot, 'ack')));
      }
    }
    if (rescues.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const budget = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.worker.reserveMs / 2);
    });
    await Promise.race([Promise.allSettled(rescues), budget]);
    clearTimeout(timer);
  }

  /** The batch item failures: every record not acknowledged. */
  #failures(records: readonly SQSRecord[]): { itemIdentifier: string }[] {
    const failures: { itemIdentifier: string }[] = [];
    for (let index = 0; index < records.length; index++) {
      const fate = this.#fates[this.#slots?.[index] ?? index];
      const record = records[index];
      if (fate === 'ack' || record === undefined) continue;
      // A record with no fate yet was still running at the hard stop: keep it (never lose a message).
      if (fate === undefined) {
        this.worker.logger.warn(WORKER_LOG_MESSAGES.hardStop, {
          messageId: record.messageId,
          code: ERROR_CODES.deadlineExceeded,
        });
      }
      failures.push({ itemIdentifier: record.messageId });
    }
    return failures;
  }

  #flushMetrics(): void {
    try {
      this.metrics.flush();
    } catch (error) {
      this.worker.logger.warn(WORKER_LOG_MESSAGES.metricsFailed, { error: describeError(error).message });
    }
  }
}

/** An end being written (see `Invocation.#endings`). */
interface Ending {
  readonly record: SQSRecord;
  readonly settlement: Settlement;
}

// Shared, settled answers of a record not run again: a record's step allocates nothing for them.
const COMPLETED = Promise.resolve(true);
const NOT_COMPLETED = Promise.resolve(false);

/** For a batch that repeats a message id, each record's slot (see `Invocation.#slots`); else undefined. */
function repeatedIds(records: readonly SQSRecord[]): number[] | undefined {
  if (records.length <= SMALL_BATCH && !hasRepeatedId(records)) return undefined;
  const first = new Map<string, number>();
  let repeated = false;
  for (let index = 0; index < records.length; index++) {
    const id = records[index]?.messageId;
    if (id === undefined) continue;
    if (first.has(id)) repeated = true;
    else first.set(id, index);
  }
  if (!repeated) return undefined;
  return records.map(({ messageId }, index) => first.get(messageId) ?? index);
}

/** Batches up to this size are checked for repeated ids pair by pair. */
const SMALL_BATCH = 16;

/** Pair by pair: for a few records, a few dozen string comparisons cost less than building a map. */
function hasRepeatedId(records: readonly SQSRecord[]): boolean {
  for (let i = 1; i < records.length; i++) {
    const id = records[i]?.messageId;
    for (let j = 0; j < i; j++) {
      if (records[j]?.messageId === id) return true;
    }
  }
  return false;
}

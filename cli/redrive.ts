/**
 * Putting dead jobs back on their queue. Two ways:
 * - selective (`selectiveRedrive`): receive from the DLQ, filter, re-send each selected job to its
 *   source queue with fresh attempt bookkeeping and a fresh FIFO deduplication id, record it in
 *   the ledger, and only then delete it from the DLQ. Send before delete: a crash in between
 *   leaves a duplicate (which the ledger's claim turns into a no-op), never a loss.
 * - native (`nativeRedrive`): SQS's own `StartMessageMoveTask`, followed to its end. AWS only
 *   (emulators lack it); it moves bodies byte for byte, so it cannot reset attempts.
 */
import { randomBytes } from 'node:crypto';
import {
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { DELIVERY_ATTRIBUTES, encodeEnvelope, SQS_LIMITS } from '../lib/deploy/index.js';
import { errorMessage } from '../lib/errors.js';
import type { JobDefinition, JobEnvelope } from '../lib/index.js';
import { fifoDeduplicationId } from '../lib/jobs/deduplication.js';
import {
  type DeadMessage,
  type DeadMessageFilter,
  DlqReader,
  type DlqReaderOptions,
  matchesFilter,
  unmatchedIds,
} from './dlq.js';
import { OperationFailedError } from './errors.js';

/** Records a redriven job in the ledger (dead → queued). Optional: without a ledger, only SQS moves. */
export interface RedriveRecorder {
  recordRedrive(job: {
    readonly jobId: string;
    readonly jobName: string;
    readonly continuation: number;
  }): Promise<unknown>;
}

export interface SelectiveRedriveOptions extends DlqReaderOptions {
  readonly job: JobDefinition;
  readonly dlqUrl: string;
  readonly queueUrl: string;
  readonly filter?: DeadMessageFilter;
  /** Move at most this many. */
  readonly max?: number;
  /** Receive and select, then give everything back. */
  readonly dryRun?: boolean;
  /** Upper bound of messages sent per second. */
  readonly rate?: number;
  readonly recorder?: RedriveRecorder;
  /** Called after each DLQ batch, for a progress bar. */
  readonly onProgress?: (progress: RedriveProgress) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Only messages that reached the DLQ by then (SentTimestamp, epoch ms) are moved. A job moved
   * back that fails again at once is dead-lettered anew while the scan is still going; without
   * the cut-off the run would pick it up and move it again, round and round. (SentTimestamp is
   * SQS's clock, the default is ours; NTP keeps them well within the seconds a round trip takes.)
   * @default Date.now() when the redrive starts
   */
  readonly cutoff?: number;
}

export interface RedriveProgress {
  readonly seen: number;
  readonly moved: number;
  readonly skipped: number;
  readonly failed: number;
}

export type SkipReason =
  | 'not selected'
  | 'not an envelope'
  | 'over --max'
  | 'interrupted'
  /** Dead-lettered after the redrive started: likely a job it moved that failed again at once. */
  | 'arrived during the redrive';

export interface RedriveResult {
  /** Moved (or, in a dry run, would move). */
  readonly moved: readonly DeadMessage[];
  readonly skipped: readonly { readonly message: DeadMessage; readonly reason: SkipReason }[];
  /**
   * Not moved (`sent: false`, still in the DLQ), or sent but not deleted from the DLQ
   * (`sent: true`: the job is back on its queue and a copy stayed in the DLQ).
   */
  readonly failed: readonly {
    readonly message: DeadMessage;
    readonly reason: string;
    readonly sent: boolean;
  }[];
  /** Requested ids that matched no message. */
  readonly notFound: readonly string[];
  /** Jobs moved whose ledger record could not be updated (the worker still runs them). */
  readonly ledgerWarnings: readonly { readonly jobId: string; readonly reason: string }[];
  readonly dryRun: boolean;
  /** The signal ended the redrive early; every message not moved was given back. */
  readonly interrupted: boolean;
}

/**
 * A FIFO deduplication id for a redrive: the job's usual id plus a nonce. SQS drops a repeat of
 * an id for five minutes, and a job redriven twice within that time must still go out twice.
 */
export function redriveDeduplicationId(envelope: JobEnvelope, nonce: string): string {
  return `${fifoDeduplicationId({ ...envelope, idempotencyKey: undefined })}-r${nonce}`.slice(
    0,
    SQS_LIMITS.fifoIdLength,
  );
}

/** The envelope a redrive sends: the same job (id, continuation, payload), attempt 1 again. */
export function redrivenEnvelope(envelope: JobEnvelope): JobEnvelope {
  return { ...envelope, attempt: 1 };
}

function messageGroupOf(job: JobDefinition, message: DeadMessage, envelope: JobEnvelope): string {
  if (message.groupId !== undefined) return message.groupId;
  try {
    return job.fifo?.groupKey(envelope.payload as never) ?? 'redrive';
  } catch {
    return 'redrive';
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (or already has: Ctrl-C between two sends). */
function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * Paces sends: the n-th message may leave no earlier than `start + n / rate`. Chunks are at most
 * `rate` messages, so no second ever carries more than the rate allows.
 */
class Pacer {
  readonly #rate: number | undefined;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #signal: AbortSignal | undefined;
  #start: number | undefined;
  #sent = 0;

  constructor(
    rate: number | undefined,
    now: () => number,
    sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
    signal: AbortSignal | undefined,
  ) {
    this.#rate = rate;
    this.#now = now;
    this.#sleep = sleep;
    this.#signal = signal;
  }

  get chunkSize(): number {
    return this.#rate === undefined
      ? SQS_LIMITS.batchEntries
      : Math.max(1, Math.min(SQS_LIMITS.batchEntries, Math.floor(this.#rate)));
  }

  async before(count: number): Promise<void> {
    if (this.#rate === undefined) return;
    this.#start ??= this.#now();
    const due = this.#start + (this.#sent / this.#rate) * 1000;
    const wait = due - this.#now();
    if (wait > 0) await this.#sleep(wait, this.#signal);
    this.#sent += count;
  }
}

/**
 * Selective redrive of one job's DLQ. Every message it receives ends either deleted (moved) or
 * released (visible again at once); a message whose re-send failed stays in the DLQ.
 */
export async function selectiveRedrive(
  sqs: SQSClient,
  options: SelectiveRedriveOptions,
): Promise<RedriveResult> {
  const filter = options.filter ?? {};
  const dryRun = options.dryRun ?? false;
  const now = options.now ?? Date.now;
  const pacer = new Pacer(options.rate, now, options.sleep ?? defaultSleep, options.signal);
  const reader = new DlqReader(sqs, options.dlqUrl, options);
  const held: DeadMessage[] = [];
  const moved: DeadMessage[] = [];
  const selected: DeadMessage[] = [];
  const skipped: { message: DeadMessage; reason: SkipReason }[] = [];
  const failed: { message: DeadMessage; reason: string; sent: boolean }[] = [];
  const ledgerWarnings: { jobId: string; reason: string }[] = [];
  const nonce = `${now().toString(36)}${randomBytes(3).toString('hex')}`;
  const cutoff = options.cutoff ?? Date.now();
  const full = () => options.max !== undefined && selected.length >= options.max;
  const report = () =>
    options.onProgress?.({
      seen: reader.seen,
      moved: moved.length,
      skipped: skipped.length,
      failed: failed.length,
    });

  try {
    while (!full()) {
      const batch = await reader.next();
      if (batch.length === 0) break;
      const toMove: { message: DeadMessage; envelope: JobEnvelope }[] = [];
      for (const message of batch) {
        if (message.sentAt > cutoff) skipped.push({ message, reason: 'arrived during the redrive' });
        else if (!matchesFilter(message, filter)) skipped.push({ message, reason: 'not selected' });
        else if (!message.envelope) skipped.push({ message, reason: 'not an envelope' });
        else if (full()) skipped.push({ message, reason: 'over --max' });
        else {
          selected.push(message);
          toMove.push({ message, envelope: message.envelope });
          continue;
        }
        held.push(message);
      }
      if (dryRun) {
        held.push(...toMove.map((m) => m.message));
        moved.push(...toMove.map((m) => m.message));
      } else {
        for (let i = 0; i < toMove.length; i += pacer.chunkSize) {
          const chunk = toMove.slice(i, i + pacer.chunkSize);
          await pacer.before(chunk.length);
          if (options.signal?.aborted) {
            const rest = toMove.slice(i).map((m) => m.message);
            skipped.push(...rest.map((message) => ({ message, reason: 'interrupted' as const })));
            held.push(...rest);
            break;
          }
          const sent = await sendBack(sqs, options, chunk, nonce);
          for (const { message, reason } of sent.failed) {
            failed.push({ message, reason, sent: false });
            held.push(message);
          }
          for (const { message, envelope } of sent.ok) {
            if (!options.recorder) continue;
            try {
              await options.recorder.recordRedrive({
                jobId: envelope.jobId,
                jobName: envelope.name,
                continuation: envelope.continuation,
              });
            } catch (error) {
              ledgerWarnings.push({
                jobId: message.jobId ?? message.messageId,
                reason: errorMessage(error),
              });
            }
          }
          const notDeleted = await reader.remove(sent.ok.map((s) => s.message));
          const notDeletedIds = new Set(notDeleted.map((n) => n.message.messageId));
          for (const { message, reason } of notDeleted) {
            failed.push({ message, reason: `re-sent, but a copy stayed in the DLQ: ${reason}`, sent: true });
          }
          moved.push(...sent.ok.map((s) => s.message).filter((m) => !notDeletedIds.has(m.messageId)));
        }
      }
      report();
    }
  } finally {
    await reader.release(held);
  }
  const interrupted = options.signal?.aborted === true;
  return {
    moved,
    skipped,
    failed,
    // An interrupted scan did not see every message: it cannot say an id is absent.
    notFound: interrupted ? [] : unmatchedIds(filter, selected),
    ledgerWarnings,
    dryRun,
    interrupted,
  };
}

async function sendBack(
  sqs: SQSClient,
  options: SelectiveRedriveOptions,
  chunk: readonly { readonly message: DeadMessage; readonly envelope: JobEnvelope }[],
  nonce: string,
) {
  const ok: { message: DeadMessage; envelope: JobEnvelope }[] = [];
  const failed: { message: DeadMessage; reason: string }[] = [];
  const redrivenAt = new Date().toISOString();
  const entries: SendMessageBatchRequestEntry[] = chunk.map(({ message, envelope }, index) => {
    const fresh = redrivenEnvelope(envelope);
    return {
      Id: String(index),
      MessageBody: encodeEnvelope(fresh),
      // Marks a redrive: only a redrive may run a job the ledger holds as dead.
      MessageAttributes: {
        [DELIVERY_ATTRIBUTES.redrivenAt]: { DataType: 'String', StringValue: redrivenAt },
      },
      ...(options.job.fifo
        ? {
            MessageGroupId: messageGroupOf(options.job, message, envelope),
            MessageDeduplicationId: redriveDeduplicationId(fresh, nonce),
          }
        : {}),
    };
  });
  try {
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: entries }));
    const failures = new Map(
      (out.Failed ?? []).map((f) => [f.Id, `${f.Code ?? 'Error'}: ${f.Message ?? ''}`]),
    );
    const successes = new Set((out.Successful ?? []).map((s) => s.Id));
    chunk.forEach((item, index) => {
      const id = String(index);
      if (successes.has(id)) ok.push(item);
      else failed.push({ message: item.message, reason: failures.get(id) ?? 'SQS reported no outcome' });
    });
  } catch (error) {
    const reason = errorMessage(error);
    failed.push(...chunk.map(({ message }) => ({ message, reason })));
  }
  return { ok, failed };
}

// ---- Native move task (AWS) ----------------------------------------------------------------

/**
 * Which way a redrive goes: SQS's native move task on AWS when nothing narrows or previews it (no
 * selector, no maximum, no dry run, not forced selective); the selective path everywhere else —
 * and always locally, where the emulator has no move task. The CLI and the dashboard both ask here.
 */
export function usesNativeRedrive(
  targetKind: 'local' | 'aws',
  request: {
    readonly filter: DeadMessageFilter;
    readonly max?: number | undefined;
    readonly dryRun?: boolean | undefined;
    readonly selective?: boolean | undefined;
  },
): boolean {
  return (
    targetKind === 'aws' &&
    Object.keys(request.filter).length === 0 &&
    request.max === undefined &&
    request.dryRun !== true &&
    request.selective !== true
  );
}

export const MOVE_TASK_FINAL_STATUSES = ['COMPLETED', 'CANCELLED', 'FAILED'] as const;
/** Polls after which a started task that SQS never lists is an error rather than a wait. */
export const MOVE_TASK_LOOKUP_POLLS = 10;

export interface NativeRedriveOptions {
  readonly dlqArn: string;
  readonly queueArn: string;
  /** `MaxNumberOfMessagesPerSecond` (1–500); SQS picks its own pace without it. */
  readonly rate?: number;
  /** @default 2000 */
  readonly pollIntervalMs?: number;
  /** Called on every poll while the task runs. */
  readonly onProgress?: (task: MoveTaskStatus) => void;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Stops following the task (it keeps running in SQS) and returns its last known status. */
  readonly signal?: AbortSignal;
}

export interface MoveTaskStatus {
  readonly status: string;
  readonly moved: number;
  /** Messages in the DLQ when the task started (SQS's estimate). */
  readonly toMove: number | undefined;
  readonly failureReason: string | undefined;
  readonly taskHandle: string;
}

function toStatus(entry: ListMessageMoveTasksResultEntry, taskHandle: string): MoveTaskStatus {
  return {
    status: entry.Status ?? 'UNKNOWN',
    moved: entry.ApproximateNumberOfMessagesMoved ?? 0,
    toMove: entry.ApproximateNumberOfMessagesToMove,
    failureReason: entry.FailureReason,
    taskHandle,
  };
}

/**
 * Starts SQS's move task from the DLQ to the job's queue and polls `ListMessageMoveTasks` until it
 * reaches a final state. SQS lists the newest task first and drops the handle once a task ends,
 * so the task is followed by its handle while it runs and by its start time after.
 * @returns the final status; the caller decides what a `FAILED` or `CANCELLED` means.
 */
export async function nativeRedrive(sqs: SQSClient, options: NativeRedriveOptions): Promise<MoveTaskStatus> {
  const sleep = options.sleep ?? defaultSleep;
  const started = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: options.dlqArn,
      DestinationArn: options.queueArn,
      ...(options.rate === undefined ? {} : { MaxNumberOfMessagesPerSecond: Math.floor(options.rate) }),
    }),
  );
  const taskHandle = started.TaskHandle ?? '';
  let startedAt: number | undefined;
  for (let polls = 1; ; polls++) {
    const out = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: options.dlqArn, MaxResults: 10 }),
    );
    const results = out.Results ?? [];
    const entry =
      results.find((r) => r.TaskHandle !== undefined && r.TaskHandle === taskHandle) ??
      (startedAt === undefined ? results[0] : results.find((r) => r.StartedTimestamp === startedAt));
    if (entry) {
      startedAt ??= entry.StartedTimestamp;
      const status = toStatus(entry, taskHandle);
      if ((MOVE_TASK_FINAL_STATUSES as readonly string[]).includes(status.status)) return status;
      options.onProgress?.(status);
      if (options.signal?.aborted) return status;
    } else if (polls >= MOVE_TASK_LOOKUP_POLLS) {
      throw new OperationFailedError(
        `SQS started move task ${taskHandle} but ListMessageMoveTasks has not shown it after ${polls} polls`,
      );
    }
    await sleep(options.pollIntervalMs ?? 2_000, options.signal);
  }
}

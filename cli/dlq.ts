/**
 * Reading a dead-letter queue without losing anything: messages are received with a visibility
 * timeout that outlasts the command, held while the command decides, and then either deleted
 * (on purpose) or released (visibility 0) so they are back at once. SQS has no "peek"; this is
 * the closest thing, and it is what `dlq peek`, `dlq discard` and the selective redrive share.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  DEAD_LETTER_ATTRIBUTES,
  decodeEnvelope,
  SCHEDULER_DLQ_ATTRIBUTES,
  SQS_LIMITS,
} from '../lib/deploy/index.js';
import { errorMessage } from '../lib/errors.js';
import type { JobEnvelope } from '../lib/index.js';

/** A message in a DLQ, with the reason the worker attached when it dead-lettered it. */
export interface DeadMessage {
  readonly messageId: string;
  /** For deleting or releasing it; valid while this command holds the message. */
  readonly receiptHandle: string;
  readonly body: string;
  /** From the envelope; undefined when the body is not one. */
  readonly jobId: string | undefined;
  /** The `hangar.job-name` attribute, else the envelope's name. */
  readonly jobName: string | undefined;
  /** The attempt that failed (`hangar.attempt`). */
  readonly attempt: number | undefined;
  /** `hangar.error-code`; undefined for a message SQS moved by its redrive policy (no reason recorded). */
  readonly errorCode: string | undefined;
  readonly errorMessage: string | undefined;
  /** `hangar.failed-at`, else when the message reached the DLQ (SentTimestamp). */
  readonly failedAt: string | undefined;
  /** When the message reached the DLQ (SentTimestamp, epoch ms); NaN when SQS did not say. */
  readonly sentAt: number;
  /** FIFO DLQs: the source message group, which a redrive keeps. */
  readonly groupId: string | undefined;
  readonly envelope: JobEnvelope | undefined;
  /** Why the body is not an envelope, when it is not. */
  readonly problem: string | undefined;
}

/** What commands print and `--json` emits: the dead message without its receipt handle and body. */
export function describeDead(message: DeadMessage) {
  return {
    messageId: message.messageId,
    jobId: message.jobId ?? null,
    name: message.jobName ?? null,
    attempt: message.attempt ?? null,
    errorCode: message.errorCode ?? null,
    errorMessage: message.errorMessage ?? null,
    failedAt: message.failedAt ?? null,
    ...(message.groupId === undefined ? {} : { groupId: message.groupId }),
    ...(message.problem === undefined ? {} : { problem: message.problem }),
  };
}
export type DeadMessageView = ReturnType<typeof describeDead>;

export const DLQ_READ_DEFAULTS = {
  /**
   * How long a received message stays hidden while the command decides. It must outlast a whole
   * scan (a rate-limited redrive of a large DLQ included); a message is released the moment the
   * command is done with it, so a long timeout costs nothing on the normal path.
   */
  visibilitySeconds: 900,
  /** Long polling, so an empty answer means empty (short polls sample a subset of servers). */
  waitSeconds: 1,
} as const;

function attribute(message: Message, name: string): string | undefined {
  return message.MessageAttributes?.[name]?.StringValue;
}

/** Parses a received DLQ message: reason attributes, envelope, or why the body is not one. */
export function toDeadMessage(message: Message): DeadMessage {
  const body = message.Body ?? '';
  let envelope: JobEnvelope | undefined;
  let problem: string | undefined;
  try {
    envelope = decodeEnvelope(body);
  } catch (error) {
    problem = errorMessage(error);
  }
  const attempt = Number.parseInt(attribute(message, DEAD_LETTER_ATTRIBUTES.attempt) ?? '', 10);
  const sent = Number.parseInt(message.Attributes?.SentTimestamp ?? '', 10);
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body,
    jobId: envelope?.jobId,
    jobName: attribute(message, DEAD_LETTER_ATTRIBUTES.jobName) ?? envelope?.name,
    attempt: Number.isFinite(attempt) ? attempt : undefined,
    // A firing Scheduler could not deliver carries Scheduler's reason instead of the worker's.
    errorCode:
      attribute(message, DEAD_LETTER_ATTRIBUTES.errorCode) ??
      attribute(message, SCHEDULER_DLQ_ATTRIBUTES.errorCode),
    errorMessage:
      attribute(message, DEAD_LETTER_ATTRIBUTES.errorMessage) ??
      attribute(message, SCHEDULER_DLQ_ATTRIBUTES.errorMessage),
    failedAt:
      attribute(message, DEAD_LETTER_ATTRIBUTES.failedAt) ??
      (Number.isFinite(sent) ? new Date(sent).toISOString() : undefined),
    sentAt: Number.isFinite(sent) ? sent : Number.NaN,
    groupId: message.Attributes?.MessageGroupId,
    envelope,
    problem,
  };
}

export interface DlqReaderOptions {
  /** @default DLQ_READ_DEFAULTS.visibilitySeconds */
  readonly visibilitySeconds?: number;
  /** @default DLQ_READ_DEFAULTS.waitSeconds */
  readonly waitSeconds?: number;
  /** Ends the scan between batches (Ctrl-C); a receive in flight completes so nothing is stranded. */
  readonly signal?: AbortSignal;
}

/**
 * Receives a DLQ batch by batch, each message once. Every message it hands out is held
 * (invisible) until the caller deletes or releases it, so a scan never sees a message twice and
 * ends when the queue has nothing left it has not seen.
 *
 * On a FIFO DLQ a held message also holds back the rest of its message group, so a scan sees
 * each group only up to the messages it leaves in place (SQS's ordering guarantee, not ours).
 *
 * @example
 * const reader = new DlqReader(sqs, dlqUrl);
 * for (let batch = await reader.next(); batch.length > 0; batch = await reader.next()) …
 * await reader.release(kept);
 */
export class DlqReader {
  readonly #sqs: SQSClient;
  readonly #url: string;
  readonly #visibilitySeconds: number;
  readonly #waitSeconds: number;
  readonly #signal: AbortSignal | undefined;
  readonly #seen = new Set<string>();
  #done = false;

  constructor(sqs: SQSClient, dlqUrl: string, options: DlqReaderOptions = {}) {
    this.#sqs = sqs;
    this.#url = dlqUrl;
    this.#visibilitySeconds = options.visibilitySeconds ?? DLQ_READ_DEFAULTS.visibilitySeconds;
    this.#waitSeconds = options.waitSeconds ?? DLQ_READ_DEFAULTS.waitSeconds;
    this.#signal = options.signal;
  }

  /** Whether the scan ended because its signal was aborted. */
  get interrupted(): boolean {
    return this.#signal?.aborted === true;
  }

  /** Messages seen so far. */
  get seen(): number {
    return this.#seen.size;
  }

  /** The next batch of messages not seen before (up to `max`, at most 10); empty when the scan is over. */
  async next(max: number = SQS_LIMITS.batchEntries): Promise<DeadMessage[]> {
    if (this.#done || this.interrupted) return [];
    const out = await this.#sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#url,
        MaxNumberOfMessages: Math.max(1, Math.min(max, SQS_LIMITS.batchEntries)),
        VisibilityTimeout: this.#visibilitySeconds,
        WaitTimeSeconds: this.#waitSeconds,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp', 'MessageGroupId', 'ApproximateReceiveCount'],
      }),
    );
    const fresh: DeadMessage[] = [];
    const repeats: DeadMessage[] = [];
    for (const message of out.Messages ?? []) {
      const dead = toDeadMessage(message);
      if (this.#seen.has(dead.messageId)) repeats.push(dead);
      else {
        this.#seen.add(dead.messageId);
        fresh.push(dead);
      }
    }
    // A message seen before is back: its hold expired during a very long scan. The scan has come
    // full circle; give the repeat back (it was already counted) and stop.
    if (repeats.length > 0) await this.release(repeats);
    if (fresh.length === 0) this.#done = true;
    return fresh;
  }

  /** Makes messages visible again at once. Best effort: a failure only delays them until their hold ends. */
  async release(messages: readonly DeadMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += SQS_LIMITS.batchEntries) {
      const chunk = messages.slice(i, i + SQS_LIMITS.batchEntries);
      try {
        await this.#sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.#url,
            Entries: chunk.map((m, index) => ({
              Id: String(index),
              ReceiptHandle: m.receiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
        );
      } catch {
        // Nothing is lost: the messages reappear when their visibility timeout ends.
      }
    }
  }

  /** Deletes messages; returns those that could not be deleted, with the reason. */
  async remove(
    messages: readonly DeadMessage[],
  ): Promise<{ readonly message: DeadMessage; readonly reason: string }[]> {
    const failed: { message: DeadMessage; reason: string }[] = [];
    for (let i = 0; i < messages.length; i += SQS_LIMITS.batchEntries) {
      const chunk = messages.slice(i, i + SQS_LIMITS.batchEntries);
      try {
        const out = await this.#sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.#url,
            Entries: chunk.map((m, index) => ({ Id: String(index), ReceiptHandle: m.receiptHandle })),
          }),
        );
        for (const entry of out.Failed ?? []) {
          const message = chunk[Number(entry.Id)];
          if (message) failed.push({ message, reason: `${entry.Code ?? 'Error'}: ${entry.Message ?? ''}` });
        }
      } catch (error) {
        const reason = errorMessage(error);
        failed.push(...chunk.map((message) => ({ message, reason })));
      }
    }
    return failed;
  }
}

/** Which dead messages a command acts on. Every given criterion must match. */
export interface DeadMessageFilter {
  /** Job names (`hangar.job-name`, else the envelope's). */
  readonly names?: readonly string[];
  /** Error codes (`hangar.error-code`). */
  readonly errorCodes?: readonly string[];
  /** Only messages that failed before this instant. */
  readonly failedBefore?: Date;
  /** SQS message ids or job ids. */
  readonly ids?: readonly string[];
}

export function matchesFilter(message: DeadMessage, filter: DeadMessageFilter): boolean {
  if (filter.names && !(message.jobName !== undefined && filter.names.includes(message.jobName)))
    return false;
  if (
    filter.errorCodes &&
    !(message.errorCode !== undefined && filter.errorCodes.includes(message.errorCode))
  )
    return false;
  if (filter.failedBefore) {
    const failed = message.failedAt === undefined ? Number.NaN : Date.parse(message.failedAt);
    if (!(failed < filter.failedBefore.getTime())) return false;
  }
  if (filter.ids && !filter.ids.some((id) => id === message.messageId || id === message.jobId)) return false;
  return true;
}

/** The ids of a filter that matched none of `messages`. */
export function unmatchedIds(filter: DeadMessageFilter, messages: readonly DeadMessage[]): string[] {
  return (filter.ids ?? []).filter((id) => !messages.some((m) => m.messageId === id || m.jobId === id));
}

/**
 * Reads up to `limit` dead messages and gives them all back: nothing is consumed.
 * Oldest failure first.
 */
export async function peekDlq(
  sqs: SQSClient,
  dlqUrl: string,
  options: { readonly limit: number } & DlqReaderOptions,
): Promise<DeadMessage[]> {
  const reader = new DlqReader(sqs, dlqUrl, options);
  const found: DeadMessage[] = [];
  try {
    while (found.length < options.limit) {
      const batch = await reader.next(options.limit - found.length);
      if (batch.length === 0) break;
      found.push(...batch);
    }
  } finally {
    await reader.release(found);
  }
  return found.sort((a, b) => (a.failedAt ?? '').localeCompare(b.failedAt ?? ''));
}

/**
 * One dead message by its message id or job id, read without consuming it: the scan holds what it
 * has seen until it finds the message, then gives everything back. Undefined when no message in
 * reach has that id.
 */
export async function findDead(
  sqs: SQSClient,
  dlqUrl: string,
  id: string,
  options: DlqReaderOptions = {},
): Promise<DeadMessage | undefined> {
  const reader = new DlqReader(sqs, dlqUrl, options);
  const held: DeadMessage[] = [];
  try {
    for (let batch = await reader.next(); batch.length > 0; batch = await reader.next()) {
      held.push(...batch);
      const found = batch.find((m) => matchesFilter(m, { ids: [id] }));
      if (found) return found;
    }
    return undefined;
  } finally {
    await reader.release(held);
  }
}

/**
 * The second half of a send: prepared jobs onto their queue, one by one or in
 * `SendMessageBatch` chunks of at most 10 entries and 1 MiB, with every entry accounted for — sent,
 * retried, or reported as failed; never silently dropped.
 */
import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SQS_LIMITS } from '../constants.js';
import { ConfigError, EnqueueError } from '../errors.js';
import type { Enqueued, EnqueueResult } from '../jobs/enqueue.js';
import { backoffDelay } from '../retry/backoff.js';
import type { Prepared } from './prepare.js';
import type { QueueAddress } from './scheduler-port.js';

/** How `sendBatch` retries the entries SQS reports as retryable. */
export interface BatchRetry {
  readonly maxSendAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

export async function sendOne(sqs: SQSClient, queue: QueueAddress, item: Prepared): Promise<EnqueueResult> {
  try {
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, ...entryOf(item) }));
    return success(item, 'queued');
  } catch (error) {
    return failure(item, error, `Sending job "${item.job.name}" to SQS failed`);
  }
}

/**
 * Sends one chunk with `SendMessageBatch`, re-sending the entries SQS reports as failed but not
 * the sender's fault, with backoff, up to `policy.maxSendAttempts`. One result per item.
 */
export async function sendBatch(
  sqs: SQSClient,
  queue: QueueAddress,
  chunk: readonly Prepared[],
  policy: BatchRetry,
): Promise<EnqueueResult[]> {
  const results: EnqueueResult[] = [];
  let pending = [...chunk];
  for (let attempt = 1; pending.length > 0; attempt++) {
    const byId = new Map(pending.map((item) => [String(item.index), item]));
    let output: SendMessageBatchCommandOutput;
    try {
      output = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: pending.map(
            (item): SendMessageBatchRequestEntry => ({ Id: String(item.index), ...entryOf(item) }),
          ),
        }),
      );
    } catch (error) {
      // The SDK already retried throttling and 5xx; what reaches us is final for this request.
      results.push(
        ...pending.map((item) => failure(item, error, `Sending job "${item.job.name}" to SQS failed`)),
      );
      break;
    }
    for (const ok of output.Successful ?? []) {
      const item = ok.Id === undefined ? undefined : byId.get(ok.Id);
      if (item) {
        results.push(success(item, 'queued'));
        byId.delete(ok.Id as string);
      }
    }
    const retry: Prepared[] = [];
    for (const failed of output.Failed ?? []) {
      const item = failed.Id === undefined ? undefined : byId.get(failed.Id);
      if (!item) continue;
      byId.delete(failed.Id as string);
      if (!failed.SenderFault && attempt < policy.maxSendAttempts) retry.push(item);
      else {
        const reason = `${failed.Code ?? 'Unknown'}: ${failed.Message ?? 'no message'}`;
        results.push(
          failure(
            item,
            undefined,
            `SQS rejected job "${item.job.name}" (${reason}) after ${attempt} attempt(s)`,
            !failed.SenderFault,
          ),
        );
      }
    }
    // An entry SQS reported neither way must not vanish: report it, never drop it silently.
    for (const item of byId.values()) {
      results.push(failure(item, undefined, `SQS reported no outcome for job "${item.job.name}"`, true));
    }
    pending = retry;
    if (pending.length > 0) {
      await policy.sleep(backoffDelay(attempt, policy.baseDelayMs, policy.maxDelayMs));
    }
  }
  return results;
}

function entryOf(item: Prepared): Omit<SendMessageBatchRequestEntry, 'Id'> {
  return {
    MessageBody: item.body,
    ...(item.delaySeconds > 0 ? { DelaySeconds: item.delaySeconds } : {}),
    ...(item.messageGroupId === undefined ? {} : { MessageGroupId: item.messageGroupId }),
    ...(item.deduplicationId === undefined ? {} : { MessageDeduplicationId: item.deduplicationId }),
  };
}

/** Splits sends into `SendMessageBatch` requests of at most 10 entries and at most 1 MiB of bodies. */
export function chunkBySize<T extends { readonly body: string }>(items: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(item.body);
    if (
      current.length === SQS_LIMITS.batchEntries ||
      (current.length > 0 && bytes + size > SQS_LIMITS.messageBytes)
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export function success(item: Prepared, status: Enqueued['status']): EnqueueResult {
  return {
    index: item.index,
    ok: true,
    jobId: item.envelope.jobId,
    status,
    ...(item.envelope.runAt === undefined ? {} : { runAt: item.envelope.runAt }),
  };
}

export function failure(item: Prepared, cause: unknown, message: string, retryable = true): EnqueueResult {
  if (cause instanceof ConfigError) {
    return {
      index: item.index,
      ok: false,
      error: new EnqueueError(cause.message, { cause, retryable: false }),
    };
  }
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return { index: item.index, ok: false, error: new EnqueueError(message + detail, { cause, retryable }) };
}

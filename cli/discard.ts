import type { SQSClient } from '@aws-sdk/client-sqs';
import { type DeadMessage, DlqReader, type DlqReaderOptions, matchesFilter, unmatchedIds } from './dlq.js';
import { DeclinedError } from './errors.js';
import { queueDepth } from './queues.js';

/** What the operator is asked to confirm. */
export type DiscardPlan =
  /** `--ids`: the exact messages found, held while the question is open. */
  | { readonly kind: 'ids'; readonly messages: readonly DeadMessage[] }
  /** `--all`: how many messages SQS counts in the DLQ now. */
  | { readonly kind: 'all'; readonly approximateCount: number };

export interface DiscardOptions extends DlqReaderOptions {
  /** Message ids or job ids to delete; without them, `all` must be set. */
  readonly ids?: readonly string[];
  readonly all?: boolean;
  /** Nothing is deleted unless it resolves true. Not called when there is nothing to delete. */
  readonly confirm: (plan: DiscardPlan) => Promise<boolean>;
  readonly now?: () => number;
}

export interface DiscardResult {
  readonly deleted: readonly DeadMessage[];
  readonly failed: readonly { readonly message: DeadMessage; readonly reason: string }[];
  /** Requested ids found in no message the scan could reach. */
  readonly notFound: readonly string[];
  /** Messages seen and left in the DLQ. */
  readonly kept: number;
}

/**
 * Deletes dead messages on purpose.
 *
 * `ids`: scans the whole DLQ first, holding every message, so the confirmation lists exactly what
 * will go and ids that match nothing are reported instead of silently ignored.
 *
 * `all`: asks first (with SQS's count), then receives and deletes batch by batch — every message
 * that was in the DLQ when the operator confirmed; later arrivals are given back. Deleting as it
 * goes is what lets it empty a FIFO DLQ, whose message groups only move once their heads are gone.
 * @throws {DeclinedError} when `confirm` says no (every message is given back).
 */
export async function discardDead(
  sqs: SQSClient,
  dlqUrl: string,
  options: DiscardOptions,
): Promise<DiscardResult> {
  return options.all ? discardAll(sqs, dlqUrl, options) : discardIds(sqs, dlqUrl, options);
}

async function discardIds(sqs: SQSClient, dlqUrl: string, options: DiscardOptions): Promise<DiscardResult> {
  const filter = { ids: options.ids ?? [] };
  const reader = new DlqReader(sqs, dlqUrl, options);
  const selected: DeadMessage[] = [];
  const kept: DeadMessage[] = [];
  let failed: { message: DeadMessage; reason: string }[] = [];
  try {
    for (let batch = await reader.next(); batch.length > 0; batch = await reader.next()) {
      for (const message of batch) (matchesFilter(message, filter) ? selected : kept).push(message);
    }
    if (selected.length > 0 && !reader.interrupted) {
      if (!(await options.confirm({ kind: 'ids', messages: [...selected] }))) {
        kept.push(...selected.splice(0));
        throw new DeclinedError(`Nothing was deleted; the ${kept.length} message(s) are back in the DLQ.`);
      }
      failed = await reader.remove(selected);
      // Whatever could not be deleted is still held: give it back too.
      kept.push(...failed.map((f) => f.message));
    } else kept.push(...selected.splice(0));
  } finally {
    await reader.release(kept);
  }
  const failedIds = new Set(failed.map((f) => f.message.messageId));
  return {
    deleted: selected.filter((m) => !failedIds.has(m.messageId)),
    failed,
    notFound: reader.interrupted ? [] : unmatchedIds(filter, selected),
    kept: kept.length,
  };
}

async function discardAll(sqs: SQSClient, dlqUrl: string, options: DiscardOptions): Promise<DiscardResult> {
  const depth = await queueDepth(sqs, dlqUrl);
  const approximateCount = depth.visible + depth.inFlight + depth.delayed;
  if (approximateCount === 0) return { deleted: [], failed: [], notFound: [], kept: 0 };
  if (!(await options.confirm({ kind: 'all', approximateCount }))) {
    throw new DeclinedError('Nothing was deleted.');
  }
  const confirmedAt = (options.now ?? Date.now)();
  const reader = new DlqReader(sqs, dlqUrl, options);
  const deleted: DeadMessage[] = [];
  const failed: { message: DeadMessage; reason: string }[] = [];
  const kept: DeadMessage[] = [];
  try {
    for (let batch = await reader.next(); batch.length > 0; batch = await reader.next()) {
      // Arrived after the confirmation (NaN: SQS did not say when; it was there, so it goes).
      const later = batch.filter((m) => m.sentAt > confirmedAt);
      kept.push(...later);
      const doomed = batch.filter((m) => !later.includes(m));
      const notDeleted = await reader.remove(doomed);
      const notDeletedIds = new Set(notDeleted.map((n) => n.message.messageId));
      failed.push(...notDeleted);
      kept.push(...notDeleted.map((n) => n.message));
      deleted.push(...doomed.filter((m) => !notDeletedIds.has(m.messageId)));
    }
  } finally {
    await reader.release(kept);
  }
  return { deleted, failed, notFound: [], kept: kept.length };
}

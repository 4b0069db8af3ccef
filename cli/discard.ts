import type { SQSClient } from '@aws-sdk/client-sqs';
import { type DeadMessage, DlqReader, type DlqReaderOptions, matchesFilter, unmatchedIds } from './dlq.js';
import { DeclinedError } from './errors.js';

export interface DiscardOptions extends DlqReaderOptions {
  /** Message ids or job ids to delete; without them, `all` must be set. */
  readonly ids?: readonly string[];
  readonly all?: boolean;
  /**
   * Asked once the messages to delete are known and held; nothing is deleted unless it resolves
   * true. Not called when nothing matched.
   */
  readonly confirm: (selected: readonly DeadMessage[]) => Promise<boolean>;
}

export interface DiscardResult {
  readonly deleted: readonly DeadMessage[];
  readonly failed: readonly { readonly message: DeadMessage; readonly reason: string }[];
  /** Requested ids found in no message. */
  readonly notFound: readonly string[];
  /** Messages left in the DLQ that this command saw. */
  readonly kept: number;
}

/**
 * Deletes dead messages on purpose: exactly the ones named by message id or job id, or all of
 * them. Scans the whole DLQ first so the confirmation can name the exact count, and so ids that
 * match nothing are reported instead of silently ignored.
 * @throws {DeclinedError} when `confirm` says no (every message is given back).
 */
export async function discardDead(
  sqs: SQSClient,
  dlqUrl: string,
  options: DiscardOptions,
): Promise<DiscardResult> {
  const filter = options.all ? {} : { ids: options.ids ?? [] };
  const reader = new DlqReader(sqs, dlqUrl, options);
  const selected: DeadMessage[] = [];
  const kept: DeadMessage[] = [];
  let failed: { message: DeadMessage; reason: string }[] = [];
  try {
    for (let batch = await reader.next(); batch.length > 0; batch = await reader.next()) {
      for (const message of batch) (matchesFilter(message, filter) ? selected : kept).push(message);
    }
    if (selected.length > 0) {
      if (!(await options.confirm(selected))) {
        kept.push(...selected.splice(0));
        throw new DeclinedError(`Nothing was deleted; the ${kept.length} message(s) are back in the DLQ.`);
      }
      failed = await reader.remove(selected);
      // Whatever could not be deleted is still held: give it back too.
      kept.push(...failed.map((f) => f.message));
    }
  } finally {
    await reader.release(kept);
  }
  const failedIds = new Set(failed.map((f) => f.message.messageId));
  return {
    deleted: selected.filter((m) => !failedIds.has(m.messageId)),
    failed,
    notFound: unmatchedIds(filter, selected),
    kept: kept.length,
  };
}

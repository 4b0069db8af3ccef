/**
 * The FIFO `MessageDeduplicationId` of an envelope sent by the client, the worker (a
 * continuation) or a redrive. SQS silently drops a repeated id for five minutes, so each send of
 * a distinct message must carry its own.
 */
import { createHash } from 'node:crypto';
import type { JobEnvelope } from './envelope.js';

/**
 * FIFO deduplication id: unique per send, so SQS never drops a distinct send as a repeat. A
 * caller's idempotency key is hashed (SQS allows 128 characters of a limited set).
 */
export function fifoDeduplicationId(
  envelope: Pick<JobEnvelope, 'jobId' | 'continuation' | 'attempt' | 'idempotencyKey'>,
): string {
  if (envelope.idempotencyKey !== undefined && envelope.continuation === 0 && envelope.attempt === 1) {
    return createHash('sha256').update(`idempotency:${envelope.idempotencyKey}`).digest('hex');
  }
  return `${envelope.jobId}-${envelope.continuation}-${envelope.attempt}`;
}

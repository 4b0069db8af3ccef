/**
 * Every SQS call the worker makes about a record, and what it does when one fails: re-send a
 * retry, hand a record back unstarted, change its visibility, delete the original once its fate is
 * sealed elsewhere, dead-letter it with its reason, and send a continuation.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type MessageAttributeValue,
  SendMessageCommand,
  type SendMessageCommandInput,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import {
  DEAD_LETTER_ATTRIBUTES,
  DELIVERY_ATTRIBUTES,
  METRIC_NAMES,
  SQS_LIMITS,
  UNKNOWN_JOB_NAME,
} from '../constants.js';
import { ERROR_CODES, JobValidationError, PermanentJobError } from '../errors.js';
import { fifoDeduplicationId } from '../jobs/deduplication.js';
import type { JobDefinition } from '../jobs/define-job.js';
import { decodeEnvelope, encodeEnvelope, type JobEnvelope } from '../jobs/envelope.js';
import { check, describeIssues } from '../validation.js';
import { describeError } from './describe-error.js';
import { ACKED_PENDING, DONE, KEPT, type Outcome } from './outcome.js';
import { WORKER_LOG_MESSAGES, WORKER_RULES } from './rules.js';
import type { InvocationScope } from './runtime.js';
import { settleCall } from './settle-call.js';

/** The id of the message a record descends from: its own, or the original's for a copy the worker made. */
export function originOf(record: SQSRecord): string {
  return record.messageAttributes?.[DELIVERY_ATTRIBUTES.origin]?.stringValue ?? record.messageId;
}

/**
 * The attributes a copy of a record carries: the record's own (a redrive's marks stay with the
 * job when it is handed back; a settlement is set anew or not at all) and its origin. SQS takes at
 * most 10 attributes: Hangar's own come first, and `spare` are left for the caller to add.
 */
export function copyAttributes(record: SQSRecord, spare = 0): Record<string, MessageAttributeValue> {
  const entries: [string, MessageAttributeValue][] = [];
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (name === DELIVERY_ATTRIBUTES.settlement || name === DELIVERY_ATTRIBUTES.origin) continue;
    if (value.stringValue !== undefined) {
      entries.push([name, { DataType: value.dataType, StringValue: value.stringValue }]);
    } else if (value.binaryValue !== undefined) {
      entries.push([
        name,
        { DataType: value.dataType, BinaryValue: Buffer.from(value.binaryValue, 'base64') },
      ]);
    }
  }
  entries.sort(([a], [b]) => Number(!a.startsWith(HANGAR_PREFIX)) - Number(!b.startsWith(HANGAR_PREFIX)));
  const kept = entries.slice(0, SQS_LIMITS.maxMessageAttributes - 1 - spare);
  return Object.fromEntries([
    ...kept,
    [DELIVERY_ATTRIBUTES.origin, { DataType: 'String', StringValue: originOf(record) }],
  ]);
}

const HANGAR_PREFIX = 'hangar.';

/**
 * The body of a copy of a record: the same bytes, except that an envelope received more than once
 * carries this delivery's attempt (`attempt + ApproximateReceiveCount − 1`), since the copy starts
 * its receive count afresh — the attempts earlier receives started still count.
 */
export function copyBody(record: SQSRecord): string {
  const received = Number.parseInt(record.attributes.ApproximateReceiveCount, 10);
  if (!(received > 1)) return record.body;
  try {
    const envelope = decodeEnvelope(record.body);
    return encodeEnvelope({ ...envelope, attempt: envelope.attempt + received - 1 });
  } catch {
    return record.body;
  }
}

/**
 * Retries a failed attempt after `delaySeconds` (at most the visibility timeout's maximum). A
 * standard queue gets a new message carrying the next attempt, delayed, and the original is
 * deleted. On a FIFO queue a new message would lose its place in the group, and a delay beyond
 * `DelaySeconds`' maximum cannot be sent: both extend the visibility of the same message instead.
 */
export async function sendRetry(
  rt: InvocationScope,
  record: SQSRecord,
  envelope: JobEnvelope,
  failedAttempt: number,
  delaySeconds: number,
): Promise<Outcome> {
  const { worker } = rt;
  if (!worker.fifo && delaySeconds <= SQS_LIMITS.maxDelaySeconds) {
    // Send before the original is deleted: a crash in between duplicates, never loses.
    const retry = new SendMessageCommand({
      QueueUrl: worker.queue.url,
      MessageBody: encodeEnvelope({ ...envelope, attempt: failedAttempt + 1 }),
      DelaySeconds: delaySeconds,
      MessageAttributes: copyAttributes(record),
    });
    try {
      await settleCall(rt, 'retry re-send', () => worker.sqs.send(retry));
      await deleteOriginal(rt, record);
      return ACKED_PENDING;
    } catch (error) {
      // The same message then comes back after the backoff; its receive count adds the attempt.
      worker.logger.warn(WORKER_LOG_MESSAGES.retryResendFailed, {
        messageId: record.messageId,
        error: describeError(error).message,
      });
    }
  }
  await changeVisibility(rt, record, delaySeconds);
  return KEPT;
}

/**
 * Gives a record back without counting an attempt. Standard queues get a fresh copy (so the
 * receive count, which counts attempts, is untouched), with `attributes` when given, and the
 * original is deleted; FIFO queues keep the message and its place in its group, visible again
 * after `delaySeconds`.
 */
export async function handBack(
  rt: InvocationScope,
  record: SQSRecord,
  delaySeconds: number,
  extra?: Readonly<Record<string, MessageAttributeValue>>,
): Promise<Outcome> {
  const { worker } = rt;
  rt.metrics.count(METRIC_NAMES.handedBack);
  const delay = Math.max(0, delaySeconds);
  if (!worker.fifo && delay <= SQS_LIMITS.maxDelaySeconds) {
    try {
      await worker.sqs.send(
        new SendMessageCommand({
          QueueUrl: worker.queue.url,
          MessageBody: copyBody(record),
          DelaySeconds: delay,
          MessageAttributes: { ...copyAttributes(record, extra === undefined ? 0 : 1), ...extra },
        }),
      );
    } catch (error) {
      worker.logger.warn(WORKER_LOG_MESSAGES.handBackResendFailed, {
        messageId: record.messageId,
        error: describeError(error).message,
      });
      await changeVisibility(rt, record, Math.min(delay, SQS_LIMITS.maxVisibilitySeconds));
      return KEPT;
    }
    await deleteOriginal(rt, record);
    return ACKED_PENDING;
  }
  await changeVisibility(rt, record, Math.min(delay, SQS_LIMITS.maxVisibilitySeconds));
  return KEPT;
}

/**
 * Defers a record that a declared limit holds back: handed back (see `handBack`) after
 * `delaySeconds` — at most `DelaySeconds`' maximum: a longer wait is a chain of such copies —
 * carrying the record's attributes and its deferral count one higher. The fresh copy's receive
 * count starts again at 1 and its envelope carries this delivery's attempt (`copyBody`), so a deferral spends no attempt and never
 * moves the job toward `maxReceiveCount`. (Standard queues only: `defineJob` rejects these limits
 * on FIFO jobs.)
 */
export function defer(
  rt: InvocationScope,
  record: SQSRecord,
  delaySeconds: number,
  deferrals: number,
): Promise<Outcome> {
  const delay = Math.min(Math.ceil(delaySeconds), SQS_LIMITS.maxDelaySeconds);
  return handBack(rt, record, delay, {
    [DELIVERY_ATTRIBUTES.deferrals]: { DataType: 'Number', StringValue: String(deferrals + 1) },
  });
}

/** How many times a record's job was deferred before (its `DELIVERY_ATTRIBUTES.deferrals`). */
export function deferralsOf(record: SQSRecord): number {
  const count = Number.parseInt(
    record.messageAttributes?.[DELIVERY_ATTRIBUTES.deferrals]?.stringValue ?? '0',
    10,
  );
  return Number.isFinite(count) && count > 0 ? count : 0;
}

/**
 * One try at handing a record back unstarted on a standard queue: a fresh copy, delayed by
 * `WORKER_RULES.handBackDelaySeconds`, then the original deleted. Rejects when the copy did not go out.
 */
export async function handBackCopy(rt: InvocationScope, record: SQSRecord): Promise<void> {
  const { worker } = rt;
  await worker.sqs.send(
    new SendMessageCommand({
      QueueUrl: worker.queue.url,
      MessageBody: copyBody(record),
      DelaySeconds: WORKER_RULES.handBackDelaySeconds,
      MessageAttributes: copyAttributes(record),
    }),
  );
  rt.metrics.count(METRIC_NAMES.handedBack);
  await deleteOriginal(rt, record);
}

async function changeVisibility(rt: InvocationScope, record: SQSRecord, seconds: number): Promise<void> {
  const { worker } = rt;
  try {
    await worker.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: worker.queue.url,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  } catch (error) {
    // The record is kept either way; it returns after its current visibility timeout instead.
    worker.logger.warn(WORKER_LOG_MESSAGES.visibilityChangeFailed, {
      messageId: record.messageId,
      error: describeError(error).message,
    });
  }
}

/**
 * Deletes a record whose fate is already sealed elsewhere — re-sent as a retry or hand-back, or
 * dead-lettered — instead of leaving that to the event source at the end of the invocation: an
 * invocation that ends without reporting (terminated at its timeout) or reports the record as
 * unfinished (its hard stop) would otherwise bring it back, and it would run, or die, twice.
 * Best effort: the event source deletes it too when the invocation reports back.
 */
export async function deleteOriginal(rt: InvocationScope, record: SQSRecord): Promise<void> {
  const { worker } = rt;
  try {
    await worker.sqs.send(
      new DeleteMessageCommand({ QueueUrl: worker.queue.url, ReceiptHandle: record.receiptHandle }),
    );
  } catch (error) {
    worker.logger.warn(WORKER_LOG_MESSAGES.deleteFailed, {
      messageId: record.messageId,
      error: describeError(error).message,
    });
  }
}

/**
 * Moves a record to the DLQ with its reason as message attributes (the send tried again within
 * the invocation), then deletes it. The body is kept byte for byte, so a redrive sends back
 * exactly what arrived. Rejects when the send keeps failing (see `endAsDead`).
 */
export async function deadLetter(
  rt: InvocationScope,
  record: SQSRecord,
  where: { readonly jobName: string | undefined; readonly attempt: number },
  error: unknown,
): Promise<Outcome> {
  const { worker } = rt;
  const reason = describeError(error);
  const attributes: Record<string, MessageAttributeValue> = {
    [DEAD_LETTER_ATTRIBUTES.errorCode]: { DataType: 'String', StringValue: reason.code },
    [DEAD_LETTER_ATTRIBUTES.errorMessage]: { DataType: 'String', StringValue: reason.message },
    [DEAD_LETTER_ATTRIBUTES.attempt]: { DataType: 'Number', StringValue: String(where.attempt) },
    [DEAD_LETTER_ATTRIBUTES.failedAt]: { DataType: 'String', StringValue: new Date().toISOString() },
    [DEAD_LETTER_ATTRIBUTES.jobName]: { DataType: 'String', StringValue: where.jobName ?? UNKNOWN_JOB_NAME },
  };
  const input: SendMessageCommandInput = {
    QueueUrl: worker.queue.dlqUrl,
    MessageBody: record.body,
    MessageAttributes: attributes,
  };
  if (worker.fifo) {
    input.MessageGroupId = record.attributes.MessageGroupId ?? 'dead-letter';
    // The source message id: a second dead-lettering of the same delivery is dropped as a repeat.
    input.MessageDeduplicationId = record.messageId;
  }
  await settleCall(rt, 'DLQ send', () => worker.sqs.send(new SendMessageCommand(input)));
  await deleteOriginal(rt, record);
  rt.metrics.count(METRIC_NAMES.deadLettered);
  worker.logger.error(WORKER_LOG_MESSAGES.deadLettered, {
    messageId: record.messageId,
    jobName: where.jobName,
    attempt: where.attempt,
    errorCode: reason.code,
    error: reason.message,
  });
  return DONE;
}

/**
 * Enqueues the continuation of a job (`context.continueWith`): the same envelope with the new
 * payload, the next continuation number and attempt 1 — on FIFO in the payload's group, never delayed.
 */
export async function sendContinuation(
  rt: InvocationScope,
  job: JobDefinition,
  envelope: JobEnvelope,
  payload: unknown,
  continuation: number,
  delaySeconds: number,
): Promise<void> {
  const parsed = check(job.schema, payload, 'payload');
  if (!parsed.ok) {
    throw new JobValidationError(
      `Invalid continuation payload for job "${job.name}": ${describeIssues(parsed.issues)}`,
      parsed.issues,
    );
  }
  const next: JobEnvelope = {
    ...envelope,
    payload: payload as JobEnvelope['payload'],
    attempt: 1,
    continuation,
  };
  const input: SendMessageCommandInput = { QueueUrl: rt.worker.queue.url, MessageBody: encodeEnvelope(next) };
  if (job.fifo) {
    if (delaySeconds > 0) {
      throw new PermanentJobError(`Job "${job.name}" is FIFO: a continuation cannot be delayed`, {
        code: ERROR_CODES.jobDefinition,
      });
    }
    input.MessageGroupId = job.fifo.groupKey(parsed.value);
    input.MessageDeduplicationId = fifoDeduplicationId(next);
  } else if (delaySeconds > 0) {
    input.DelaySeconds = Math.min(delaySeconds, SQS_LIMITS.maxDelaySeconds);
  }
  await rt.worker.sqs.send(new SendMessageCommand(input));
}

/**
 * Sealing a record's fate while AWS fails now and then. Two rules:
 *
 * 1. A settle call that fails through the SDK's own attempts is tried again within the
 *    invocation, while time is left before the hard stop (`settleCall`, ./settle-call.ts).
 * 2. A job that ran but whose end still could not be written does not run again: its message is
 *    sent back with the end attached (`DELIVERY_ATTRIBUTES.settlement`), and the next delivery
 *    writes that end instead of running the job (`endFromMessage`). The outcome the worker had in
 *    hand — an SES message id, a verdict — is never given up because one write failed.
 *
 * A job's death goes through `endAsDead`: the ledger says `dead` before the DLQ holds the message,
 * so the two never disagree for longer than a settlement takes to come back.
 */
import {
  type MessageAttributeValue,
  SendMessageCommand,
  type SendMessageCommandInput,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { DELIVERY_ATTRIBUTES } from '../constants.js';
import { JobError } from '../errors.js';
import { describeError } from './describe-error.js';
import { ACKED_PENDING, DONE, type Outcome } from './outcome.js';
import { WORKER_LOG_MESSAGES } from './rules.js';
import type { InvocationScope } from './runtime.js';
import { isFinal, settleCall } from './settle-call.js';
import { copyAttributes, copyBody, deadLetter, deleteOriginal, handBack } from './sqs-actions.js';
import type { AttemptRef, JobLedger, JobResult } from './types.js';

const resultSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

/** The end of a job that ran, as its message carries it when the ledger could not take it. */
const settlementSchema = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('succeeded'), token: z.string(), result: z.optional(resultSchema) }),
  z.strictObject({ outcome: z.literal('continued'), token: z.string(), continuation: z.int() }),
  z.strictObject({
    outcome: z.literal('dead'),
    /** The claim of the attempt that died; absent when it died before a claim (dead on arrival). */
    token: z.optional(z.string()),
    errorCode: z.string(),
    errorMessage: z.string(),
  }),
]);
export type Settlement = z.output<typeof settlementSchema>;

/**
 * The settlement a record carries, if any. A malformed one is ignored: the record then runs as
 * any delivery would, which the ledger's claim keeps safe.
 */
export function readSettlement(record: SQSRecord): Settlement | undefined {
  const raw = record.messageAttributes?.[DELIVERY_ATTRIBUTES.settlement]?.stringValue;
  if (raw === undefined) return undefined;
  try {
    const parsed = z.safeParse(settlementSchema, JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends the record back with its settlement attached and deletes the original, so that the next
 * delivery writes the end instead of running the job. Rejects when even that send fails: the
 * record then stays and comes back after its visibility timeout.
 */
export async function handBackSettled(
  rt: InvocationScope,
  record: SQSRecord,
  settlement: Settlement,
  cause: unknown,
): Promise<Outcome> {
  const { worker } = rt;
  const input = settlementMessage(rt, record, settlement);
  await settleCall(rt, 'settlement re-send', () => worker.sqs.send(new SendMessageCommand(input)));
  await deleteOriginal(rt, record);
  worker.logger.warn(WORKER_LOG_MESSAGES.settlementHandedBack, {
    messageId: record.messageId,
    outcome: settlement.outcome,
    error: describeError(cause).message,
  });
  return ACKED_PENDING;
}

/** Sends a copy of the record carrying its settlement and deletes the original: one try of each. */
export async function sendSettlement(
  rt: InvocationScope,
  record: SQSRecord,
  settlement: Settlement,
): Promise<void> {
  await rt.worker.sqs.send(new SendMessageCommand(settlementMessage(rt, record, settlement)));
  await deleteOriginal(rt, record);
}

/** The copy of a record that carries its settlement: the same body, on the same queue (FIFO: group). */
function settlementMessage(
  rt: InvocationScope,
  record: SQSRecord,
  settlement: Settlement,
): SendMessageCommandInput {
  const { worker } = rt;
  const attributes: Record<string, MessageAttributeValue> = {
    ...copyAttributes(record, 1),
    [DELIVERY_ATTRIBUTES.settlement]: { DataType: 'String', StringValue: JSON.stringify(settlement) },
  };
  const input: SendMessageCommandInput = {
    QueueUrl: worker.queue.url,
    MessageBody: copyBody(record),
    MessageAttributes: attributes,
  };
  if (worker.fifo) {
    input.MessageGroupId = record.attributes.MessageGroupId ?? 'settlement';
    // One settlement per delivery: a second send of the same one is dropped as a repeat.
    input.MessageDeduplicationId = `${record.messageId}-settlement`;
  }
  return input;
}

/**
 * Records the end of an attempt that ran to its end — success, or the continuation it enqueued —
 * and resolves `DONE`; when the ledger will not take it, hands the record back with the end
 * attached. A lost claim (another delivery took the job over) is not this record's to settle.
 */
export async function recordEnd(
  rt: InvocationScope,
  record: SQSRecord,
  ledger: JobLedger,
  ref: AttemptRef,
  end: Extract<Settlement, { outcome: 'succeeded' | 'continued' }>,
): Promise<Outcome> {
  try {
    await settleCall(rt, `ledger ${end.outcome}`, () =>
      end.outcome === 'succeeded'
        ? ledger.succeed(ref, end.token, end.result as JobResult | undefined)
        : ledger.continued(ref, end.token, end.continuation),
    );
    return DONE;
  } catch (error) {
    if (isFinal(error)) throw error;
    return handBackSettled(rt, record, end, error);
  }
}

/**
 * Ends a job as dead: the ledger first (with the attempt's claim when it has one, else as dead on
 * arrival), then the DLQ with the reason attributes. When the ledger will not take it, the record
 * goes back with the verdict attached; when the DLQ will not, too — the next delivery repeats
 * what is left (a `dead` write is idempotent), and never runs the job.
 */
export async function endAsDead(
  rt: InvocationScope,
  record: SQSRecord,
  ledger: JobLedger | undefined,
  ref: AttemptRef,
  error: unknown,
  token: string | undefined,
): Promise<Outcome> {
  const reason = describeError(error);
  const verdict: Settlement = {
    outcome: 'dead',
    errorCode: reason.code,
    errorMessage: reason.message,
    token,
  };
  if (ledger !== undefined) {
    try {
      if (token !== undefined) {
        const failure = { status: 'dead', errorCode: reason.code, errorMessage: reason.message } as const;
        await settleCall(rt, 'ledger dead', () => ledger.fail(ref, token, failure));
      } else {
        const found = await settleCall(rt, 'ledger dead on arrival', () =>
          ledger.deadOnArrival(ref, { errorCode: reason.code, errorMessage: reason.message }),
        );
        if (found.outcome === 'busy') return handBack(rt, record, Math.ceil(found.retryAfterMs / 1000));
        if (found.outcome !== 'recorded') {
          rt.worker.logger.info(WORKER_LOG_MESSAGES.alreadySettled, {
            jobId: ref.jobId,
            outcome: found.outcome,
          });
          return DONE;
        }
      }
    } catch (cause) {
      if (isFinal(cause)) {
        // The claim was taken over: this delivery's verdict is stale; the new holder decides.
        rt.worker.logger.info(WORKER_LOG_MESSAGES.alreadySettled, {
          jobId: ref.jobId,
          outcome: 'taken over',
        });
        return DONE;
      }
      return handBackSettled(rt, record, verdict, cause);
    }
  }
  try {
    return await deadLetter(rt, record, { jobName: ref.jobName, attempt: ref.attempt }, error);
  } catch (cause) {
    return handBackSettled(rt, record, verdict, cause);
  }
}

/**
 * Writes the end a record carries (see `handBackSettled`) instead of running its job: success or
 * continuation into the ledger, or the verdict into the ledger and the DLQ.
 */
export async function endFromMessage(
  rt: InvocationScope,
  record: SQSRecord,
  ledger: JobLedger | undefined,
  ref: AttemptRef,
  settlement: Settlement,
): Promise<Outcome> {
  if (settlement.outcome === 'dead') {
    const reason = new JobError(settlement.errorMessage, { code: settlement.errorCode, retryable: false });
    return endAsDead(rt, record, ledger, ref, reason, settlement.token);
  }
  if (ledger === undefined) return DONE;
  try {
    const outcome = await recordEnd(rt, record, ledger, ref, settlement);
    if (outcome === DONE) {
      rt.worker.logger.info(WORKER_LOG_MESSAGES.settlementWritten, {
        jobId: ref.jobId,
        outcome: settlement.outcome,
      });
    }
    return outcome;
  } catch (error) {
    if (!isFinal(error)) throw error;
    rt.worker.logger.info(WORKER_LOG_MESSAGES.alreadySettled, { jobId: ref.jobId, outcome: 'taken over' });
    return DONE;
  }
}

/**
 * The first half of every send: a request checked — job name, options, payload, encoded size —
 * and turned into the envelope, body and SQS parameters it goes out with, or the error that stops
 * it. Nothing here talks to AWS, so `validate` and every enqueue share one set of rules.
 */
import * as z from 'zod/mini';
import { ENVELOPE_VERSION, SQS_LIMITS } from '../constants.js';
import { type JobError, JobValidationError, PayloadTooLargeError, UnknownJobError } from '../errors.js';
import { fifoDeduplicationId } from '../jobs/deduplication.js';
import type { JobDefinition } from '../jobs/define-job.js';
import type { EnqueueRequest, EnqueueResult } from '../jobs/enqueue.js';
import { encodeEnvelope, JOB_ID_PATTERN, type JobEnvelope } from '../jobs/envelope.js';
import type { JobRegistry } from '../jobs/registry.js';
import { check, describeIssues } from '../validation.js';

const enqueueOptionsSchema = z.strictObject({
  delaySeconds: z.optional(z.int().check(z.minimum(0), z.maximum(365 * 86_400))),
  runAt: z.optional(
    z.union([
      z.date().check(z.refine((d) => !Number.isNaN(d.getTime()), 'must be a valid date')),
      z.iso.datetime({ offset: true }),
    ]),
  ),
  idempotencyKey: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  correlationId: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  jobId: z.optional(z.string().check(z.regex(JOB_ID_PATTERN, 'must be 1–64 letters, digits, "-" or "_"'))),
});

/** A validated request, ready to go to a queue or a scheduler. */
export interface Prepared {
  readonly index: number;
  readonly job: JobDefinition;
  readonly envelope: JobEnvelope;
  readonly body: string;
  readonly delaySeconds: number;
  /** Set when the job goes through the scheduler. */
  readonly scheduleAt: Date | undefined;
  readonly messageGroupId: string | undefined;
  readonly deduplicationId: string | undefined;
}

/** A request that cannot be sent, with the error that stops it. */
export type Rejected = Extract<EnqueueResult, { ok: false }>;

/** What preparing needs of the client: its registry, clock and id factory. */
export interface PrepareContext {
  readonly registry: JobRegistry;
  readonly now: () => Date;
  readonly newJobId: () => string;
}

export function prepareRequest(
  request: EnqueueRequest,
  index: number,
  context: PrepareContext,
): Prepared | Rejected {
  const fail = (error: JobError) => ({ index, ok: false as const, error });
  const job = context.registry.find(typeof request.job === 'string' ? request.job : request.job.name);
  if (!job) {
    return fail(
      new UnknownJobError(
        typeof request.job === 'string' ? request.job : request.job.name,
        context.registry.names,
      ),
    );
  }
  const { job: _job, payload, ...options } = request;
  const optionCheck = check(enqueueOptionsSchema, options);
  const payloadCheck = check(job.schema, payload, 'payload');
  const issues = [
    ...(optionCheck.ok ? [] : optionCheck.issues),
    ...(payloadCheck.ok ? [] : payloadCheck.issues),
  ];
  if (options.delaySeconds !== undefined && options.runAt !== undefined) {
    issues.push({ path: 'runAt', message: 'give either delaySeconds or runAt, not both' });
  }
  if (issues.length > 0) {
    return fail(new JobValidationError(`Invalid job "${job.name}": ${describeIssues(issues)}`, issues));
  }

  const now = context.now();
  const runAt =
    options.runAt !== undefined
      ? new Date(options.runAt)
      : options.delaySeconds
        ? new Date(now.getTime() + options.delaySeconds * 1000)
        : undefined;
  const delayMs = runAt ? Math.max(0, runAt.getTime() - now.getTime()) : 0;
  const delaySeconds = Math.ceil(delayMs / 1000);
  // FIFO queues have no per-message delay, and SQS delays stop at 15 minutes: both go through the scheduler.
  const scheduled = delaySeconds > 0 && (job.fifo !== undefined || delaySeconds > SQS_LIMITS.maxDelaySeconds);
  const envelope: JobEnvelope = {
    version: ENVELOPE_VERSION,
    jobId: options.jobId ?? context.newJobId(),
    name: job.name,
    payload: payload as JobEnvelope['payload'],
    enqueuedAt: now.toISOString(),
    attempt: 1,
    continuation: 0,
    ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
    ...(options.correlationId === undefined ? {} : { correlationId: options.correlationId }),
    ...(runAt && delayMs > 0 ? { runAt: runAt.toISOString() } : {}),
  };
  const body = encodeEnvelope(envelope);
  const bytes = Buffer.byteLength(body);
  if (bytes > SQS_LIMITS.messageBytes)
    return fail(new PayloadTooLargeError(job.name, bytes, SQS_LIMITS.messageBytes));
  return {
    index,
    job,
    envelope,
    body,
    delaySeconds: scheduled ? 0 : delaySeconds,
    scheduleAt: scheduled ? runAt : undefined,
    messageGroupId: job.fifo ? job.fifo.groupKey(payloadCheck.ok ? payloadCheck.value : payload) : undefined,
    deduplicationId: job.fifo ? fifoDeduplicationId(envelope) : undefined,
  };
}

/**
 * What a producer (`JobClient`, and so the API) does for a job with a unique key or a debounce
 * before it sends: a unique key held by a waiting or running job answers with that job's id and
 * nothing is sent; a debounce window still open takes the new payload and answers with its job's
 * id, and only the enqueue that opens a window sends a message (delayed by `seconds`; the worker
 * waits out any push-back, see lib/worker/limit-gate.ts).
 */
import * as z from 'zod/mini';
import { SQS_LIMITS } from '../constants.js';
import type { JobDefinition } from '../jobs/define-job.js';
import type { LimitStore } from './limit-store.js';

export type StepAnswer =
  /** Send the job; `delaySeconds` (at least the debounce's) when the step sets one. */
  | { readonly send: true; readonly delaySeconds: number | undefined }
  /** Nothing to send: the job with this id answers the enqueue. */
  | { readonly send: false; readonly jobId: string };

const SEND: StepAnswer = Object.freeze({ send: true, delaySeconds: undefined });

/** Whether a job needs the step (and so a limit store on its producer). */
export function needsEnqueueStep(job: JobDefinition): boolean {
  return job.limits?.unique !== undefined || job.limits?.debounce !== undefined;
}

export async function enqueueStep(
  store: LimitStore,
  job: JobDefinition,
  jobId: string,
  input: unknown,
): Promise<StepAnswer> {
  const limits = job.limits;
  if (limits === undefined) return SEND;
  // The keys are functions of the payload as the handler sees it (defaults and transforms applied).
  const payload = z.parse(job.schema, input);
  if (limits.debounce) {
    const { seconds, maxWaitSeconds } = limits.debounce;
    const answer = await store.joinWindow({
      jobName: job.name,
      key: limits.debounce.key(payload),
      jobId,
      payload: input,
      seconds,
      maxWaitSeconds,
    });
    if (!answer.opened) return { send: false, jobId: answer.jobId };
    return { send: true, delaySeconds: Math.min(seconds, SQS_LIMITS.maxDelaySeconds) };
  }
  if (limits.unique) {
    const held = await store.holdUniqueKey({
      jobName: job.name,
      key: limits.unique.key(payload),
      jobId,
      seconds: limits.unique.seconds,
    });
    if (!held.held) return { send: false, jobId: held.jobId };
  }
  return SEND;
}

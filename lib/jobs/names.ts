import { join } from 'node:path';
import type { JobDefinition } from './define-job.js';

const FIFO_SUFFIX = '.fifo';
const DLQ_SUFFIX = '-dlq';
/** The longest suffix a job's name gets in a queue name (a FIFO job's DLQ). */
export const LONGEST_QUEUE_SUFFIX = DLQ_SUFFIX + FIFO_SUFFIX;

/** The file a function folder provides, exporting `handler` — what the stack bundles and the local runtime runs. */
export const HANDLER_FILE = 'handler.ts';

/** The entry file of a function folder: `<functionsDir>/<dir>/handler.ts`. */
export function functionEntry(functionsDir: string, dir: string): string {
  return join(functionsDir, dir, HANDLER_FILE);
}

/** `email.send` → `email-send`: the stem of every physical name derived from a job. */
export function resourceStem(jobName: string): string {
  return jobName.replaceAll('.', '-');
}

/** `email.send` → `email-send`; FIFO jobs get `.fifo`. */
export function queueName(job: Pick<JobDefinition, 'name' | 'fifo'>): string {
  return resourceStem(job.name) + (job.fifo ? FIFO_SUFFIX : '');
}

/** `email.send` → `email-send-dlq`; the DLQ of a FIFO queue must itself be FIFO. */
export function dlqName(job: Pick<JobDefinition, 'name' | 'fifo'>): string {
  return resourceStem(job.name) + DLQ_SUFFIX + (job.fifo ? FIFO_SUFFIX : '');
}

/** `email.send` → `EmailSend`: CloudFormation logical ids and output keys allow only letters and digits. */
export function pascalName(jobName: string): string {
  return jobName
    .split(/[.-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The folder under `functions/` whose `handler.ts` serves a job: the job name's first word
 * (`email.send` → `email`). Several jobs may share a folder; each gets its own function and
 * queue, and the shared handler dispatches on the job name.
 */
export function functionDir(jobName: string): string {
  return jobName.split(/[.-]/)[0] ?? jobName;
}

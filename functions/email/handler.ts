/**
 * Entry point of the `email.send` worker: the built-in declaration, wired from the environment the
 * stack (or the local runtime) sets. Everything here runs once per cold start.
 */
// The declaration's own module, not the built-in registry: the other jobs' declarations (their
// schemas, built and checked at import) are no part of this worker's cold start.
import { emailSend } from '../../lib/jobs/builtin/email-send.js';
import { createEmailWorker } from './email-worker.js';

export const handler = createEmailWorker(emailSend);

/**
 * Entry point of the `email.send` worker: the built-in declaration, wired from the environment the
 * stack (or the local runtime) sets. Everything here runs once per cold start.
 */
import { emailSend } from '../../lib/jobs/builtin/index.js';
import { createEmailWorker } from './email-worker.js';

export const handler = createEmailWorker(emailSend);

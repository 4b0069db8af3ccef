/**
 * The chaos run's e-mail worker: the real one (`functions/email/`), bound to the run's declaration
 * of `email.send` (a shorter timeout and backoff).
 */
import { createEmailWorker } from '../../../functions/email/email-worker.js';
import { chaosEmailSend } from '../../job.js';

export const handler = createEmailWorker(chaosEmailSend);

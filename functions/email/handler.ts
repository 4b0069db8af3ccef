/**
 * Entry point of the `email.send` worker: the handler, the ledger and the runtime, wired from the
 * environment the stack (or the local runtime) sets. Everything here runs once per cold start.
 */
import { SESClient } from '@aws-sdk/client-ses';
import { ENV_VARS } from '../../lib/deploy/index.js';
// The declaration's own module, not the built-in registry: the other jobs' declarations (their
// schemas, built and checked at import) are no part of this worker's cold start.
import { emailSend } from '../../lib/jobs/builtin/email-send.js';
import { createWorker, handle } from '../../lib/worker/index.js';
import { ledgerFromEnv } from '../shared/ledger-from-env.js';
import { createEmailSender, senderAddressSchema } from './send-email.js';

const { env, ledger } = ledgerFromEnv({ [ENV_VARS.senderEmail]: senderAddressSchema });

export const handler = createWorker({
  jobs: [handle(emailSend, createEmailSender({ ses: new SESClient({}), sender: env[ENV_VARS.senderEmail] }))],
  ledger,
});

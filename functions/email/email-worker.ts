/**
 * The `email.send` worker's wiring: the handler, the ledger and the runtime, from the environment
 * the stack (or the local runtime) sets, for a given declaration of the job. The deployed entry
 * point binds the built-in declaration; the chaos run binds one with a shorter timeout, so that
 * every line that runs is the same.
 */
import { SESClient } from '@aws-sdk/client-ses';
import * as z from 'zod/mini';
import { awsClientConfig } from '../../lib/config/aws-client.js';
import { ENV_VARS } from '../../lib/deploy/index.js';
import type { emailSend } from '../../lib/jobs/builtin/index.js';
import { withRateLimit } from '../../lib/limits/with-rate-limit.js';
import { createWorker, handle, type SqsWorker } from '../../lib/worker/index.js';
import { ledgerFromEnv } from '../shared/ledger-from-env.js';
import { createEmailSender, senderAddressSchema } from './send-email.js';

/**
 * @example
 * export const handler = createEmailWorker(emailSend);
 */
export function createEmailWorker(job: typeof emailSend): SqsWorker {
  const { env, ledger, limits } = ledgerFromEnv({
    [ENV_VARS.senderEmail]: senderAddressSchema,
    [ENV_VARS.emailSendRate]: z.optional(
      z.string().check(z.regex(/^[1-9][0-9]*$/, 'must be a whole number of e-mails per second')),
    ),
  });
  const rate = env[ENV_VARS.emailSendRate];
  // The stage's SES quota: at most `rate` sends start per second, across all instances.
  const limited = rate === undefined ? job : withRateLimit(job, { limit: Number(rate), perSeconds: 1 });
  const ses = new SESClient(awsClientConfig());
  return createWorker({
    jobs: [handle(limited, createEmailSender({ ses, sender: env[ENV_VARS.senderEmail] }))],
    ledger,
    limits,
  });
}

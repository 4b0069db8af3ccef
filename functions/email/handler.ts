/**
 * Entry point of the `email.send` worker: the handler, the ledger and the runtime, wired from the
 * environment the stack (or the local runtime) sets. Everything here runs once per cold start.
 */
import { SESClient } from '@aws-sdk/client-ses';
import { z } from 'zod/mini';
import { createWorker, DynamoJobLedger, ENV_VARS, emailSend, handle, readEnv } from '../../lib/index.js';
import { createEmailSender, senderAddressSchema } from './send-email.js';

const env = readEnv({
  [ENV_VARS.senderEmail]: senderAddressSchema,
  [ENV_VARS.tableName]: z.string().check(z.minLength(1)),
});

export const handler = createWorker({
  jobs: [
    handle(
      emailSend,
      createEmailSender({ ses: new SESClient({}), sender: String(env[ENV_VARS.senderEmail]) }),
    ),
  ],
  ledger: new DynamoJobLedger({ tableName: String(env[ENV_VARS.tableName]) }),
});

/**
 * The chaos run's keyed worker: a real `createWorker` with a limit store around a job that holds
 * its key's slot for a moment, noting in the chaos log when each run starts and ends.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod/mini';
import { ledgerFromEnv } from '../../../functions/shared/ledger-from-env.js';
import { createWorker, handle } from '../../../lib/worker/index.js';
import { recordEvent } from '../../effects.js';
import { CHAOS_DIR_VARIABLE, CHAOS_KEYED, chaosKeyed } from '../../job.js';

const { env, ledger, limits } = ledgerFromEnv({ [CHAOS_DIR_VARIABLE]: z.string().check(z.minLength(1)) });
const dir = env[CHAOS_DIR_VARIABLE];

export const handler = createWorker({
  jobs: [
    handle(chaosKeyed, async (payload, context) => {
      const event = { jobId: context.jobId, n: payload.n, attempt: context.attempt, key: payload.key };
      recordEvent(dir, { ...event, kind: 'keyed-start', at: Date.now() });
      await sleep(CHAOS_KEYED.runMs);
      recordEvent(dir, { ...event, kind: 'keyed-end', at: Date.now() });
      return { n: payload.n };
    }),
  ],
  ledger,
  limits,
});

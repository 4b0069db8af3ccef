/**
 * The chaos run's worker: a real `createWorker` around a job that misbehaves as its payload says,
 * and records its one side effect in the chaos log (never in the ledger, which is under test).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod/mini';
import { ledgerFromEnv } from '../../../functions/shared/ledger-from-env.js';
import { PermanentJobError, RetryableJobError } from '../../../lib/index.js';
import { createWorker, handle } from '../../../lib/worker/index.js';
import { firstRun, recordEvent } from '../../effects.js';
import {
  CHAOS_BLOCKING_MS,
  CHAOS_DIR_VARIABLE,
  CHAOS_PERMANENT_CODE,
  CHAOS_STUCK_MS,
  chaosRun,
} from '../../job.js';

// Wired like the built-in workers: the ledger over the table the runtime names, read once.
const { env, ledger } = ledgerFromEnv({ [CHAOS_DIR_VARIABLE]: z.string().check(z.minLength(1)) });
const dir = env[CHAOS_DIR_VARIABLE];

export const handler = createWorker({
  jobs: [
    handle(chaosRun, async (payload, context) => {
      const event = { jobId: context.jobId, n: payload.n, attempt: context.attempt };
      switch (payload.fault) {
        case 'transient':
          if (context.attempt <= (payload.failures ?? 1)) {
            recordEvent(dir, { ...event, kind: 'transient' });
            throw new RetryableJobError(`planned transient failure ${context.attempt}`);
          }
          break;
        case 'permanent':
          recordEvent(dir, { ...event, kind: 'permanent' });
          throw new PermanentJobError('planned permanent failure', { code: CHAOS_PERMANENT_CODE });
        case 'slow':
          // Cooperative overrun: works until the signal says the margin is reached, then finishes.
          // The records after it in its batch are handed back unstarted.
          if (firstRun(dir, context.jobId, 'slow')) {
            recordEvent(dir, { ...event, kind: 'slow' });
            if (!context.signal.aborted) {
              await new Promise<void>((resolve) =>
                context.signal.addEventListener('abort', () => resolve(), { once: true }),
              );
            }
          }
          break;
        case 'stuck':
          // Ignores its signal, asynchronously: the worker stops waiting at its hard stop and keeps
          // the record; this attempt still finishes (and records) in the background.
          if (firstRun(dir, context.jobId, 'stuck')) {
            recordEvent(dir, { ...event, kind: 'stuck' });
            await sleep(CHAOS_STUCK_MS);
          }
          break;
        case 'blocking':
          // Ignores its signal and holds the CPU past the function timeout: the invocation is
          // terminated, nothing after this line happens, and the batch comes back after its
          // visibility timeout.
          if (firstRun(dir, context.jobId, 'blocking')) {
            recordEvent(dir, { ...event, kind: 'blocking' });
            const until = Date.now() + CHAOS_BLOCKING_MS;
            while (Date.now() < until) {
              // busy
            }
          }
          break;
        case 'none':
          break;
      }
      recordEvent(dir, { ...event, kind: 'effect' });
      return { n: payload.n };
    }),
  ],
  ledger,
});

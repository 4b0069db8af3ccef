/** The same no-op job recorded in the ledger, wired as the built-in workers are. */
import { ledgerFromEnv } from '../../../functions/shared/ledger-from-env.js';
import { createWorker, handle } from '../../../lib/worker/index.js';
import { ledgerRun } from '../../jobs.js';

const { ledger } = ledgerFromEnv();

export const handler = createWorker({ jobs: [handle(ledgerRun, async () => undefined)], ledger });

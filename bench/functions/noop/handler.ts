/** Hangar's worker with its production defaults (metrics on, logs at INFO) around a job that does nothing. */
import { createWorker, handle } from '../../../lib/worker/index.js';
import { noopRun } from '../../jobs.js';

export const handler = createWorker({ jobs: [handle(noopRun, async () => undefined)] });

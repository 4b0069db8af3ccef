/**
 * Entry point of the HTTP API function: the application's jobs (`jobs/index.ts`), wired from the
 * environment the stack (or the local runtime) sets, once per cold start.
 */
import { registry } from '../../jobs/index.js';
import { createApiFromEnv } from './api-from-env.js';

export const handler = createApiFromEnv(registry);

/**
 * Entry point of the HTTP API function: the API over the application's registry, wired from the
 * environment the stack (or the local runtime) sets, once per cold start.
 */
import { registry } from '../../lib/jobs/builtin/index.js';
import { createApiFromEnv } from './api-from-env.js';

export const handler = createApiFromEnv(registry);

import { createRegistry } from '../registry.js';
import { cleanupRun } from './cleanup-run.js';
import { emailSend } from './email-send.js';
import { syncRun } from './sync-run.js';

export { CLEANUP_DEFAULTS, type CleanupPayload, cleanupPayloadSchema, cleanupRun } from './cleanup-run.js';
export { EMAIL_MAX_RECIPIENTS, type EmailPayload, emailPayloadSchema, emailSend } from './email-send.js';
export {
  SOURCE_ID_PATTERN,
  SYNC_DEFAULTS,
  SYNC_ITEM_KIND,
  type SyncPayload,
  type SyncSourceConfig,
  syncPayloadSchema,
  syncRun,
  syncRuntimeConfig,
  syncSchedules,
  syncSourceSchema,
  syncSourcesSchema,
} from './sync-run.js';

/** The built-in jobs, in the order the stack and the CLI list them. */
export const builtinJobs = [emailSend, syncRun, cleanupRun] as const;

/** The built-in jobs alone. An application registers its jobs, built-in ones included, in its own registry (in this repository `jobs/index.ts`). */
export const registry = createRegistry(builtinJobs);

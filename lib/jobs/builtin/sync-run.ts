import { z } from 'zod/mini';
import { defineJob } from '../define-job.js';

/** Source ids become FIFO message groups and item key prefixes. */
export const SOURCE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const syncPayloadSchema = z.strictObject({
  sourceId: z.string().check(z.regex(SOURCE_ID_PATTERN, 'must be 1–64 letters, digits, "-" or "_"')),
  /** Where to resume; absent on the first invocation of a sync. */
  cursor: z.optional(z.string()),
});

export type SyncPayload = z.output<typeof syncPayloadSchema>;

export const syncRun = defineJob({
  name: 'sync.run',
  description: 'Pulls one external source page by page into the table, continuing across invocations.',
  schema: syncPayloadSchema,
  // Grouping by source keeps one source from syncing twice at once.
  fifo: { groupKey: (payload) => payload.sourceId },
  retry: { maxAttempts: 5, baseDelaySeconds: 10, maxDelaySeconds: 600 },
  timeoutSeconds: 120,
  resources: ['ledger', 'parameters'],
});

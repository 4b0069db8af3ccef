import { z } from 'zod/mini';
import { defineJob } from '../define-job.js';

export const cleanupPayloadSchema = z.strictObject({
  /** Records whose expiry is at or before this instant are deleted; fixed by the first invocation. */
  cutoff: z.optional(z.iso.datetime({ offset: true })),
  /** Where to resume paging; absent on the first invocation. */
  cursor: z.optional(z.string()),
});

export type CleanupPayload = z.output<typeof cleanupPayloadSchema>;

export const cleanupRun = defineJob({
  name: 'cleanup.run',
  description: 'Nightly: deletes expired job records and stale synced items, in pages, time-boxed.',
  schema: cleanupPayloadSchema,
  retry: { maxAttempts: 3, baseDelaySeconds: 30, maxDelaySeconds: 600 },
  timeoutSeconds: 300,
  batch: { size: 1 },
  schedule: { expression: 'cron(0 3 * * ? *)', timeZone: 'UTC', payload: {} },
  resources: ['ledger'],
});

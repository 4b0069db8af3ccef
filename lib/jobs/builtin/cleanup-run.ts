import * as z from 'zod/mini';
import { defineJob } from '../define-job.js';

const count = z.int().check(z.minimum(0));

export const cleanupPayloadSchema = z.strictObject({
  /** Records whose expiry is at or before this instant are deleted; fixed by the first invocation. */
  cutoff: z.optional(z.iso.datetime({ offset: true })),
  /** Where to resume paging; absent on the first invocation. */
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  /** Records deleted so far, carried across continuations. */
  deleted: z.optional(count),
});

export type CleanupPayload = z.output<typeof cleanupPayloadSchema>;

/** Defaults of the nightly cleanup. */
export const CLEANUP_DEFAULTS = {
  /** The nightly firing; stage configuration may move it and give it a time zone. */
  schedule: 'cron(0 3 * * ? *)',
  timeZone: 'UTC',
  /** Records read and deleted per page (DynamoDB deletes in batches of 25). */
  pageSize: 100,
} as const;

export const cleanupRun = defineJob({
  name: 'cleanup.run',
  description: 'Nightly: deletes expired job records and stale synced items, in pages, time-boxed.',
  schema: cleanupPayloadSchema,
  retry: { maxAttempts: 3, baseDelaySeconds: 30, maxDelaySeconds: 600 },
  timeoutSeconds: 300,
  batch: { size: 1 },
  schedule: { expression: CLEANUP_DEFAULTS.schedule, timeZone: CLEANUP_DEFAULTS.timeZone, payload: {} },
  resources: ['ledger'],
});

import * as z from 'zod/mini';
import { defineJob } from '../define-job.js';
import { scheduleExpressionSchema, timeZoneSchema } from '../schedule-rules.js';

/** Source ids become FIFO message groups and item key prefixes. */
export const SOURCE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const sourceId = z.string().check(z.regex(SOURCE_ID_PATTERN, 'must be 1–64 letters, digits, "-" or "_"'));
const count = z.int().check(z.minimum(0));

export const syncPayloadSchema = z.strictObject({
  sourceId,
  /** Where to resume; absent when a sync starts from the beginning. */
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  /** Totals so far, carried across continuations. */
  pages: z.optional(count),
  items: z.optional(count),
});

export type SyncPayload = z.output<typeof syncPayloadSchema>;

/** The `kind` of synced item records: their partition of the expiry index (`records-by-expiry`) the cleanup reads. */
export const SYNC_ITEM_KIND = 'item';

/** Defaults of a sync source; each `@default` below names one. */
export const SYNC_DEFAULTS = {
  pageSize: 100,
  maxPageSize: 1_000,
  /** Items not seen by a sync for this many days are deleted by the nightly cleanup. */
  staleAfterDays: 30,
  /** Header the auth secret is sent in. */
  authHeader: 'authorization',
  /** How long a fetched secret is cached in a warm function. */
  secretMaxAgeSeconds: 300,
  /** One page request may take at most this long. */
  pageTimeoutMs: 30_000,
} as const;

/**
 * One external source, as stage configuration gives it (CDK context `syncSources`) and as the
 * sync function reads it (`HANGAR_SYNC_SOURCES`). The paging contract it must follow is in the
 * README. The stack adds deploy-time rules on top (https only, secrets under the stage's prefix).
 */
export const syncSourceSchema = z.strictObject({
  id: sourceId,
  /** `GET <url>?limit=<pageSize>[&cursor=<cursor>]` must answer a page. */
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }),
  /** @default SYNC_DEFAULTS.pageSize */
  pageSize: z.optional(z.int().check(z.minimum(1), z.maximum(SYNC_DEFAULTS.maxPageSize))),
  /** Holds the auth header's value: an SSM parameter (`/hangar/<stage>/crm-token`) or a Secrets Manager secret (`hangar/<stage>/crm-token`). */
  authParameter: z.optional(z.string().check(z.minLength(1))),
  /** @default SYNC_DEFAULTS.authHeader */
  authHeader: z.optional(z.string().check(z.regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an HTTP header name'))),
  /** @default SYNC_DEFAULTS.staleAfterDays */
  staleAfterDays: z.optional(z.int().check(z.minimum(1), z.maximum(3650))),
  /** A recurring sync: `cron(…)` or `rate(…)`. Without one, the source syncs only when a job is sent. */
  schedule: z.optional(scheduleExpressionSchema),
  /** The schedule's time zone. @default the stage's time zone */
  timeZone: z.optional(timeZoneSchema),
});

export const syncSourcesSchema = z
  .array(syncSourceSchema)
  .check(
    z.refine(
      (sources) => new Set(sources.map((s) => s.id)).size === sources.length,
      'source ids must be unique',
    ),
  );

export type SyncSourceConfig = z.output<typeof syncSourceSchema>;

/** The configured schedules of `sync.run`: one per source that has one, firing `{ sourceId }`. */
export function syncSchedules(sources: readonly SyncSourceConfig[], defaultTimeZone: string) {
  return sources.flatMap((source) =>
    source.schedule === undefined
      ? []
      : [
          {
            id: source.id,
            expression: source.schedule,
            timeZone: source.timeZone ?? defaultTimeZone,
            payload: { sourceId: source.id },
          },
        ],
  );
}

/** What the sync function needs of a source at run time (the schedule is the stack's business). */
export function syncRuntimeConfig(sources: readonly SyncSourceConfig[]): SyncSourceConfig[] {
  return sources.map(({ schedule: _schedule, timeZone: _timeZone, ...runtime }) => runtime);
}

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

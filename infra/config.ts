/**
 * The stage configuration: what differs between deployments of the same registry (stage name,
 * sender, alarm address, time zone, sync sources). Read from CDK context and validated at synth,
 * so a typo fails `cdk synth` naming the key instead of a half-deployed stack.
 */
import * as z from 'zod/mini';
import {
  emailSendRateSchema,
  FINAL_LEDGER_INDEX_STEP,
  STAGE_DEFAULTS,
  STAGE_NAME_PATTERN,
  type StageConfig,
  scheduleExpressionSchema,
  stageConfigError,
  stageParameterPrefixes,
  timeZoneSchema,
} from '../lib/deploy/index.js';
import { SYNC_DEFAULTS, type SyncSourceConfig, syncSourceSchema } from '../lib/jobs/builtin/index.js';
import { check } from '../lib/validation.js';

/** The CDK context keys a stage is configured with (`cdk deploy -c stage=prod -c senderEmail=…`). */
export const STAGE_CONTEXT_KEYS = [
  'stage',
  'senderEmail',
  'alarmEmail',
  'timeZone',
  'cleanupSchedule',
  'syncSources',
  'createSesIdentity',
  'production',
  'pausedJobs',
  'pausedSchedules',
  'ledgerIndexStep',
  'emailSendRate',
] as const;
export type StageContextKey = (typeof STAGE_CONTEXT_KEYS)[number];

/** EventBridge Scheduler schedule ids (the suffix of a configured schedule's name) are shorter than source ids. */
const SCHEDULE_ID_MAX_LENGTH = 32;

const flag = z.union([z.boolean(), z.enum(['true', 'false'])], { error: 'must be true or false' });
const expression = scheduleExpressionSchema;
const timeZone = timeZoneSchema;

const stepMessage = `must be a whole number from 0 to ${FINAL_LEDGER_INDEX_STEP} (LEDGER_INDEX_STEPS)`;

const pageSizeMessage = `must be a whole number from 1 to ${SYNC_DEFAULTS.maxPageSize}`;

/** A sync source as a deployed stage takes it: lib's schema, reached over TLS only (plain http is for local runs). */
const deployedSyncSourceSchema = z.extend(syncSourceSchema, {
  url: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }),
  pageSize: z.optional(
    z
      .int(pageSizeMessage)
      .check(z.minimum(1, pageSizeMessage), z.maximum(SYNC_DEFAULTS.maxPageSize, pageSizeMessage)),
  ),
});

const required = (hint: string) => (issue: { readonly input?: unknown }) =>
  issue.input === undefined ? `is required: ${hint}` : undefined;

const contextSchema = z.strictObject({
  stage: z
    .string({ error: required('-c stage=<name>') })
    .check(
      z.regex(STAGE_NAME_PATTERN, 'must be 1–20 lower-case letters, digits or "-", starting with a letter'),
    ),
  // Required only by a registry with a job that sends e-mail (resource "ses"): the stack checks.
  senderEmail: z.optional(z.email('must be an e-mail address')),
  alarmEmail: z.optional(z.email('must be an e-mail address')),
  timeZone: z.optional(timeZone),
  cleanupSchedule: z.optional(expression),
  syncSources: z.optional(
    z.array(deployedSyncSourceSchema, {
      error:
        'must be a JSON array of { id, url, pageSize?, authParameter?, authHeader?, staleAfterDays?, schedule?, timeZone? }',
    }),
  ),
  createSesIdentity: z.optional(flag),
  production: z.optional(flag),
  pausedJobs: z.optional(z.array(z.string(), { error: 'must be a JSON array of job names' })),
  pausedSchedules: z.optional(z.array(z.string(), { error: 'must be a JSON array of schedule names' })),
  ledgerIndexStep: z.optional(
    z.coerce
      .number({ error: stepMessage })
      .check(z.int(stepMessage), z.minimum(0, stepMessage), z.maximum(FINAL_LEDGER_INDEX_STEP, stepMessage)),
  ),
  emailSendRate: z.optional(emailSendRateSchema),
});

/** Keys whose value is JSON (a list or an object), given as a string by `-c key=value`. */
const JSON_KEYS: ReadonlySet<StageContextKey> = new Set([
  'syncSources',
  'pausedJobs',
  'pausedSchedules',
  'emailSendRate',
]);

/** `-c key=value` arrives as a string; cdk.json values arrive as JSON. Lists may come either way. */
function fromJsonString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

const asFlag = (value: boolean | 'true' | 'false' | undefined, fallback: boolean): boolean =>
  value === undefined ? fallback : value === true || value === 'true';

/**
 * Validates the stage configuration read from CDK context.
 *
 * @param context the value of each key in `STAGE_CONTEXT_KEYS` (absent keys `undefined`).
 * @throws {ConfigError} listing every problem, one line each, named by its context key.
 * @example
 * const config = readStageConfig(Object.fromEntries(STAGE_CONTEXT_KEYS.map((k) => [k, app.node.tryGetContext(k)])));
 */
export function readStageConfig(context: Readonly<Partial<Record<StageContextKey, unknown>>>): StageConfig {
  const raw: Record<string, unknown> = {};
  for (const key of STAGE_CONTEXT_KEYS) {
    const value = JSON_KEYS.has(key) ? fromJsonString(context[key]) : context[key];
    // An empty `-c alarmEmail=` means "not set", as an absent key does.
    if (value !== undefined && value !== null && value !== '') raw[key] = value;
  }
  const parsed = check(contextSchema, raw);
  if (!parsed.ok) throw stageConfigError(parsed.issues.map((i) => `${i.path}: ${i.message}`));
  const value = parsed.value;

  const problems: string[] = [];
  const prefixes = stageParameterPrefixes(value.stage);
  const seen = new Set<string>();
  const syncSources = (value.syncSources ?? []).map((source, index): SyncSourceConfig => {
    const where = `syncSources.${index}`;
    if (seen.has(source.id)) problems.push(`${where}.id: "${source.id}" is used by another source`);
    seen.add(source.id);
    if (source.schedule !== undefined && source.id.length > SCHEDULE_ID_MAX_LENGTH) {
      problems.push(
        `${where}.id: a scheduled source's id names its schedule and may have at most ${SCHEDULE_ID_MAX_LENGTH} characters`,
      );
    }
    const auth = source.authParameter;
    if (auth !== undefined && !auth.startsWith(prefixes.ssm) && !auth.startsWith(prefixes.secret)) {
      problems.push(
        `${where}.authParameter: must be an SSM parameter under "${prefixes.ssm}" or a secret under "${prefixes.secret}" (the handler may read nothing else)`,
      );
    }
    return source;
  });
  if (problems.length > 0) throw stageConfigError(problems);

  return {
    stage: value.stage,
    senderEmail: value.senderEmail,
    alarmEmail: value.alarmEmail,
    timeZone: value.timeZone ?? STAGE_DEFAULTS.timeZone,
    cleanupSchedule: value.cleanupSchedule,
    syncSources,
    createSesIdentity: asFlag(value.createSesIdentity, STAGE_DEFAULTS.createSesIdentity),
    production: asFlag(value.production, STAGE_DEFAULTS.production),
    pausedJobs: value.pausedJobs ?? [],
    pausedSchedules: value.pausedSchedules ?? [],
    ...(value.ledgerIndexStep === undefined ? {} : { ledgerIndexStep: value.ledgerIndexStep }),
    emailSendRate: value.emailSendRate,
  };
}

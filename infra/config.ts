/**
 * The stage configuration: what differs between deployments of the same registry (stage name,
 * sender, alarm address, time zone, sync sources). Read from CDK context and validated at synth,
 * so a typo fails `cdk synth` naming the key instead of a half-deployed stack.
 */
import * as z from 'zod/mini';
import {
  ConfigError,
  type ConfiguredSchedule,
  check,
  cleanupRun,
  deriveSettings,
  ENV_VARS,
  JobDefinitionError,
  type JobRegistry,
  type Settings,
  SYNC_DEFAULTS,
  type SyncSourceConfig,
  scheduleExpressionSchema,
  syncRun,
  syncRuntimeConfig,
  syncSchedules,
  syncSourceSchema,
  timeZoneSchema,
  UnknownJobError,
} from '../lib/index.js';

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
] as const;
export type StageContextKey = (typeof STAGE_CONTEXT_KEYS)[number];

/** Defaults of the optional keys; each `@default` below names one of these. */
export const STAGE_DEFAULTS = {
  timeZone: 'UTC',
  createSesIdentity: false,
  production: false,
} as const;

/** Root of the SSM parameter paths and Secrets Manager names a stage's handlers may read. */
export const PARAMETER_ROOT = 'hangar';

/** Stage names become part of the stack name, service names and parameter paths. */
export const STAGE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

/** EventBridge Scheduler schedule ids (the suffix of a configured schedule's name) are shorter than source ids. */
const SCHEDULE_ID_MAX_LENGTH = 32;

export interface StageConfig {
  /** `dev`, `prod`…; the stack is `Hangar-<stage>`. */
  readonly stage: string;
  /** The SES identity e-mail is sent as. */
  readonly senderEmail: string;
  /** Subscribed to the alarm topic when given. */
  readonly alarmEmail: string | undefined;
  /** The nightly cleanup's time zone, and the default of scheduled sync sources. @default STAGE_DEFAULTS.timeZone */
  readonly timeZone: string;
  /** Overrides the cleanup's declared cron expression. @default the declaration's */
  readonly cleanupSchedule: string | undefined;
  readonly syncSources: readonly SyncSourceConfig[];
  /** Creates the SES e-mail identity instead of referencing one verified outside the stack. @default STAGE_DEFAULTS.createSesIdentity */
  readonly createSesIdentity: boolean;
  /** Deletion protection and `RETAIN` on stateful resources. @default STAGE_DEFAULTS.production */
  readonly production: boolean;
}

const flag = z.union([z.boolean(), z.enum(['true', 'false'])], { error: 'must be true or false' });
const expression = scheduleExpressionSchema;
const timeZone = timeZoneSchema;

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
  senderEmail: z.email({
    error: (issue) =>
      issue.input === undefined
        ? 'is required: -c senderEmail=<verified address>'
        : 'must be an e-mail address',
  }),
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
});

/** The SSM path and the Secrets Manager name prefix a stage's handlers may read. */
export function stageParameterPrefixes(stage: string): { readonly ssm: string; readonly secret: string } {
  return { ssm: `/${PARAMETER_ROOT}/${stage}/`, secret: `${PARAMETER_ROOT}/${stage}/` };
}

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
    const value = key === 'syncSources' ? fromJsonString(context[key]) : context[key];
    // An empty `-c alarmEmail=` means "not set", as an absent key does.
    if (value !== undefined && value !== null && value !== '') raw[key] = value;
  }
  const parsed = check(contextSchema, raw);
  if (!parsed.ok) throw configError(parsed.issues.map((i) => `${i.path}: ${i.message}`));
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
  if (problems.length > 0) throw configError(problems);

  return {
    stage: value.stage,
    senderEmail: value.senderEmail,
    alarmEmail: value.alarmEmail,
    timeZone: value.timeZone ?? STAGE_DEFAULTS.timeZone,
    cleanupSchedule: value.cleanupSchedule,
    syncSources,
    createSesIdentity: asFlag(value.createSesIdentity, STAGE_DEFAULTS.createSesIdentity),
    production: asFlag(value.production, STAGE_DEFAULTS.production),
  };
}

function configError(problems: readonly string[]): ConfigError {
  return new ConfigError(
    `Invalid stage configuration (CDK context):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
}

/** What the stack deploys for a stage: the derived settings, plus environment some jobs' functions need. */
export interface StageSettings {
  readonly settings: Settings;
  /** Per job name, variables its worker gets besides the standard ones. */
  readonly environment: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * Derives the settings of a registry for one stage: the nightly cleanup in the stage's time zone
 * and one recurring sync per scheduled source. A job the registry does not hold is left alone,
 * except that sync sources without a `sync.run` job are an error.
 *
 * @throws {ConfigError} when the configuration cannot be deployed with this registry.
 */
export function deriveStageSettings(config: StageConfig, registry: JobRegistry): StageSettings {
  const schedules: Record<string, readonly ConfiguredSchedule[]> = {};
  const environment: Record<string, Record<string, string>> = {};

  const cleanup = registry.find(cleanupRun.name);
  const declared = cleanup?.schedule;
  const expression = config.cleanupSchedule ?? declared?.expression;
  // Configured only when the stage changes it, so a stage on the declared time keeps the declared
  // schedule's name (`cleanup-run`), the one the local runtime and the CLI use.
  if (
    cleanup &&
    expression !== undefined &&
    (expression !== declared?.expression || config.timeZone !== declared.timeZone)
  ) {
    schedules[cleanup.name] = [
      { id: 'nightly', expression, timeZone: config.timeZone, payload: declared?.payload ?? {} },
    ];
  }

  const sync = registry.find(syncRun.name);
  if (sync) {
    // Configured sources replace any declared sync schedule: a firing must name its source.
    schedules[sync.name] = syncSchedules(config.syncSources, config.timeZone);
    environment[sync.name] = {
      [ENV_VARS.syncSources]: JSON.stringify(syncRuntimeConfig(config.syncSources)),
    };
  } else if (config.syncSources.length > 0) {
    throw configError([`syncSources: the registry has no "${syncRun.name}" job to run them`]);
  }

  try {
    return { settings: deriveSettings(registry, { schedules }), environment };
  } catch (error) {
    if (error instanceof JobDefinitionError || error instanceof UnknownJobError) {
      throw configError([error.message]);
    }
    throw error;
  }
}

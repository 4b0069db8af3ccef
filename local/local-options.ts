/**
 * What `startLocal` accepts: its options (checked by one strict schema), their defaults, the
 * ports, and the part of a stage's configuration that applies locally — turned into the
 * `StageConfig` the stack would get, so both derive settings the same way.
 */
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import {
  API_FUNCTION,
  emailSendRateSchema,
  STAGE_DEFAULTS,
  type StageConfig,
  scheduleExpressionSchema,
  timeZoneSchema,
} from '../lib/deploy/index.js';
import { ConfigError, type JobRegistry } from '../lib/index.js';
import { type SyncSourceConfig, syncRun, syncSourcesSchema } from '../lib/jobs/builtin/index.js';
import { anyOption, checkOptions, type OptionsShape } from '../lib/options.js';
import { check, describeIssues } from '../lib/validation.js';
import { LOCAL_IDENTITY, LOCAL_PORTS, type LocalPorts } from './endpoints.js';
import type { FaultOptions } from './faults/fault-plan.js';
import type { LocalLog } from './log.js';

/** Defaults of `startLocal`; each `@default` below names one of these. */
export const LOCAL_DEFAULTS = {
  region: LOCAL_IDENTITY.region,
  stage: 'local',
  tableName: LOCAL_IDENTITY.tableName,
  scheduleGroupName: LOCAL_IDENTITY.scheduleGroupName,
  senderEmail: 'hangar@example.com',
  /** Lambda's long-poll wait. */
  pollWaitSeconds: 20,
  /** How long in-flight invocations may run on at `stop()` before their threads are terminated. */
  shutdownGraceMs: 10_000,
  /** The sync source a fresh runtime configures: the sample source, paged small enough to show continuations. */
  sampleSource: { id: 'sample', pageSize: 50 },
  /** The function folder each job's `handler.ts` lives in: `functions/<functionDir(job)>/`. */
  functionsDir: fileURLToPath(new URL('../functions/', import.meta.url)),
} as const;

/**
 * The API function, as the stack configures it (`API_FUNCTION_DIR` and `API_DEFAULTS` in `infra/`,
 * which load aws-cdk-lib and would cost `npm run dev` a second). The parity test holds these to
 * the synthesized template.
 */
export const LOCAL_API = {
  ...API_FUNCTION,
  functionName: API_FUNCTION.dir,
  /** API Gateway invokes as many instances as requests need; locally, up to this many at once. */
  maxInstances: 10,
} as const;

/** The part of a stage's configuration (`infra/config.ts`, `StageConfig`) that applies locally. */
export interface LocalStageOptions {
  readonly timeZone?: string;
  readonly cleanupSchedule?: string;
  /** Sources `sync.run` pulls from; `url` may be `http://` locally. */
  readonly syncSources?: readonly SyncSourceConfig[];
  /** E-mails per second `email.send` may start. @default undefined (no limit) */
  readonly emailSendRate?: number;
}

export interface StartLocalOptions {
  /** Ports on 127.0.0.1, each overridable; `'free'` takes a free port for each. @default LOCAL_PORTS */
  readonly ports?: Partial<LocalPorts> | 'free';
  /** Keeps queues, messages, the table, one-time schedules and pauses here across restarts. @default in memory */
  readonly persistDir?: string;
  /** @default the application's registry (`jobs/index.ts`) */
  readonly registry?: JobRegistry;
  /**
   * The stage configuration keys that shape settings (`timeZone`, `cleanupSchedule`,
   * `syncSources`), derived exactly as the stack derives them (`deriveStageSettings`).
   * @default LOCAL_DEFAULTS.timeZone, the declared cleanup schedule, and one source: the sample source
   */
  readonly stage?: LocalStageOptions;
  /** Where `<functionDir>/handler.ts` is looked up. @default LOCAL_DEFAULTS.functionsDir */
  readonly functionsDir?: string;
  /** Which jobs get a worker: all whose handler exists, none, or the named ones. @default true */
  readonly workers?: boolean | readonly string[];
  /** `{ start }`: a manual clock for the scheduler, moved by `scheduler.advanceTo`. @default the system clock */
  readonly clock?: { readonly start: Date };
  /** @default LOCAL_DEFAULTS.senderEmail */
  readonly senderEmail?: string;
  /** Extra variables for every function; they may not replace derived ones. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default LOCAL_DEFAULTS.pollWaitSeconds */
  readonly pollWaitSeconds?: number;
  /** @default LOCAL_DEFAULTS.shutdownGraceMs */
  readonly shutdownGraceMs?: number;
  /** @default silentLog */
  readonly log?: LocalLog;
  /**
   * Fails a seeded share of the workers' and event sources' SQS, DynamoDB and SES calls
   * (`local/faults/`); the runtime's own client and the emulators' URLs stay direct. @default none
   */
  readonly faults?: FaultOptions;
}

const STAGE_OPTIONS_SCHEMA = z.strictObject({
  timeZone: z.optional(timeZoneSchema),
  cleanupSchedule: z.optional(scheduleExpressionSchema),
  syncSources: anyOption,
  emailSendRate: z.optional(emailSendRateSchema),
} satisfies OptionsShape<LocalStageOptions>);

const OPTIONS_SCHEMA = z.strictObject({
  ports: anyOption,
  persistDir: z.optional(z.string().check(z.minLength(1))),
  registry: anyOption,
  stage: z.optional(STAGE_OPTIONS_SCHEMA),
  functionsDir: z.optional(z.string().check(z.minLength(1))),
  workers: z.optional(z.union([z.boolean(), z.array(z.string())])),
  clock: z.optional(z.strictObject({ start: z.date() })),
  senderEmail: z.optional(z.string()),
  environment: z.optional(z.record(z.string(), z.string())),
  pollWaitSeconds: z.optional(z.int().check(z.minimum(0), z.maximum(20))),
  shutdownGraceMs: z.optional(z.int().check(z.minimum(0))),
  log: anyOption,
  // Checked by the fault layer itself, with its own schema.
  faults: anyOption,
} satisfies OptionsShape<StartLocalOptions>);

/**
 * Checks `startLocal`'s options: an unknown key names the closest known one.
 * @throws {ConfigError}
 */
export function checkStartLocalOptions(options: StartLocalOptions): void {
  checkOptions('startLocal', OPTIONS_SCHEMA, options);
}

/** The port of each local endpoint: given, defaulted, or 0 (a free one) for `'free'`. */
export function resolvePorts(ports: StartLocalOptions['ports']): LocalPorts {
  if (ports === 'free') {
    return Object.fromEntries(Object.keys(LOCAL_PORTS).map((key) => [key, 0])) as unknown as LocalPorts;
  }
  const resolved = { ...LOCAL_PORTS, ...(ports ?? {}) };
  for (const [name, port] of Object.entries(resolved)) {
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new ConfigError(`Port of ${name} must be 0–65535, got ${String(port)}`);
    }
  }
  return resolved;
}

/** The stage configuration the stack would get, with local defaults; validated as the stack validates sources. */
export function localStageConfig(
  stage: LocalStageOptions | undefined,
  registry: JobRegistry,
  senderEmail: string,
  sampleSourceUrl: string,
): StageConfig {
  const timeZone = stage?.timeZone ?? STAGE_DEFAULTS.timeZone;
  const defaultSources = registry.find(syncRun.name)
    ? [{ ...LOCAL_DEFAULTS.sampleSource, url: `${sampleSourceUrl}/items` }]
    : [];
  const sources = check(syncSourcesSchema, stage?.syncSources ?? defaultSources, 'stage.syncSources');
  if (!sources.ok) throw new ConfigError(`Invalid local stage: ${describeIssues(sources.issues)}`);
  return {
    stage: LOCAL_DEFAULTS.stage,
    senderEmail,
    alarmEmail: undefined,
    timeZone,
    cleanupSchedule: stage?.cleanupSchedule,
    syncSources: sources.value,
    createSesIdentity: false,
    production: false,
    emailSendRate: stage?.emailSendRate,
  };
}

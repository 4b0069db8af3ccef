/**
 * A stage's configuration — what differs between deployments of one registry (stage name, sender,
 * alarm address, time zone, sync sources) — and what it derives: the settings the stack deploys
 * and the local runtime runs. Infra reads it from CDK context (`infra/config.ts`), the local
 * runtime from its options; both derive through `deriveStageSettings`.
 */
import * as z from 'zod/mini';
import { ENV_VARS } from '../constants.js';
import { ConfigError, JobDefinitionError, UnknownJobError } from '../errors.js';
import { cleanupRun } from '../jobs/builtin/cleanup-run.js';
import {
  type SyncSourceConfig,
  syncRun,
  syncRuntimeConfig,
  syncSchedules,
} from '../jobs/builtin/sync-run.js';
import type { JobRegistry } from '../jobs/registry.js';
import { DEFAULT_TIME_ZONE } from '../jobs/schedule-rules.js';
import { LIMIT_RULES } from '../limits/options.js';
import { usesLedger } from './function-environment.js';
import { FINAL_LEDGER_INDEX_STEP, LEDGER_INDEX_STEPS, type LedgerIndexStep } from './ledger-index-steps.js';
import { type ConfiguredSchedule, deriveSettings, type Settings } from './settings.js';

/** Defaults of the optional keys; each `@default` below names one of these. */
export const STAGE_DEFAULTS = {
  timeZone: DEFAULT_TIME_ZONE,
  createSesIdentity: false,
  production: false,
} as const;

/** Root of the SSM parameter paths and Secrets Manager names a stage's handlers may read. */
export const PARAMETER_ROOT = 'hangar';

/** `emailSendRate`: whole e-mails per second, within what a rate limit takes. */
export const emailSendRateSchema = z
  .int('must be a whole number of e-mails per second')
  .check(
    z.minimum(1, 'must be at least 1 e-mail per second'),
    z.maximum(LIMIT_RULES.maxLimit, `must be at most ${LIMIT_RULES.maxLimit} e-mails per second`),
  );

/** Stage names become part of the stack name, service names and parameter paths. */
export const STAGE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

export interface StageConfig {
  /** `dev`, `prod`…; the stack is `Hangar-<stage>`. */
  readonly stage: string;
  /** The SES identity e-mail is sent as; required when a registered job sends e-mail (resource `ses`). */
  readonly senderEmail: string | undefined;
  /** Subscribed to the alarm topic when given. */
  readonly alarmEmail: string | undefined;
  /** The nightly cleanup's time zone, and the default of scheduled sync sources. @default STAGE_DEFAULTS.timeZone */
  readonly timeZone: string;
  /** Overrides the cleanup's declared cron expression. @default the declaration's */
  readonly cleanupSchedule: string | undefined;
  readonly syncSources: readonly SyncSourceConfig[];
  /** Creates the SES e-mail identity instead of referencing one verified outside the stack. @default STAGE_DEFAULTS.createSesIdentity */
  readonly createSesIdentity: boolean;
  /**
   * E-mails per second `email.send` may start (its rate limit), at most the SES account's sending
   * quota. @default undefined (no limit)
   */
  readonly emailSendRate: number | undefined;
  /** Deletion protection and `RETAIN` on stateful resources. @default STAGE_DEFAULTS.production */
  readonly production: boolean;
  /**
   * Jobs whose event source mapping is deployed disabled (`Enabled: false`), so a deploy keeps
   * their queues paused. Other mappings carry no `Enabled` at all: a pause made with
   * `hangar pause` is not the template's to undo. @default []
   */
  readonly pausedJobs?: readonly string[];
  /** Recurring schedules deployed disabled (`State: DISABLED`); the others deploy `ENABLED`. @default [] */
  readonly pausedSchedules?: readonly string[];
  /**
   * Where a stage deployed before the ledger's index redesign is on its way (`LEDGER_INDEX_STEPS`).
   * @default FINAL_LEDGER_INDEX_STEP
   */
  readonly ledgerIndexStep?: number;
}

/** The SSM path and the Secrets Manager name prefix a stage's handlers may read. */
export function stageParameterPrefixes(stage: string): { readonly ssm: string; readonly secret: string } {
  return { ssm: `/${PARAMETER_ROOT}/${stage}/`, secret: `${PARAMETER_ROOT}/${stage}/` };
}

/**
 * The error every invalid stage configuration raises, one line per problem.
 * @param source where the configuration came from, as its reader should look for it (`CDK context`).
 */
export function stageConfigError(problems: readonly string[], source = 'CDK context'): ConfigError {
  return new ConfigError(
    `Invalid stage configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
}

/** What the stack deploys for a stage: the derived settings, plus environment some jobs' functions need. */
export interface StageSettings {
  readonly settings: Settings;
  /** Per job name, variables its worker gets besides the standard ones. */
  readonly environment: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The ledger table's indexes for this update, and which set the functions read. */
  readonly ledgerIndexStep: LedgerIndexStep;
  /** Variables the API function gets besides the standard ones. */
  readonly apiEnvironment: Readonly<Record<string, string>>;
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
    throw stageConfigError([`syncSources: the registry has no "${syncRun.name}" job to run them`]);
  }

  const ledgerIndexStep = LEDGER_INDEX_STEPS[config.ledgerIndexStep ?? FINAL_LEDGER_INDEX_STEP];
  if (!ledgerIndexStep) {
    throw stageConfigError([`ledgerIndexStep: must be a whole number from 0 to ${FINAL_LEDGER_INDEX_STEP}`]);
  }
  // Only while a stage migrates: a stage on the current indexes gets no extra variable.
  const legacyReads: Record<string, string> =
    ledgerIndexStep.reads === 'legacy' ? { [ENV_VARS.ledgerIndexes]: ledgerIndexStep.reads } : {};

  try {
    const settings = deriveSettings(registry, { schedules });
    if (ledgerIndexStep.reads === 'legacy') {
      for (const job of settings.jobs.filter(usesLedger)) {
        environment[job.jobName] = { ...environment[job.jobName], ...legacyReads };
      }
    }
    return { settings, environment, ledgerIndexStep, apiEnvironment: legacyReads };
  } catch (error) {
    if (error instanceof JobDefinitionError || error instanceof UnknownJobError) {
      throw stageConfigError([error.message]);
    }
    throw error;
  }
}

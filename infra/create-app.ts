import { isAbsolute, join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { JobRegistry } from '../lib/index.js';
import { readStageConfig, STAGE_CONTEXT_KEYS } from './config.js';
import { PROJECT_ROOT } from './constructs/hangar-function.js';
import { applyNagSuppressions } from './nag-suppressions.js';
import { FUNCTIONS_DIR, hangarStackName, JobsStack } from './stacks/jobs-stack.js';

/**
 * Context key naming the functions folder, relative to the project (`-c functionsDir=…`).
 * Tests point it at fixture handlers; a deployment leaves it at `functions/`.
 */
export const FUNCTIONS_DIR_CONTEXT_KEY = 'functionsDir';

export interface CreateAppOptions {
  /** Context as `-c key=value` would give it; the CLI's context (cdk.json) is read as well. */
  readonly context?: Readonly<Record<string, unknown>>;
  /** @default the application's registry (`jobs/index.ts`) */
  readonly registry?: JobRegistry;
  /** @default the CDK default (`cdk.out`, or the CLI's `--output`) */
  readonly outdir?: string;
}

/**
 * The Hangar CDK app: the stage configuration from context, one stack `Hangar-<stage>` directly
 * under the App, and cdk-nag's AWS Solutions checks as a validation plugin, so an unacknowledged
 * finding fails synthesis.
 *
 * @throws {ConfigError} for an invalid stage configuration or a missing function entry.
 * @example
 * const { app } = createApp({ context: { stage: 'prod', senderEmail: 'jobs@example.com' } });
 * app.synth();
 */
export function createApp(options: CreateAppOptions = {}): { app: App; stack: JobsStack } {
  const app = new App({
    // infra/app.ts synthesizes explicitly: a stack whose constructor threw must never be written
    // out by the exit-time synthesis the CLI would otherwise trigger.
    autoSynth: false,
    ...(options.context ? { context: { ...options.context } } : {}),
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const config = readStageConfig(
    Object.fromEntries(STAGE_CONTEXT_KEYS.map((key) => [key, app.node.tryGetContext(key)])),
  );
  const functionsDir: unknown = app.node.tryGetContext(FUNCTIONS_DIR_CONTEXT_KEY);
  const stack = new JobsStack(app, hangarStackName(config.stage), {
    config,
    ...(options.registry ? { registry: options.registry } : {}),
    functionsDir:
      typeof functionsDir === 'string' && functionsDir !== ''
        ? isAbsolute(functionsDir)
          ? functionsDir
          : join(PROJECT_ROOT, functionsDir)
        : FUNCTIONS_DIR,
  });
  applyNagSuppressions(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

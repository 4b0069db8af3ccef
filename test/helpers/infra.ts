import { join } from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { readStageConfig } from '../../infra/config.js';
import { PROJECT_ROOT } from '../../infra/constructs/hangar-function.js';
import { createApp } from '../../infra/create-app.js';
import { JobsStack } from '../../infra/stacks/jobs-stack.js';
import type { StageConfig } from '../../lib/deploy/index.js';
import type { JobRegistry } from '../../lib/index.js';
import { registry as builtinRegistry } from '../../lib/jobs/builtin/index.js';

/** Stand-in handlers (`<dir>/handler.ts` exporting `handler`): the real ones land with other issues. */
export const FIXTURE_FUNCTIONS = join(PROJECT_ROOT, 'test/fixtures/functions');

/** The smallest valid stage configuration, as `-c` flags would give it. */
export const DEV_CONTEXT = { stage: 'dev', senderEmail: 'jobs@example.com' } as const;

/**
 * Skips esbuild: template assertions need the asset's place, not its content. The CLI synth test
 * bundles for real.
 */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

export interface SynthOptions {
  readonly context?: Readonly<Record<string, unknown>>;
  /**
   * The jobs to deploy: the built-in jobs unless a test brings its own — never the application's
   * registry (`jobs/index.ts`), which a team changes. @default the built-in jobs' registry
   */
  readonly registry?: JobRegistry;
}

/** The app as `cdk synth` builds it (stage config, cdk-nag plugin, suppressions), on fixture handlers. */
export function synthApp(options: SynthOptions = {}) {
  const { app, stack } = createApp({
    context: { ...DEV_CONTEXT, functionsDir: FIXTURE_FUNCTIONS, ...NO_BUNDLING, ...options.context },
    registry: options.registry ?? builtinRegistry,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The stack alone on a bare App: no cdk-nag plugin, no acknowledgements. */
export function bareStack(options: SynthOptions = {}): JobsStack {
  const context = { ...DEV_CONTEXT, ...options.context };
  const config: StageConfig = readStageConfig(context);
  return new JobsStack(new App({ context: NO_BUNDLING }), `Hangar-${config.stage}`, {
    config,
    functionsDir: FIXTURE_FUNCTIONS,
    registry: options.registry ?? builtinRegistry,
  });
}

/** The logical id CloudFormation knows a construct's main resource by. */
export function logicalId(construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!resource || !CfnElement.isCfnElement(resource)) {
    throw new Error(`${construct.node.path} has no CloudFormation resource of its own`);
  }
  return Stack.of(construct).getLogicalId(resource);
}

export const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
export const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

/** One IAM statement with its lists normalized. */
export interface Statement {
  readonly Effect: string;
  readonly actions: readonly string[];
  readonly resources: readonly unknown[];
  readonly Condition?: unknown;
}

interface RawStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function normalize(statements: readonly RawStatement[]): Statement[] {
  return statements.map((s) => ({
    Effect: s.Effect,
    actions: asList(s.Action),
    resources: asList(s.Resource),
    ...(s.Condition === undefined ? {} : { Condition: s.Condition }),
  }));
}

/** Every statement of the policies attached to a role (its inline `DefaultPolicy` in our stacks). */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleLogicalId }] },
  });
  return Object.values(policies).flatMap((policy) =>
    normalize(
      (policy as { Properties: { PolicyDocument: { Statement: RawStatement[] } } }).Properties.PolicyDocument
        .Statement,
    ),
  );
}

/** The statements of a managed policy. */
export function managedPolicyStatements(template: Template, policyLogicalId: string): Statement[] {
  const resource = template.toJSON().Resources[policyLogicalId] as {
    Properties: { PolicyDocument: { Statement: RawStatement[] } };
  };
  return normalize(resource.Properties.PolicyDocument.Statement);
}

/** The actions granted on a resource (an ARN token or string), across statements. */
export function actionsOn(statements: readonly Statement[], resource: unknown): string[] {
  const key = JSON.stringify(resource);
  return [
    ...new Set(
      statements
        .filter((s) => s.Effect === 'Allow' && s.resources.some((r) => JSON.stringify(r) === key))
        .flatMap((s) => s.actions),
    ),
  ].sort();
}

/** Every action granted, whatever the resource. */
export function allActions(statements: readonly Statement[]): string[] {
  return [...new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => s.actions))].sort();
}

/** `{ "Fn::GetAtt": [id, "Arn"] }` followed by a suffix, as CDK renders `${arn}/index/*`. */
export const arnWithSuffix = (construct: IConstruct, suffix: string) => ({
  'Fn::Join': ['', [arnOf(construct), suffix]],
});

import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { type IGrantable, type IPrincipal, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_BUNDLE } from '../../lib/deploy/function-bundle.js';
import { METRICS_NAMESPACE } from '../../lib/deploy/index.js';
import { ConfigError } from '../../lib/index.js';

/** The repository root: esbuild resolves dependencies from its lock file and `node_modules`. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Defaults shared by every Hangar function; each `@default` below names one of these. */
export const FUNCTION_DEFAULTS = {
  logRetention: RetentionDays.ONE_MONTH,
  removalPolicy: RemovalPolicy.DESTROY,
} as const;

/** Names an entry file relative to the project, as a reader of the error would look for it. */
export function displayPath(path: string): string {
  return relative(PROJECT_ROOT, path) || path;
}

export interface HangarFunctionProps {
  /** A TypeScript file exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
  /** Powertools' `service`: the default dimension of every metric and a field of every log line. */
  readonly serviceName: string;
  readonly environment: Readonly<Record<string, string>>;
  /** @default FUNCTION_DEFAULTS.logRetention */
  readonly logRetention?: RetentionDays;
  /** Of the log group. @default FUNCTION_DEFAULTS.removalPolicy */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * `NodejsFunction`'s bundling options for `FUNCTION_BUNDLE` (lib/deploy/function-bundle.ts), by the
 * local esbuild (no Docker), with the pinned AWS SDK bundled rather than taken from the runtime, so
 * what the tests ran is what ships.
 */
function functionBundling(): BundlingOptions {
  const bundle = FUNCTION_BUNDLE;
  return {
    format: OutputFormat.CJS,
    target: bundle.target,
    mainFields: [...bundle.mainFields],
    minify: bundle.minify,
    sourceMap: true,
    sourcesContent: bundle.sourceMap.sourcesContent,
    inject: [...bundle.inject],
    define: { ...bundle.define },
    esbuildArgs: Object.fromEntries([
      ...Object.entries(bundle.supported).map(([feature, on]) => [`--supported:${feature}`, String(on)]),
      ...Object.entries(bundle.alias).map(([pkg, module]) => [`--alias:${pkg}`, module]),
    ]),
    externalModules: [],
    forceDockerBundling: false,
  };
}

/**
 * A `NodejsFunction` with Hangar's defaults: Node 24 on arm64, bundled as `functionBundling()`
 * says, its own log group with retention, JSON logs, active tracing, and a role that may write to
 * that log group and nothing else until granted more.
 */
export class HangarFunction extends Construct implements IGrantable {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly grantPrincipal: IPrincipal;

  constructor(scope: Construct, id: string, props: HangarFunctionProps) {
    super(scope, id);
    if (!existsSync(props.entry)) {
      throw new ConfigError(
        `Function entry ${displayPath(props.entry)} does not exist; it must export "handler" (${props.description})`,
      );
    }
    // NODE_OPTIONS stays unset: Node flags change how the bundle loads (`--enable-source-maps`
    // alone costs 10–20 ms of every cold start; lib/deploy/function-bundle.ts).
    const reserved = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'NODE_OPTIONS'].filter(
      (name) => name in props.environment,
    );
    if (reserved.length > 0) {
      throw new ConfigError(
        `${id}: environment may not set ${reserved.join(', ')}; they are Hangar's to set`,
      );
    }

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? FUNCTION_DEFAULTS.logRetention,
      removalPolicy: props.removalPolicy ?? FUNCTION_DEFAULTS.removalPolicy,
    });
    // An own role instead of the AWSLambdaBasicExecutionRole managed policy, whose log rights span
    // every log group of the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      timeout: Duration.seconds(props.timeoutSeconds),
      memorySize: props.memoryMiB,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      bundling: functionBundling(),
    });
    this.grantPrincipal = this.function.grantPrincipal;
  }
}

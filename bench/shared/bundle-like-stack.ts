/**
 * Bundles entry files exactly as the stack bundles its functions. Each entry becomes a
 * `HangarFunction` (infra/constructs/hangar-function.ts) in a throwaway CDK app; synthesizing it
 * runs NodejsFunction's local esbuild with the stack's own options (`FUNCTION_BUNDLE`). Nothing
 * about the bundling is restated here: a change to the stack's bundling changes what the
 * benchmarks measure.
 *
 * The `usual` entries are bundled the way a team deploys a function with CDK: a plain
 * `NodejsFunction` with its defaults (CommonJS, esbuild's default module resolution, no source
 * maps) plus `minify: true` and `bundleAwsSDK: true`, on the same runtime.
 *
 * CDK's bundler prints to the terminal, so `bundleLikeTheStack` runs it in a child process
 * (./bundle-cli.ts) and shows that output only when bundling fails.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { type CfnFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { HangarFunction, PROJECT_ROOT } from '../../infra/constructs/hangar-function.js';

/** Entry files by name, each bundled one of two ways. */
export interface BundleRequest {
  /** As the stack bundles its functions. */
  readonly stack: Readonly<Record<string, string>>;
  /** As `NodejsFunction` bundles with its defaults plus `minify` and `bundleAwsSDK`. */
  readonly usual?: Readonly<Record<string, string>>;
}

export interface StackBundle {
  /** The bundled entry, as it would be uploaded. */
  readonly file: string;
  readonly bytes: number;
  /** `NODE_OPTIONS` as the synthesized function sets it, if it does. */
  readonly nodeOptions: string | undefined;
}

/** Synthesizes the throwaway app in this process (the child's side). */
export function synthBundles(request: BundleRequest, outdir: string): Record<string, StackBundle> {
  const app = new App({ outdir });
  const stack = new Stack(app, 'HangarBench');
  const functions: (readonly [string, NodejsFunction])[] = [
    ...Object.entries(request.stack).map(
      ([name, entry]) =>
        [
          name,
          // Only the bundling matters here; the other props are what any function needs to exist.
          new HangarFunction(stack, name, {
            entry,
            description: `bench bundle ${name}`,
            timeoutSeconds: 30,
            memoryMiB: 512,
            serviceName: name,
            environment: {},
          }).function,
        ] as const,
    ),
    ...Object.entries(request.usual ?? {}).map(
      ([name, entry]) =>
        [
          name,
          new NodejsFunction(stack, name, {
            entry,
            runtime: Runtime.NODEJS_24_X,
            projectRoot: PROJECT_ROOT,
            depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
            bundling: { minify: true, bundleAwsSDK: true, forceDockerBundling: false },
          }),
        ] as const,
    ),
  ];
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Properties?: { Environment?: { Variables?: Record<string, unknown> } } }>;
  };
  const bundles: Record<string, StackBundle> = {};
  for (const [name, fn] of functions) {
    const asset = join(outdir, (fn.node.findChild('Code') as Asset).assetPath);
    // The one script in the asset (`index.js` or `index.mjs`, by format), beside its map if any.
    const script = readdirSync(asset).find((f) => /\.m?js$/.test(f));
    if (script === undefined) throw new Error(`No bundle in the asset of ${name}: ${asset}`);
    const file = join(asset, script);
    const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
    const nodeOptions = template.Resources[logicalId]?.Properties?.Environment?.Variables?.NODE_OPTIONS;
    bundles[name] = {
      file,
      bytes: statSync(file).size,
      nodeOptions: typeof nodeOptions === 'string' ? nodeOptions : undefined,
    };
  }
  return bundles;
}

/**
 * Bundles each named entry into `outdir` as the stack would (or, for `usual`, as a team would).
 * @example
 * const { email } = await bundleLikeTheStack({ stack: { email: 'functions/email/handler.ts' } }, dir);
 */
export function bundleLikeTheStack(
  request: BundleRequest,
  outdir: string,
): Promise<Record<string, StackBundle>> {
  const cli = fileURLToPath(new URL('./bundle-cli.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, outdir, JSON.stringify(request)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString('utf8');
      const marker = text.lastIndexOf('\n{');
      if (code === 0 && marker >= 0) {
        resolve(JSON.parse(text.slice(marker + 1)) as Record<string, StackBundle>);
        return;
      }
      reject(new Error(`Bundling failed (exit ${code}):\n${Buffer.concat(err).toString('utf8')}${text}`));
    });
  });
}

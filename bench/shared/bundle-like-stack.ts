/**
 * Bundles entry files exactly as the stack bundles its functions. Each entry becomes a
 * `HangarFunction` (infra/constructs/hangar-function.ts) in a throwaway CDK app; synthesizing it
 * runs NodejsFunction's local esbuild with the stack's own options — format, minification, source
 * maps, banner, target from the runtime, and the AWS SDK bundled in. Nothing about the bundling is
 * restated here: a change to the stack's bundling changes what the benchmarks measure.
 *
 * CDK's bundler prints to the terminal, so `bundleLikeTheStack` runs it in a child process
 * (./bundle-cli.ts) and shows that output only when bundling fails.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { HangarFunction } from '../../infra/constructs/hangar-function.js';

/** The file NodejsFunction writes for an ESM bundle. */
const BUNDLE_FILE = 'index.mjs';

export interface StackBundle {
  /** The bundled entry, as it would be uploaded. */
  readonly file: string;
  readonly bytes: number;
  /** `NODE_OPTIONS` as the synthesized function sets it (the stack turns on source maps). */
  readonly nodeOptions: string | undefined;
}

/** Synthesizes the throwaway app in this process (the child's side). */
export function synthBundles(
  entries: Readonly<Record<string, string>>,
  outdir: string,
): Record<string, StackBundle> {
  const app = new App({ outdir });
  const stack = new Stack(app, 'HangarBench');
  const functions = Object.entries(entries).map(
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
        }),
      ] as const,
  );
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Properties?: { Environment?: { Variables?: Record<string, unknown> } } }>;
  };
  const bundles: Record<string, StackBundle> = {};
  for (const [name, fn] of functions) {
    const asset = fn.function.node.findChild('Code') as Asset;
    const file = join(outdir, asset.assetPath, BUNDLE_FILE);
    const logicalId = stack.getLogicalId(fn.function.node.defaultChild as CfnFunction);
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
 * Bundles `{ name: entry file }` into `outdir` as the stack would.
 * @example
 * const { email } = await bundleLikeTheStack({ email: 'functions/email/handler.ts' }, dir);
 */
export function bundleLikeTheStack(
  entries: Readonly<Record<string, string>>,
  outdir: string,
): Promise<Record<string, StackBundle>> {
  const cli = fileURLToPath(new URL('./bundle-cli.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, outdir, JSON.stringify(entries)], {
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

/**
 * Bundles function entries with esbuild as the stack's `NodejsFunction`s bundle them — both
 * translate `FUNCTION_BUNDLE` (lib/deploy/function-bundle.ts) — so a local function runs the code
 * that deploys rather than the sources through a loader. The function thread, which is the local
 * runtime's own code and not a function, is bundled apart (./function-thread.ts).
 */
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { FUNCTION_BUNDLE } from '../lib/deploy/function-bundle.js';

/** esbuild's options for a function bundle, from the one description the stack reads too. */
export const FUNCTION_BUILD_OPTIONS: Readonly<BuildOptions> = {
  platform: 'node',
  format: FUNCTION_BUNDLE.format,
  target: FUNCTION_BUNDLE.target,
  mainFields: [...FUNCTION_BUNDLE.mainFields],
  minify: FUNCTION_BUNDLE.minify,
  supported: FUNCTION_BUNDLE.supported,
  sourcemap: 'linked',
  sourcesContent: FUNCTION_BUNDLE.sourceMap.sourcesContent,
  inject: [...FUNCTION_BUNDLE.inject],
  define: { ...FUNCTION_BUNDLE.define },
  alias: { ...FUNCTION_BUNDLE.alias },
  // `.cjs`, not the stack's `index.js`: the build directory may lie inside a `"type": "module"` package.
  outExtension: { '.js': '.cjs' },
};

/**
 * Bundles each function entry (`{ outputName: sourcePath }`) into `outdir/<outputName>.cjs`, with
 * its source map beside it.
 *
 * @returns the bundle path of each entry.
 */
export async function bundleEntries(
  entries: Readonly<Record<string, string>>,
  outdir: string,
): Promise<Record<string, string>> {
  await build({ ...FUNCTION_BUILD_OPTIONS, entryPoints: entries, bundle: true, outdir, logLevel: 'silent' });
  return Object.fromEntries(Object.keys(entries).map((name) => [name, `${outdir}/${name}.cjs`]));
}

/** Bundles ./function-thread.ts (an ES module: it awaits at top level) into `outdir/function-thread.mjs`. */
export async function bundleFunctionThread(outdir: string): Promise<string> {
  const entry = fileURLToPath(new URL('./function-thread.ts', import.meta.url));
  await build({
    entryPoints: { 'function-thread': entry },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: FUNCTION_BUNDLE.target,
    outdir,
    outExtension: { '.js': '.mjs' },
    sourcemap: 'linked',
    logLevel: 'silent',
  });
  return `${outdir}/function-thread.mjs`;
}

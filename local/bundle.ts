/**
 * Bundles function entries with esbuild the way the stack's `NodejsFunction`s are bundled (ESM for
 * Node 24, `module` before `main`, a `require` shim for CommonJS dependencies, nothing external),
 * so a local function runs the same code that deploys rather than the sources through a loader.
 */
import { type BuildOptions, build } from 'esbuild';

/** What the stack's bundling sets; kept in one place so local and deployed bundles agree. */
export const BUNDLE_OPTIONS: Readonly<BuildOptions> = {
  platform: 'node',
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  // Bundled packages that still `require()` Node built-ins need a `require` in ESM.
  banner: {
    js: "import{createRequire as __hangarRequire}from'node:module';const require=__hangarRequire(import.meta.url);",
  },
};

/**
 * Bundles each entry (`{ outputName: sourcePath }`) into `outdir/<outputName>.mjs`, with source
 * maps so stack traces name the TypeScript sources.
 *
 * @returns the bundle path of each entry.
 */
export async function bundleEntries(
  entries: Readonly<Record<string, string>>,
  outdir: string,
): Promise<Record<string, string>> {
  await build({
    ...BUNDLE_OPTIONS,
    entryPoints: entries,
    bundle: true,
    outdir,
    outExtension: { '.js': '.mjs' },
    sourcemap: 'linked',
    // Stack traces need file names and lines, not the sources (as the stack bundles).
    sourcesContent: false,
    logLevel: 'silent',
  });
  return Object.fromEntries(Object.keys(entries).map((name) => [name, `${outdir}/${name}.mjs`]));
}

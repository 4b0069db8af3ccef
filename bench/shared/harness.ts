/**
 * Bundles the benchmarks' own drivers (the code that times a handler, never the handler itself) to
 * plain `.mjs` files, so each fresh process runs under bare `node`: no TypeScript loader hooks in
 * the way of the module loading a cold start measures.
 */
import { build } from 'esbuild';

export async function bundleDrivers(
  entries: Readonly<Record<string, string>>,
  outdir: string,
): Promise<Record<string, string>> {
  await build({
    entryPoints: entries,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    outExtension: { '.js': '.mjs' },
    banner: {
      js: "import{createRequire as __benchRequire}from'node:module';const require=__benchRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return Object.fromEntries(Object.keys(entries).map((name) => [name, `${outdir}/${name}.mjs`]));
}

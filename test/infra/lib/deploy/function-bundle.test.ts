import { execFile } from 'node:child_process';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntries } from '../../../../local/bundle.js';
import { THROW_LINE } from '../../../fixtures/bundling/throws.js';

const run = promisify(execFile);
const FIXTURE = fileURLToPath(new URL('../../../fixtures/bundling/throws.ts', import.meta.url));
const IMPORT_META_FIXTURE = fileURLToPath(
  new URL('../../../fixtures/bundling/import-meta.ts', import.meta.url),
);
let dir: string;
let bundle: string;
let importMetaBundle: string;

/**
 * Loads the bundle as Lambda loads a CommonJS function, in a fresh Node without flags, calls its
 * handler and prints the error's stack. `beforeFormat` runs between the load and the throw.
 */
async function stackOf(options: { nodeArgs?: string[]; beforeFormat?: string } = {}): Promise<string> {
  const script = `const m = require(${JSON.stringify(bundle)}); ${options.beforeFormat ?? ''}
try { m.handler(); } catch (error) { process.stdout.write(error.stack); }`;
  const { stdout } = await run(process.execPath, [...(options.nodeArgs ?? []), '-e', script], {
    env: { PATH: process.env.PATH ?? '' },
  });
  return stdout;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hangar-stacks-'));
  const bundles = await bundleEntries({ throws: FIXTURE, 'import-meta': IMPORT_META_FIXTURE }, dir);
  bundle = bundles.throws ?? '';
  importMetaBundle = bundles['import-meta'] ?? '';
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Bundled functions: import.meta in CommonJS', () => {
  it('names the bundle file, as it did in an ES module bundle', () => {
    const { handler } = createRequire(import.meta.url)(importMetaBundle) as {
      handler: () => { url: string; filename: string; dirname: string };
    };
    expect(handler()).toEqual({
      url: pathToFileURL(importMetaBundle).href,
      filename: importMetaBundle,
      dirname: dirname(importMetaBundle),
    });
  });
});

describe('Bundled functions: top-level await', () => {
  it('is refused at bundling time, naming the line', async () => {
    const entry = fileURLToPath(new URL('../../../fixtures/bundling/top-level-await.ts', import.meta.url));
    await expect(bundleEntries({ tla: entry }, dir)).rejects.toThrow(
      `${entry.slice(entry.indexOf('test/'))}:2:17: ERROR: Top-level await is currently not supported with the "cjs" output format`,
    );
  });
});

/**
 * Runs `act` with the bundle's map moved away; `mapBack` is a line of script that moves it back
 * (for a child to run between loading the bundle and formatting a trace). The map is back after.
 */
async function withMapAway<T>(act: (mapBack: string) => Promise<T>): Promise<T> {
  const map = `${bundle}.map`;
  const away = `${bundle}.away`;
  await rename(map, away);
  try {
    return await act(`require('node:fs').renameSync(${JSON.stringify(away)}, ${JSON.stringify(map)});`);
  } finally {
    await rename(away, map).catch(() => undefined);
  }
}

describe('Bundled functions: lazy source maps', () => {
  it('name the TypeScript source in a stack trace, without --enable-source-maps', async () => {
    const stack = await stackOf();
    expect(stack.split('\n')[0]).toBe('Error: thrown by the fixture');
    expect(stack.split('\n')[1]).toMatch(new RegExp(`^    at .+ \\(${FIXTURE}:${THROW_LINE}:\\d+\\)$`));
  });

  it('read the map only when a stack is formatted, not when the bundle loads', async () => {
    // The map is away while the bundle loads, and back before the error is formatted.
    const stack = await withMapAway((mapBack) => stackOf({ beforeFormat: mapBack }));
    expect(stack).toContain(`${FIXTURE}:${THROW_LINE}:`);
  });

  it('leave the trace as V8 wrote it when no map ships', async () => {
    const stack = await withMapAway(() => stackOf());
    expect(stack.split('\n')[0]).toBe('Error: thrown by the fixture');
    expect(stack.split('\n')[1]).toMatch(new RegExp(`^    at .+ \\(${bundle}:1:\\d+\\)$`));
  });

  it('step aside where Node maps stacks itself (--enable-source-maps)', async () => {
    // Node finds no map at load; the shim would find it at format time, but defers to Node.
    const stack = await withMapAway((mapBack) =>
      stackOf({ nodeArgs: ['--enable-source-maps'], beforeFormat: mapBack }),
    );
    expect(stack.split('\n')[1]).toMatch(new RegExp(`^    at .+ \\(${bundle}:1:\\d+\\)$`));
  });
});

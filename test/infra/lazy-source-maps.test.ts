import { execFile } from 'node:child_process';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntries } from '../../local/bundle.js';
import { THROW_LINE } from '../fixtures/bundling/throws.js';

const run = promisify(execFile);
const FIXTURE = fileURLToPath(new URL('../fixtures/bundling/throws.ts', import.meta.url));
let dir: string;
let bundle: string;

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
  const bundles = await bundleEntries({ throws: FIXTURE }, dir);
  bundle = bundles.throws ?? '';
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Bundled functions: lazy source maps', () => {
  it('name the TypeScript source in a stack trace, without --enable-source-maps', async () => {
    const stack = await stackOf();
    expect(stack.split('\n')[0]).toBe('Error: thrown by the fixture');
    expect(stack.split('\n')[1]).toMatch(new RegExp(`^    at .+ \\(${FIXTURE}:${THROW_LINE}:\\d+\\)$`));
  });

  it('read the map only when a stack is formatted, not when the bundle loads', async () => {
    // Prepare: the map is away while the bundle loads, and back before the error is formatted.
    const away = `${bundle}.away`;
    await rename(`${bundle}.map`, away);
    try {
      // Act
      const stack = await stackOf({
        beforeFormat: `require('node:fs').renameSync(${JSON.stringify(away)}, ${JSON.stringify(`${bundle}.map`)});`,
      });

      // Assess
      expect(stack).toContain(`${FIXTURE}:${THROW_LINE}:`);
    } finally {
      await rename(away, `${bundle}.map`).catch(() => undefined);
    }
  });

  it('leave the trace as V8 wrote it when no map ships', async () => {
    const away = `${bundle}.away`;
    await rename(`${bundle}.map`, away);
    try {
      const stack = await stackOf();
      expect(stack.split('\n')[0]).toBe('Error: thrown by the fixture');
      expect(stack.split('\n')[1]).toMatch(new RegExp(`^    at .+ \\(${bundle}:1:\\d+\\)$`));
    } finally {
      await rename(away, `${bundle}.map`);
    }
  });

  it('step aside where Node maps stacks itself (--enable-source-maps)', async () => {
    // Prepare: Node finds no map at load; the shim would find it at format time, but defers to Node.
    const away = `${bundle}.away`;
    await rename(`${bundle}.map`, away);
    try {
      // Act
      const stack = await stackOf({
        nodeArgs: ['--enable-source-maps'],
        beforeFormat: `require('node:fs').renameSync(${JSON.stringify(away)}, ${JSON.stringify(`${bundle}.map`)});`,
      });

      // Assess
      expect(stack.split('\n')[1]).toMatch(new RegExp(`^    at .+ \\(${bundle}:1:\\d+\\)$`));
    } finally {
      await rename(away, `${bundle}.map`).catch(() => undefined);
    }
  });
});

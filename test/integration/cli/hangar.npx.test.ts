/**
 * `npx hangar` as an operator runs it: from the project, with the machine's own Node and npm first
 * on PATH (Node 20 here, older than the package's `engines`), on a first run that puts the package
 * in npx's cache — where npm checks its engines. Only the command's answer may reach the terminal.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The operator's PATH: without the `node_modules/.bin` dirs (and the Node 24) that npm scripts put first. */
const OPERATOR_PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => !dir.split(/[\\/]/).includes('node_modules'))
  .join(delimiter);

let cache: string | undefined;
afterEach(async () => {
  if (cache) await rm(cache, { recursive: true, force: true });
  cache = undefined;
});

function npx(args: readonly string[], env: Readonly<Record<string, string>>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('npx', [...args], { cwd: ROOT, env, timeout: 50_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('Binary: npx hangar under the machine’s own Node', () => {
  it('prints only the answer: no npm warning about engines, nothing else on stderr', async () => {
    // Prepare: a fresh npm cache and no user config, as on an operator's first run; offline, since
    // the package is this directory and nothing comes from the registry.
    cache = await mkdtemp(join(tmpdir(), 'hangar-npx-'));
    const env = {
      PATH: OPERATOR_PATH,
      HOME: process.env.HOME ?? cache,
      npm_config_cache: cache,
      npm_config_userconfig: join(cache, 'no-user-npmrc'),
      npm_config_offline: 'true',
    };

    // Act
    const run = await npx(['hangar', '--help'], env);

    // Assess
    expect(run.stderr).not.toContain('EBADENGINE');
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Usage: hangar \[options\] \[command\]\n/);
    expect(run.code).toBe(0);
  });
});

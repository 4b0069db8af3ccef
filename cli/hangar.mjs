#!/usr/bin/env node
// The `hangar` binary. The CLI is TypeScript run by tsx under the project's Node 24 (the `node`
// devDependency); a shell whose `node` is older gets this launcher re-run under that one.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const MIN_NODE_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);

if (major >= MIN_NODE_MAJOR) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
} else {
  const require = createRequire(import.meta.url);
  let node;
  try {
    node = join(dirname(require.resolve('node/package.json')), 'bin', 'node');
  } catch {
    process.stderr.write(
      `hangar: needs Node ${MIN_NODE_MAJOR}+ (this is ${process.version}); run \`npm ci\` to install it\n`,
    );
    process.exit(2);
  }
  const child = spawn(node, [new URL(import.meta.url).pathname, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  // Ctrl-C reaches the child through the terminal's process group; don't let it kill us first.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 128 + 2 : 1);
  });
}

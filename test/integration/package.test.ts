import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('Package: hangar', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
      cwd: root,
    });
  });

  it('ships declarations beside the built entry', () => {
    expect(existsSync(`${root}dist/index.js`)).toBe(true);
    expect(existsSync(`${root}dist/index.d.ts`)).toBe(true);
  });

  it('is importable by name from another module, with the public API', () => {
    // Act: a separate Node process resolves `hangar` through package.json `exports`.
    const script = `
      const m = await import('hangar');
      console.log(JSON.stringify({
        JobClient: typeof m.JobClient, defineJob: typeof m.defineJob, registry: m.registry.names,
        queue: m.deriveSettings(m.registry).job('email.send').queue.name,
      }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });

    // Assess
    expect(JSON.parse(out)).toEqual({
      JobClient: 'function',
      defineJob: 'function',
      registry: ['email.send', 'sync.run', 'cleanup.run'],
      queue: 'email-send',
    });
  });
});

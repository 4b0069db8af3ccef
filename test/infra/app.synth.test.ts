import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/constructs/hangar-function.js';
import { registry } from '../../jobs/index.js';
import { FUNCTION_BUNDLE } from '../../lib/deploy/function-bundle.js';

const run = promisify(execFile);
const BIN = join(PROJECT_ROOT, 'node_modules/.bin');
const outdirs: string[] = [];

/** Runs the pinned CDK CLI as a user would, from the project root, on the project's Node 24. */
async function cdk(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, PATH: `${BIN}:${process.env.PATH ?? ''}`, CDK_DISABLE_CLI_TELEMETRY: 'true' };
  try {
    const { stdout, stderr } = await run(join(BIN, 'cdk'), args, { cwd: PROJECT_ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function outdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hangar-synth-'));
  outdirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

describe('cdk synth (the pinned CLI, offline)', () => {
  it('is the pinned 2.1148.x CLI', async () => {
    const { stdout } = await cdk('--version');
    expect(stdout).toMatch(/^2\.1148\.\d+/);
  });

  // The application as `npm run synth` deploys it: its registry (jobs/index.ts) and its functions/,
  // whatever jobs a team has registered there.
  it("writes the stage template and bundles the API and every registered job's function to minified CommonJS with a source map", async () => {
    // Arrange
    const out = outdir();

    // Act
    const result = await cdk('synth', '-q', '-o', out);

    // Assess
    expect(result.stderr).not.toMatch(/Validation failed|Error/);
    expect(result.code).toBe(0);
    const template = JSON.parse(readFileSync(join(out, 'Hangar-dev.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(registry.jobs.length + 1);
    for (const fn of functions) {
      const asset = join(out, fn.Metadata?.['aws:asset:path'] ?? 'missing');
      expect(readdirSync(asset).sort()).toEqual([FUNCTION_BUNDLE.file, `${FUNCTION_BUNDLE.file}.map`]);
      const code = readFileSync(join(asset, FUNCTION_BUNDLE.file), 'utf8');
      expect(code).toMatch(/^"use strict";/);
      expect(code).toContain('0&&(module.exports={handler});');
      expect(code).toMatch(new RegExp(`\\n//# sourceMappingURL=${FUNCTION_BUNDLE.file}\\.map\\n$`));
    }
  });

  it('fails naming the missing entry files', async () => {
    const out = outdir();
    const result = await cdk('synth', '-q', '-c', 'functionsDir=test/fixtures/no-functions', '-o', out);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Missing function entry files (each exports "handler"):');
    expect(result.stderr).toContain('  - test/fixtures/no-functions/api/handler.ts (the HTTP API)');
    expect(existsSync(join(out, 'Hangar-dev.template.json'))).toBe(false);
  });

  it('fails naming the bad stage configuration, without a stack trace', async () => {
    const out = outdir();
    const result = await cdk(
      'synth',
      '-q',
      '-c',
      'functionsDir=test/fixtures/functions',
      '-c',
      'stage=Prod',
      '-c',
      'syncSources=[{"id":"crm","url":"http://crm.example.com","pageSize":10}]',
      '-o',
      out,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'Invalid stage configuration (CDK context):\n' +
        '  - stage: must be 1–20 lower-case letters, digits or "-", starting with a letter\n' +
        '  - syncSources.0.url: must be an https:// URL',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

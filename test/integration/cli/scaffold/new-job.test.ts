/**
 * `npx hangar new job` on a copy of this project (never the project itself): what it writes
 * type-checks, passes the linter and its own unit test, and the only changes are the job's files
 * and its line in the registration point. The README's examples are this output
 * (job-template.readme.test.ts), so they compile as written.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobFiles, jobNames, REGISTRATION_FILE } from '../../../../cli/scaffold/job-template.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).bin.hangar as string;

const FIXTURE_REGISTRATION = `import { createRegistry } from '../lib/index.js';
import { cleanupRun, emailSend, syncRun } from '../lib/jobs/builtin/index.js';

export const registry = createRegistry([emailSend, syncRun, cleanupRun]);
`;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command in the copy with its own tools (and its Node 24) first on the PATH. */
function run(cwd: string, command: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd,
        timeout: 120_000,
        env: {
          PATH: `${join(cwd, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
          HOME: process.env.HOME ?? '',
          NO_COLOR: '1',
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Every file of the copy (its node_modules aside) with a hash of its content. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const listed = await run(dir, 'find', ['.', '-type', 'f', '-not', '-path', './node_modules/*']);
  const files = listed.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.slice(2));
  const hashes = new Map<string, string>();
  for (const file of files) {
    hashes.set(
      file,
      createHash('sha256')
        .update(await readFile(join(dir, file)))
        .digest('hex'),
    );
  }
  return hashes;
}

function changes(before: Map<string, string>, after: Map<string, string>) {
  return {
    created: [...after.keys()].filter((f) => !before.has(f)).sort(),
    changed: [...after.keys()].filter((f) => before.has(f) && before.get(f) !== after.get(f)).sort(),
    removed: [...before.keys()].filter((f) => !after.has(f)).sort(),
  };
}

let copy: string;
beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'hangar-scaffold-'));
  const { stdout } = await run(ROOT, 'git', ['ls-files', '-co', '--exclude-standard']);
  // node_modules is linked, not copied (a symlinked one escapes the ignore rule of a directory).
  const files = stdout.split('\n').filter((line) => line !== '' && line.split('/')[0] !== 'node_modules');
  for (const file of files) {
    await cp(join(ROOT, file), join(copy, file), { recursive: true, force: true });
  }
  await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  // Whatever the application registers, the copy starts from the built-in jobs and no files of
  // the jobs this test scaffolds.
  await writeFile(join(copy, REGISTRATION_FILE), FIXTURE_REGISTRATION);
  for (const name of ['report.generate', 'invoice.create']) {
    const files = jobFiles(jobNames(name));
    await rm(join(copy, dirname(files.entry)), { recursive: true, force: true });
    await rm(join(copy, files.declaration), { force: true });
    await rm(join(copy, files.test), { force: true });
  }
});
afterAll(async () => {
  await rm(copy, { recursive: true, force: true });
});

describe('Command: hangar new job (on a copy of the project)', () => {
  it('scaffolds a scheduled and a plain job that type-check, lint and pass their tests, changing nothing else', async () => {
    // Prepare
    const before = await snapshot(copy);

    // Act
    const scheduled = await run(copy, process.execPath, [
      BIN,
      'new',
      'job',
      'report.generate',
      '--schedule',
      'cron(0 6 * * ? *)',
      '--time-zone',
      'Europe/Berlin',
    ]);
    const plain = await run(copy, process.execPath, [BIN, 'new', 'job', 'invoice.create']);
    const again = await run(copy, process.execPath, [BIN, 'new', 'job', 'report.generate']);
    const after = await snapshot(copy);
    // Built first, as `npm test` does: a test fixture imports the package by its own name (dist/).
    const build = await run(copy, 'tsc', ['-p', 'tsconfig.build.json']);
    const typecheck = await run(copy, 'tsc', ['-p', 'tsconfig.json']);
    const lint = await run(copy, 'biome', ['ci', 'jobs', 'functions', 'test/unit/functions']);
    const tests = await run(copy, 'vitest', [
      'run',
      '--project',
      'unit',
      'test/unit/functions/report/report-generate.test.ts',
      'test/unit/functions/invoice/invoice-create.test.ts',
    ]);

    // Assess
    expect([scheduled.code, scheduled.stderr.split('\n')[0]]).toEqual([
      0,
      expect.stringMatching(/^Next: write the work in functions\/report\/report-generate\.ts/),
    ]);
    expect(scheduled.stdout).toBe(
      [
        'Created jobs/report-generate.ts',
        'Created functions/report/report-generate.ts',
        'Created functions/report/handler.ts',
        'Created test/unit/functions/report/report-generate.test.ts',
        'Registered reportGenerate in jobs/index.ts',
        '',
      ].join('\n'),
    );
    expect(plain.code).toBe(0);
    expect([again.code, again.stderr]).toEqual([
      2,
      'hangar: error: Job "report.generate" is registered twice\n',
    ]);
    expect(changes(before, after)).toEqual({
      created: [
        'functions/invoice/handler.ts',
        'functions/invoice/invoice-create.ts',
        'functions/report/handler.ts',
        'functions/report/report-generate.ts',
        'jobs/invoice-create.ts',
        'jobs/report-generate.ts',
        'test/unit/functions/invoice/invoice-create.test.ts',
        'test/unit/functions/report/report-generate.test.ts',
      ],
      changed: [REGISTRATION_FILE],
      removed: [],
    });
    expect(await readFile(join(copy, REGISTRATION_FILE), 'utf8')).toContain(
      'createRegistry([emailSend, syncRun, cleanupRun, reportGenerate, invoiceCreate])',
    );
    expect([build.code, typecheck.code, typecheck.stdout]).toEqual([0, 0, '']);
    expect([lint.code, lint.stderr.includes('error')]).toEqual([0, false]);
    expect([tests.code, tests.stdout.match(/Tests\s+(\d+) passed/)?.[1]]).toEqual([0, '4']);
  });
});

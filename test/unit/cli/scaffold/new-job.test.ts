import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { UsageError } from '../../../../cli/errors.js';
import {
  declarationSource,
  entrySource,
  handlerSource,
  jobFiles,
  jobNames,
  REGISTRATION_FILE,
  testSource,
} from '../../../../cli/scaffold/job-template.js';
import { registerJob, scaffoldJob } from '../../../../cli/scaffold/new-job.js';
import { createRegistry, defineJob } from '../../../../lib/index.js';

// A registry of the test's own: what is registered in the application never matters here.
const reportSend = defineJob({ name: 'report.send', schema: z.strictObject({}) });
const registry = createRegistry([reportSend]);
const REGISTRATION = `import { createRegistry } from '../lib/index.js';
import { reportSend } from './report-send.js';

export const registry = createRegistry([reportSend]);
`;

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'hangar-new-job-'));
  await mkdir(join(root, 'jobs'));
  await writeFile(join(root, REGISTRATION_FILE), REGISTRATION);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

async function refusal(options: Partial<Parameters<typeof scaffoldJob>[0]>): Promise<unknown> {
  const before = await filesUnder(root);
  try {
    await scaffoldJob({ root, name: 'report.generate', registry, ...options });
  } catch (error) {
    // Nothing is written when anything is refused.
    expect(await filesUnder(root)).toEqual(before);
    expect(await readFile(join(root, REGISTRATION_FILE), 'utf8')).toBe(REGISTRATION);
    return error;
  }
  throw new Error('expected a refusal');
}

describe('Function: scaffoldJob', () => {
  it('writes the declaration, handler, entry and unit test, and registers the job last', async () => {
    // Act
    const job = await scaffoldJob({ root, name: 'report.generate', registry });

    // Assess
    const files = jobFiles(jobNames('report.generate'));
    expect(job.created).toEqual([
      'jobs/report-generate.ts',
      'functions/report/report-generate.ts',
      'functions/report/handler.ts',
      'test/unit/functions/report/report-generate.test.ts',
    ]);
    const input = { name: 'report.generate' };
    expect(await readFile(join(root, files.declaration), 'utf8')).toBe(declarationSource(input));
    expect(await readFile(join(root, files.handler), 'utf8')).toBe(handlerSource(input));
    expect(await readFile(join(root, files.entry), 'utf8')).toBe(entrySource(input));
    expect(await readFile(join(root, files.test), 'utf8')).toBe(testSource(input));
    expect(
      await readFile(join(root, REGISTRATION_FILE), 'utf8'),
    ).toBe(`import { createRegistry } from '../lib/index.js';
import { reportSend } from './report-send.js';
import { reportGenerate } from './report-generate.js';

export const registry = createRegistry([reportSend, reportGenerate]);
`);
  });

  it('declares the recurring schedule it is given, in its time zone', async () => {
    // Act
    await scaffoldJob({
      root,
      name: 'report.generate',
      schedule: 'cron(0 6 * * ? *)',
      timeZone: 'Europe/Berlin',
      registry,
    });

    // Assess
    const declaration = await readFile(join(root, 'jobs/report-generate.ts'), 'utf8');
    expect(declaration).toContain(
      "  schedule: { expression: 'cron(0 6 * * ? *)', timeZone: 'Europe/Berlin', payload: {} },\n",
    );
  });

  it.each([
    [
      'an invalid name, by the registry’s rule',
      { name: 'Report.Generate' },
      'Invalid job "Report.Generate": name: must be lower case words joined by "." or "-", e.g. "email.send"',
    ],
    ['a name already registered', { name: 'report.send' }, 'Job "report.send" is registered twice'],
    [
      'a name whose resources clash with a registered job',
      { name: 'report-send' },
      'Jobs "report.send" and "report-send" would share the resource name "report-send"; rename one',
    ],
    [
      'an invalid schedule',
      { schedule: 'every night' },
      'Invalid job "report.generate": schedule.expression: must be "cron(<6 fields>)" or "rate(<n> <unit>)"',
    ],
    [
      'a time zone without a schedule',
      { timeZone: 'Europe/Berlin' },
      '--time-zone needs --schedule: it is the time zone of the schedule',
    ],
    [
      'a name that becomes a reserved word',
      { name: 'delete' },
      'Job "delete" would be exported as "delete", a reserved word; choose another name',
    ],
  ])('refuses %s, writing nothing', async (_what, options, message) => {
    // Act
    const error = await refusal(options);

    // Assess
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(message);
  });

  it('refuses a name whose function folder already serves another job, saying what to do instead', async () => {
    // Prepare
    await mkdir(join(root, 'functions/report'), { recursive: true });
    await writeFile(join(root, 'functions/report/handler.ts'), 'export const handler = 1;\n');

    // Act
    const error = await refusal({});

    // Assess
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(
      'functions/report/handler.ts already exists: jobs whose names begin with "report" share that function folder. Add handle(reportGenerate, …) to its createWorker by hand, or choose a name with another first word',
    );
  });

  it('refuses outside a project root, where there is no registration point', async () => {
    // Prepare
    await rm(join(root, REGISTRATION_FILE));

    // Act
    const scaffold = scaffoldJob({ root, name: 'report.generate', registry });

    // Assess
    await expect(scaffold).rejects.toBeInstanceOf(UsageError);
    await expect(scaffold).rejects.toThrow(
      new UsageError(`No ${REGISTRATION_FILE} in ${root}: run this in the project's root`),
    );
    expect(await filesUnder(root)).toEqual([]);
  });
});

describe('Function: registerJob', () => {
  const names = jobNames('report.generate');

  it('keeps a list written one per line, adding the job last', () => {
    const source = `import { createRegistry } from '../lib/index.js';\n\nexport const registry = createRegistry([\n  a,\n  b,\n]);\n`;
    expect(registerJob(source, names)).toBe(
      `import { createRegistry } from '../lib/index.js';\nimport { reportGenerate } from './report-generate.js';\n\nexport const registry = createRegistry([a, b, reportGenerate]);\n`,
    );
  });

  it('refuses a registration point without exactly one createRegistry([...]) call', () => {
    expect(() => registerJob('export const registry = build();\n', names)).toThrow(UsageError);
    expect(() => registerJob('export const registry = build();\n', names)).toThrow(
      new UsageError(
        `${REGISTRATION_FILE} should hold one createRegistry([...]) call to add "reportGenerate" to; add it by hand`,
      ),
    );
  });

  it('refuses a name the registration point already uses', () => {
    expect(() => registerJob(`${REGISTRATION}const reportGenerate = 1;\n`, names)).toThrow(UsageError);
    expect(() => registerJob(`${REGISTRATION}const reportGenerate = 1;\n`, names)).toThrow(
      new UsageError(`${REGISTRATION_FILE} already uses the name "reportGenerate"; choose another name`),
    );
  });
});

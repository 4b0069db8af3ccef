/**
 * `hangar new job <name>`: checks the name the way the registry will (defineJob's rules, then
 * createRegistry's clashes with the jobs already registered), then writes the job's files and its
 * line in the registration point. Nothing is written unless everything checks out.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as z from 'zod/mini';
import { createRegistry, defineJob, JobDefinitionError, type JobRegistry } from '../../lib/index.js';
import { UsageError } from '../errors.js';
import {
  declarationSource,
  entrySource,
  handlerSource,
  type JobNames,
  type JobTemplateInput,
  jobFiles,
  jobNames,
  REGISTRATION_FILE,
  testSource,
} from './job-template.js';

export interface NewJobOptions extends JobTemplateInput {
  /** The project root: the folder holding `jobs/index.ts`. */
  readonly root: string;
  /** The jobs registered now; the new one must not clash with any of them. */
  readonly registry: JobRegistry;
}

export interface NewJob {
  readonly names: JobNames;
  /** Files written, relative to the root. */
  readonly created: readonly string[];
  /** The registration point, now registering the job. */
  readonly registered: string;
}

// Words a job name may not become as its declaration's export (`delete` → `export const delete`).
const RESERVED_WORDS = new Set(
  (
    'await break case catch class const continue debugger default delete do else enum export extends false ' +
    'finally for function if implements import in instanceof interface let new null package private ' +
    'protected public return static super switch this throw true try typeof var void while with yield'
  ).split(' '),
);

/**
 * Writes a new job's declaration, handler, function entry and unit test, and registers it.
 * @throws {UsageError} when the name, the schedule or the time zone is invalid, the name clashes
 *   with a registered job or an existing file, or the registration point cannot be edited.
 * @example
 * await scaffoldJob({ root: process.cwd(), name: 'report.generate', registry });
 */
export async function scaffoldJob(options: NewJobOptions): Promise<NewJob> {
  if (options.timeZone !== undefined && options.schedule === undefined) {
    throw new UsageError('--time-zone needs --schedule: it is the time zone of the schedule');
  }
  checkWithRegistry(options);
  const names = jobNames(options.name);
  if (RESERVED_WORDS.has(names.declaration)) {
    throw new UsageError(
      `Job "${options.name}" would be exported as "${names.declaration}", a reserved word; choose another name`,
    );
  }

  const registrationPath = join(options.root, REGISTRATION_FILE);
  if (!existsSync(registrationPath)) {
    throw new UsageError(`No ${REGISTRATION_FILE} in ${options.root}: run this in the project's root`);
  }
  const registration = registerJob(await readFile(registrationPath, 'utf8'), names);

  const files = jobFiles(names);
  for (const [role, file] of Object.entries(files)) {
    if (!existsSync(join(options.root, file))) continue;
    throw new UsageError(
      role === 'entry'
        ? `${file} already exists: jobs whose names begin with "${names.dir}" share that function folder. Add handle(${names.declaration}, …) to its createWorker by hand, or choose a name with another first word`
        : `${file} already exists; choose another name or remove it`,
    );
  }

  const sources: Record<keyof typeof files, string> = {
    declaration: declarationSource(options),
    handler: handlerSource(options),
    entry: entrySource(options),
    test: testSource(options),
  };
  for (const [role, file] of Object.entries(files) as [keyof typeof files, string][]) {
    const path = join(options.root, file);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, sources[role], { flag: 'wx' });
  }
  await writeFile(registrationPath, registration);
  return { names, created: Object.values(files), registered: REGISTRATION_FILE };
}

/** The registry's own rules: a valid declaration (name, schedule, time zone) that clashes with no registered job. */
function checkWithRegistry(options: NewJobOptions): void {
  try {
    const candidate = defineJob({
      name: options.name,
      schema: z.strictObject({}),
      ...(options.schedule === undefined
        ? {}
        : {
            schedule: {
              expression: options.schedule,
              ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
            },
          }),
    });
    createRegistry([...options.registry.jobs, candidate]);
  } catch (error) {
    if (error instanceof JobDefinitionError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

const REGISTRY_CALL = /createRegistry\(\[([^\]]*)\]\)/g;
const IMPORT_STATEMENT = /^import [^;]*;\n/gm;

/**
 * The registration point with the job added: its import after the last import, its declaration
 * last in the `createRegistry([...])` list. (The CLI then formats the file with the project's Biome.)
 */
export function registerJob(source: string, names: JobNames): string {
  if (new RegExp(`\\b${names.declaration}\\b`).test(source)) {
    throw new UsageError(
      `${REGISTRATION_FILE} already uses the name "${names.declaration}"; choose another name`,
    );
  }
  const calls = [...source.matchAll(REGISTRY_CALL)];
  const call = calls[0];
  if (calls.length !== 1 || call === undefined) {
    throw new UsageError(
      `${REGISTRATION_FILE} should hold one createRegistry([...]) call to add "${names.declaration}" to; add it by hand`,
    );
  }
  const items = (call[1] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const registered = `${source.slice(0, call.index)}createRegistry([${[...items, names.declaration].join(', ')}])${source.slice(call.index + call[0].length)}`;
  const lastImport = [...registered.matchAll(IMPORT_STATEMENT)].at(-1);
  const at = lastImport === undefined ? 0 : lastImport.index + lastImport[0].length;
  return `${registered.slice(0, at)}import { ${names.declaration} } from './${names.stem}.js';\n${registered.slice(at)}`;
}

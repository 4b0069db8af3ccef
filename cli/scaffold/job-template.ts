/**
 * What `hangar new job` writes: a job the way a team writes one — its declaration, its handler
 * (signal and ledger wired), the function entry that binds them, and a unit test. The README's
 * "Adding a job" and "Writing a worker" show this output for `report.generate`; a test keeps them
 * equal, and the scaffold's integration test type-checks, lints and runs what it writes.
 */
import { JOB_DEFAULTS } from '../../lib/constants.js';
import { functionDir, HANDLER_FILE, pascalName, resourceStem } from '../../lib/jobs/names.js';

export interface JobTemplateInput {
  /** The job's name, already checked (`report.generate`). */
  readonly name: string;
  /** A recurring schedule's expression, already checked. */
  readonly schedule?: string;
  /** Its time zone; without one the declaration's default applies. */
  readonly timeZone?: string;
}

/** The names one job's files and exports use, all derived from its name. */
export interface JobNames {
  readonly name: string;
  /** `reportGenerate`: the declaration's export. */
  readonly declaration: string;
  /** `runReportGenerate`: the handler's export. */
  readonly handler: string;
  /** `ReportGeneratePayload`: the payload type. */
  readonly payloadType: string;
  /** `report-generate`: the file stem of the declaration, the handler and the test. */
  readonly stem: string;
  /** `report`: the function folder (`functions/report/`). */
  readonly dir: string;
}

export function jobNames(name: string): JobNames {
  const pascal = pascalName(name);
  const camel = pascal.charAt(0).toLowerCase() + pascal.slice(1);
  return {
    name,
    declaration: camel,
    handler: `run${pascal}`,
    payloadType: `${pascal}Payload`,
    stem: resourceStem(name),
    dir: functionDir(name),
  };
}

/** The folder, under the project root, that holds the application's registration point and declarations. */
export const JOBS_DIR = 'jobs';
/** The registration point: `export const registry = createRegistry([...])`. */
export const REGISTRATION_FILE = `${JOBS_DIR}/index.ts`;

/** Where each file of a job goes, relative to the project root. */
export function jobFiles(names: JobNames) {
  return {
    declaration: `${JOBS_DIR}/${names.stem}.ts`,
    handler: `functions/${names.dir}/${names.stem}.ts`,
    entry: `functions/${names.dir}/${HANDLER_FILE}`,
    test: `test/unit/functions/${names.dir}/${names.stem}.test.ts`,
  } as const;
}

export function declarationSource(input: JobTemplateInput): string {
  const n = jobNames(input.name);
  const schedule =
    input.schedule === undefined
      ? ''
      : `  schedule: { expression: '${input.schedule}'${input.timeZone === undefined ? '' : `, timeZone: '${input.timeZone}'`}, payload: {} },\n`;
  const fields =
    input.schedule === undefined
      ? `  /** Ids and small values only: payloads are kept in queues and dead-letter queues. */
  id: z.string().check(z.minLength(1)),
`
      : `  // What every firing carries (\`schedule.payload\` below); its time is \`context.scheduledAt\`.
`;
  return `/**
 * The declaration of \`${n.name}\`: all that the worker, the client, the API and the stack know of
 * it. Its handler is in \`${jobFiles(n).handler}\`; it is registered in \`${REGISTRATION_FILE}\`.
 */
import * as z from 'zod/mini';
import { defineJob } from '../lib/index.js';

export const ${n.declaration}PayloadSchema = z.strictObject({
${fields}});

export type ${n.payloadType} = z.output<typeof ${n.declaration}PayloadSchema>;

export const ${n.declaration} = defineJob({
  name: '${n.name}',
  description: 'What one ${n.name} job does.',
  schema: ${n.declaration}PayloadSchema,
  retry: { maxAttempts: ${JOB_DEFAULTS.maxAttempts}, baseDelaySeconds: ${JOB_DEFAULTS.baseDelaySeconds}, maxDelaySeconds: ${JOB_DEFAULTS.maxDelaySeconds} },
  timeoutSeconds: ${JOB_DEFAULTS.timeoutSeconds},
${schedule}  resources: ['ledger'],
});
`;
}

export function handlerSource(input: JobTemplateInput): string {
  const n = jobNames(input.name);
  const result =
    input.schedule === undefined
      ? '{ id: payload.id }'
      : // A firing's handler knows which run it is: the time it was scheduled for.
        '{ scheduledAt: context.scheduledAt ?? context.enqueuedAt }';
  return `import type { ${n.declaration} } from '../../jobs/${n.stem}.js';
import type { JobHandler } from '../../lib/worker/index.js';

/**
 * Runs one \`${n.name}\` job. Return a small result for the ledger; throw \`RetryableJobError\` (or
 * any error) to retry with backoff, \`PermanentJobError\` to dead-letter at once.
 */
export const ${n.handler}: JobHandler<typeof ${n.declaration}> = async (payload, context) => {
  if (context.signal.aborted) {
    // Out of time before the work began: the rest runs in a fresh invocation, same job id.
    await context.continueWith(payload);
    return undefined;
  }
  await context.progress({ step: 'started' });
  context.logger.info('${n.name} started');
  // The work goes here; long work checks context.signal between steps, as above.
  return ${result};
};
`;
}

export function entrySource(input: JobTemplateInput): string {
  const n = jobNames(input.name);
  return `/**
 * Entry point of the \`${n.name}\` worker: its declaration and handler, with the ledger, wired once
 * per cold start from the environment the stack (or the local runtime) sets.
 */
import { ${n.declaration} } from '../../jobs/${n.stem}.js';
import { createWorker, handle } from '../../lib/worker/index.js';
import { ledgerFromEnv } from '../shared/ledger-from-env.js';
import { ${n.handler} } from './${n.stem}.js';

const { ledger } = ledgerFromEnv();

export const handler = createWorker({ jobs: [handle(${n.declaration}, ${n.handler})], ledger });
`;
}

export function testSource(input: JobTemplateInput): string {
  const n = jobNames(input.name);
  const scheduled = input.schedule !== undefined;
  const payload = scheduled ? '{}' : "{ id: 'r-1' }";
  const firing = "'2026-11-24T05:00:00.000Z'";
  const context = scheduled
    ? `controllableJobContext(${n.declaration}, { scheduledAt: ${firing} })`
    : `controllableJobContext(${n.declaration})`;
  const expected = scheduled ? `{ scheduledAt: ${firing} }` : "{ id: 'r-1' }";
  return `import { describe, expect, it } from 'vitest';
import { ${n.handler} } from '../../../../functions/${n.dir}/${n.stem}.js';
import { ${n.declaration} } from '../../../../jobs/${n.stem}.js';
import { controllableJobContext } from '../../../helpers/controllable-job-context.js';

describe('Handler: ${n.name}', () => {
  it('does its work and records its progress', async () => {
    // Prepare
    const { context, progress } = ${context};

    // Act
    const result = await ${n.handler}(${payload}, context);

    // Assess
    expect(result).toEqual(${expected});
    expect(progress).toHaveBeenCalledWith({ step: 'started' });
  });

  it('continues in a fresh invocation when its signal has fired', async () => {
    // Prepare
    const { context, abort, continueWith, progress } = controllableJobContext(${n.declaration});
    abort();

    // Act
    const result = await ${n.handler}(${payload}, context);

    // Assess
    expect(result).toBeUndefined();
    expect(continueWith).toHaveBeenCalledWith(${payload});
    expect(progress).not.toHaveBeenCalled();
  });
});
`;
}

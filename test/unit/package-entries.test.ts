import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Bundles a module the way a service's function would be bundled, and returns the files that
 * contribute code to the bundle (esbuild reads more than it keeps: a module whose exports go
 * unused is tree-shaken away, since the package declares itself free of side effects).
 */
async function bundleInputs(source: string): Promise<string[]> {
  const result = await build({
    stdin: { contents: source, loader: 'ts', resolveDir: root, sourcefile: 'service.ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    metafile: true,
    absWorkingDir: root,
    logLevel: 'silent',
  });
  const output = Object.values((result.metafile as Metafile).outputs)[0];
  return Object.entries(output?.inputs ?? {}).flatMap(([input, { bytesInOutput }]) =>
    bytesInOutput > 0 ? [input] : [],
  );
}

describe('Package: entries by audience', () => {
  it('bundles a producer with no worker, ledger, deployment code, aws-cdk-lib or DynamoDB client', async () => {
    // Act
    const inputs = await bundleInputs(
      `import { createRegistry, defineJob, JobClient } from './lib/index.ts';
       import * as z from 'zod/mini';
       const job = defineJob({ name: 'invoice.create', schema: z.strictObject({ orderId: z.string() }) });
       const client = new JobClient({ registry: createRegistry([job]) });
       export const send = () => client.enqueue(job, { orderId: '1' });`,
    );

    // Assess
    const forbidden = inputs.filter((input) =>
      /lib\/(worker|ledger|deploy)\/|node_modules\/(aws-cdk-lib|@aws-sdk\/(client-dynamodb|lib-dynamodb))\//.test(
        input,
      ),
    );
    expect(forbidden).toEqual([]);
    expect(inputs.some((input) => input.includes('lib/client/job-client.ts'))).toBe(true);
    expect(inputs.some((input) => input.includes('node_modules/@aws-sdk/client-sqs/'))).toBe(true);
  });

  it('bundles a worker without the client, the job service or deployment code', async () => {
    // Act
    const inputs = await bundleInputs(
      `import { defineJob } from './lib/index.ts';
       import { createWorker, handle } from './lib/worker/index.ts';
       import * as z from 'zod/mini';
       const job = defineJob({ name: 'invoice.create', schema: z.strictObject({ orderId: z.string() }), useLedger: false });
       export const handler = createWorker({ jobs: [handle(job, async () => undefined)], queue: { url: 'q', dlqUrl: 'd' } });`,
    );

    // Assess
    const forbidden = inputs.filter((input) =>
      /lib\/(client|deploy)\/|lib\/ledger\/job-service|node_modules\/aws-cdk-lib\//.test(input),
    );
    expect(forbidden).toEqual([]);
    expect(inputs.some((input) => input.includes('lib/worker/create-worker.ts'))).toBe(true);
  });
});

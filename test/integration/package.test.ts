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

  it.each(['index', 'worker/index', 'ledger/index', 'deploy/index', 'jobs/builtin/index'])(
    'ships declarations beside the built entry dist/%s.js',
    (entry) => {
      expect(existsSync(`${root}dist/${entry}.js`)).toBe(true);
      expect(existsSync(`${root}dist/${entry}.d.ts`)).toBe(true);
    },
  );

  it('is importable by name from another module, one entry per audience', () => {
    // Act: a separate Node process resolves each entry through package.json `exports`.
    const script = `
      const [producer, worker, ledger, deploy, jobs] = await Promise.all(
        ['hangar', 'hangar/worker', 'hangar/ledger', 'hangar/deploy', 'hangar/jobs'].map((e) => import(e)),
      );
      console.log(JSON.stringify({
        JobClient: typeof producer.JobClient, defineJob: typeof producer.defineJob,
        createWorker: typeof worker.createWorker, DynamoJobLedger: typeof ledger.DynamoJobLedger,
        registry: jobs.registry.names, queue: deploy.deriveSettings(jobs.registry).job('email.send').queue.name,
        internalsHidden: !('chunkBySize' in producer) && !('canonicalJson' in ledger) && !('WORKER_LOG_MESSAGES' in worker),
      }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });

    // Assess
    expect(JSON.parse(out)).toEqual({
      JobClient: 'function',
      defineJob: 'function',
      createWorker: 'function',
      DynamoJobLedger: 'function',
      registry: ['email.send', 'sync.run', 'cleanup.run'],
      queue: 'email-send',
      internalsHidden: true,
    });
  });
});

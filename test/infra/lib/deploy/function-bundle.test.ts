import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleLikeTheStack } from '../../../../bench/shared/bundle-like-stack.js';
import { bundleEntries } from '../../../../local/bundle.js';
import { THROW_LINE } from '../../../fixtures/bundling/throws.js';

const run = promisify(execFile);
const FIXTURE = fileURLToPath(new URL('../../../fixtures/bundling/throws.ts', import.meta.url));
const IMPORT_META_FIXTURE = fileURLToPath(
  new URL('../../../fixtures/bundling/import-meta.ts', import.meta.url),
);
const CREDENTIALS_FIXTURE = fileURLToPath(
  new URL('../../../fixtures/bundling/credentials.ts', import.meta.url),
);
let dir: string;
let bundle: string;
let importMetaBundle: string;
let credentialsBundle: string;

/**
 * Loads the bundle as Lambda loads a CommonJS function, in a fresh Node without flags, calls its
 * handler and prints the error's stack. `beforeFormat` runs between the load and the throw.
 */
async function stackOf(options: { nodeArgs?: string[]; beforeFormat?: string } = {}): Promise<string> {
  const script = `const m = require(${JSON.stringify(bundle)}); ${options.beforeFormat ?? ''}
try { m.handler(); } catch (error) { process.stdout.write(error.stack); }`;
  const { stdout } = await run(process.execPath, [...(options.nodeArgs ?? []), '-e', script], {
    env: { PATH: process.env.PATH ?? '' },
  });
  return stdout;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hangar-stacks-'));
  const bundles = await bundleEntries(
    { throws: FIXTURE, 'import-meta': IMPORT_META_FIXTURE, credentials: CREDENTIALS_FIXTURE },
    dir,
  );
  bundle = bundles.throws ?? '';
  importMetaBundle = bundles['import-meta'] ?? '';
  credentialsBundle = bundles.credentials ?? '';
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Bundled functions: import.meta in CommonJS', () => {
  it('names the bundle file, as it did in an ES module bundle', () => {
    const { handler } = createRequire(import.meta.url)(importMetaBundle) as {
      handler: () => { url: string; filename: string; dirname: string };
    };
    expect(handler()).toEqual({
      url: pathToFileURL(importMetaBundle).href,
      filename: importMetaBundle,
      dirname: dirname(importMetaBundle),
    });
  });
});

/** Calls the credentials fixture's handler in a fresh Node with exactly `env`; its answer. */
async function credentialsIn(env: Record<string, string>): Promise<unknown> {
  const script = `require(${JSON.stringify(credentialsBundle)}).handler().then((r) => process.stdout.write(JSON.stringify(r)))`;
  const { stdout } = await run(process.execPath, ['-e', script], {
    // Never the real instance metadata service from a test.
    env: { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true', ...env },
  });
  return JSON.parse(stdout);
}

/** What a bundle's map says of its credential providers. */
async function credentialModules(file: string) {
  const { sources } = JSON.parse(await readFile(`${file}.map`, 'utf8')) as { sources: string[] };
  return {
    ours: sources.some((source) => source.endsWith('lib/deploy/function-credentials.ts')),
    environment: sources.some((source) => source.includes('@aws-sdk/credential-provider-env/')),
    developerSources: sources.filter((source) =>
      /@aws-sdk\/(credential-provider-(node|ini|sso|process|web-identity|login)|nested-clients|token-providers)\//.test(
        source,
      ),
    ),
  };
}
const CREDENTIAL_MODULES_OF_A_FUNCTION = { ours: true, environment: true, developerSources: [] };

describe('Bundled functions: AWS credentials', () => {
  it("hold the default chain's sources a function has, none of the profile, SSO or web-identity ones", async () => {
    expect(await credentialModules(credentialsBundle)).toEqual(CREDENTIAL_MODULES_OF_A_FUNCTION);
  });

  it("are the same in the stack's bundles (HangarFunction) as in the local runtime's", async () => {
    // Act
    const { credentials } = await bundleLikeTheStack(
      { stack: { credentials: CREDENTIALS_FIXTURE } },
      join(dir, 'stack'),
    );

    // Assess
    expect(await credentialModules(credentials?.file ?? 'missing')).toEqual(CREDENTIAL_MODULES_OF_A_FUNCTION);
  });

  it('find the credentials Lambda puts in the environment', async () => {
    const answer = await credentialsIn({
      AWS_ACCESS_KEY_ID: 'ASIAFUNCTION',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    expect(answer).toEqual({ accessKeyId: 'ASIAFUNCTION' });
  });

  it('find a container credentials endpoint when the environment has none', async () => {
    // Prepare: the endpoint Lambda (or ECS) would run, on loopback.
    const server = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          AccessKeyId: 'ASIACONTAINER',
          SecretAccessKey: 'secret',
          Token: 'token',
          Expiration: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      // Act
      const answer = await credentialsIn({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${port}/creds`,
      });

      // Assess
      expect(answer).toEqual({ accessKeyId: 'ASIACONTAINER' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('Bundled functions: top-level await', () => {
  it('is refused at bundling time, naming the line', async () => {
    const entry = fileURLToPath(new URL('../../../fixtures/bundling/top-level-await.ts', import.meta.url));
    await expect(bundleEntries({ tla: entry }, dir)).rejects.toThrow(
      `${entry.slice(entry.indexOf('test/'))}:2:17: ERROR: Top-level await is currently not supported with the "cjs" output format`,
    );
  });
});

/**
 * Runs `act` with the bundle's map moved away; `mapBack` is a line of script that moves it back
 * (for a child to run between loading the bundle and formatting a trace). The map is back after.
 */
async function withMapAway<T>(act: (mapBack: string) => Promise<T>): Promise<T> {
  const map = `${bundle}.map`;
  const away = `${bundle}.away`;
  await rename(map, away);
  try {
    return await act(`require('node:fs').renameSync(${JSON.stringify(away)}, ${JSON.stringify(map)});`);
  } finally {
    await rename(away, map).catch(() => undefined);
  }
}

describe('Bundled functions: lazy source maps', () => {
  it('name the TypeScript source in a stack trace, without --enable-source-maps', async () => {
    const stack = await stackOf();
    expect(stack.split('\n')[0]).toBe('Error: thrown by the fixture');
    expect(stack.split('\n')[1]).toMatch(new RegExp(`^    at .+ \\(${FIXTURE}:${THROW_LINE}:\\d+\\)$`));
  });

  it('read the map only when a stack is formatted, not when the bundle loads', async () => {
    // The map is away while the bundle loads, and back before the error is formatted.
    const stack = await withMapAway((mapBack) => stackOf({ beforeFormat: mapBack }));
    expect(stack).toContain(`${FIXTURE}:${THROW_LINE}:`);
  });

  it('leave the trace as V8 wrote it when no map ships', async () => {
    const stack = await withMapAway(() => stackOf());
    expect(stack.split('\n')[0]).toBe('Error: thrown by the fixture');
    expect(stack.split('\n')[1]).toMatch(new RegExp(`^    at .+ \\(${bundle}:1:\\d+\\)$`));
  });

  it('step aside where Node maps stacks itself (--enable-source-maps)', async () => {
    // Node finds no map at load; the shim would find it at format time, but defers to Node.
    const stack = await withMapAway((mapBack) =>
      stackOf({ nodeArgs: ['--enable-source-maps'], beforeFormat: mapBack }),
    );
    expect(stack.split('\n')[1]).toMatch(new RegExp(`^    at .+ \\(${bundle}:1:\\d+\\)$`));
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntries, bundleFunctionThread } from '../../../local/bundle.js';
import { type Invocation, LocalFunction, type LocalFunctionOptions } from '../../../local/local-function.js';
import { PROBE_STARTED } from '../../fixtures/local/raw/probe.js';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));
let buildDir: string;
let bundles: Record<string, string>;
let threadScript: string;
let fn: LocalFunction | undefined;

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), 'hangar-fn-'));
  bundles = await bundleEntries(
    {
      probe: source('../../fixtures/local/raw/probe.ts'),
      'init-error': source('../../fixtures/local/raw/init-error.ts'),
    },
    buildDir,
  );
  threadScript = await bundleFunctionThread(buildDir);
});
afterEach(async () => {
  await fn?.stop(0);
  fn = undefined;
});
afterAll(async () => {
  await rm(buildDir, { recursive: true, force: true });
});

function start(overrides: Partial<LocalFunctionOptions> = {}): LocalFunction {
  fn = new LocalFunction({
    name: 'probe',
    bundle: bundles.probe ?? '',
    threadScript,
    environment: { PROBE: 'set by the runtime' },
    timeoutSeconds: 2,
    memoryMiB: 128,
    maxInstances: 1,
    region: 'us-east-1',
    ...overrides,
  });
  return fn;
}

type Probe = { invocations: number; deadlineMs: number; variables: string[]; probe: string };
const responseOf = (invocation: Invocation) =>
  invocation.outcome === 'ok' ? (invocation.response as Probe) : undefined;

describe('Class: LocalFunction', () => {
  it('keeps an instance warm between invocations, with exactly the environment it was given', async () => {
    const probe = start();

    const started = Date.now();
    const first = await probe.invoke({});
    const ended = Date.now();
    const second = await probe.invoke({});

    expect([first.cold, second.cold]).toEqual([true, false]);
    expect([responseOf(first)?.invocations, responseOf(second)?.invocations]).toEqual([1, 2]);
    expect(responseOf(first)?.variables).toEqual(['PROBE']);
    expect(responseOf(first)?.probe).toBe('set by the runtime');
    // The context counts down to the function timeout from the moment of the invocation.
    const timeoutMs = probe.configuration.timeoutSeconds * 1000;
    expect(responseOf(first)?.deadlineMs).toBeGreaterThanOrEqual(started + timeoutMs);
    expect(responseOf(first)?.deadlineMs).toBeLessThanOrEqual(ended + timeoutMs);
  });

  it('terminates an invocation at the timeout and starts the next one cold', async () => {
    const probe = start({ timeoutSeconds: 1 });

    const late = await probe.invoke({ hang: true });
    const next = await probe.invoke({});

    // Only the timeout could end an invocation that never returns.
    expect(late.outcome).toBe('timeout');
    expect(late.durationMs).toBeGreaterThanOrEqual(1_000);
    expect(next.cold).toBe(true);
    expect(responseOf(next)?.invocations).toBe(1);
    expect(probe.stats).toEqual({ invocations: 2, coldStarts: 2 });
  });

  it('reports a crash of the runtime (an unhandled rejection) as an error and replaces the instance', async () => {
    const probe = start();

    const crashed = await probe.invoke({ crash: true, hang: true });
    const next = await probe.invoke({});

    expect(crashed).toMatchObject({ outcome: 'error', error: { message: 'unhandled on purpose' } });
    expect(next).toMatchObject({ outcome: 'ok', cold: true });
  });

  it('fails every invocation whose cold start fails, naming the error', async () => {
    const broken = start({ bundle: bundles['init-error'] ?? '' });

    const invocation = await broken.invoke({});

    expect(invocation).toMatchObject({
      outcome: 'error',
      error: { message: 'cold start failed on purpose' },
    });
    expect(broken.instances).toBe(0);
  });

  it('runs at most maxInstances invocations at once; the rest wait for a free instance', async () => {
    const probe = start({ maxInstances: 2 });

    const started = Date.now();
    const results = await Promise.all([1, 2, 3].map(() => probe.invoke({ sleepMs: 600 })));

    // Two ran at once on two instances; the third waited for one and ran warm after it.
    expect(results.map((r) => r.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(results.filter((r) => r.cold)).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_200);
    expect(probe.stats.coldStarts).toBe(2);
  });

  it('lets a running invocation finish within the grace of stop(), and refuses new ones', async () => {
    // Prepare: stop once the handler has started (it says so on stdout); the grace outlasts it by far.
    let handlerStarted: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      handlerStarted = resolve;
    });
    const probe = start({ onOutput: (line) => line === PROBE_STARTED && handlerStarted() });

    // Act
    const invocation = probe.invoke({ sleepMs: 300 });
    await running;
    const stopping = probe.stop(30_000);
    const refused = await probe.invoke({});

    // Assess
    expect((await invocation).outcome).toBe('ok');
    await stopping;
    expect(refused).toMatchObject({ outcome: 'error', error: { name: 'Runtime.Stopped' } });
    expect(probe.instances).toBe(0);
  });
});

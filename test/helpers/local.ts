import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalRuntime, type StartLocalOptions, startLocal } from '../../local/start-local.js';
import { localTestRegistry, SINK_VARIABLE } from '../fixtures/local/jobs.js';
import { readSink, type SinkEvent } from '../fixtures/local/sink.js';
import { queueDepth } from './queues.js';

/** The fixture handlers of `localTestRegistry`. */
export const FIXTURE_FUNCTIONS = fileURLToPath(new URL('../fixtures/local/functions/', import.meta.url));

/**
 * The real built-in workers and an API over the built-in registry: run them with that registry,
 * whatever the application registers in `jobs/index.ts`.
 */
export const BUILTIN_FUNCTIONS = fileURLToPath(new URL('../fixtures/builtin/functions/', import.meta.url));

export interface TestLocal {
  readonly local: LocalRuntime;
  /** What the fixture handlers recorded, oldest first. */
  events(): SinkEvent[];
  /** Messages on a queue: visible, in flight and delayed. */
  depth(queueUrl: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A local runtime on free ports with the fixture jobs (unless overridden) and a fresh side-effect
 * sink; `stop()` stops it and deletes the sink.
 */
export async function startTestLocal(options: StartLocalOptions = {}): Promise<TestLocal> {
  const sink = await mkdtemp(join(tmpdir(), 'hangar-sink-'));
  let local: LocalRuntime;
  try {
    local = await startLocal({
      ports: 'free',
      registry: localTestRegistry,
      functionsDir: FIXTURE_FUNCTIONS,
      shutdownGraceMs: 0,
      ...options,
      environment: { [SINK_VARIABLE]: sink, ...options.environment },
    });
  } catch (error) {
    await rm(sink, { recursive: true, force: true });
    throw error;
  }
  return {
    local,
    events: () => readSink(sink),
    depth: (queueUrl: string) => queueDepth(local.sqs, queueUrl),
    async stop() {
      await local.stop();
      await rm(sink, { recursive: true, force: true });
    },
  };
}

/**
 * The local runtime with the limit fixtures (test/fixtures/limits), and what the limit tests read
 * from it: the side-effect sink, and the deferrals the workers counted (their EMF lines).
 */
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { METRIC_NAMES } from '../../lib/constants.js';
import { JobClient } from '../../lib/index.js';
import { DynamoLimitStore } from '../../lib/ledger/index.js';
import type { StartLocalOptions } from '../../local/start-local.js';
import { limitTestRegistry } from '../fixtures/limits/jobs.js';
import type { SinkEvent } from '../fixtures/local/sink.js';
import { startTestLocal, type TestLocal } from './local.js';
import { LOCAL_AWS } from './sqs.js';

const LIMIT_FUNCTIONS = fileURLToPath(new URL('../fixtures/limits/functions/', import.meta.url));

export interface LimitLocal extends TestLocal {
  /** Records the workers deferred (or handed back) so far, from their metrics lines. */
  deferred(): number;
  /** The workers' JSON log lines so far. */
  logged(): readonly Record<string, unknown>[];
  /** A client whose limit store is the runtime's table (for unique and debounce). */
  readonly client: JobClient;
}

export async function startLimitLocal(options: StartLocalOptions = {}): Promise<LimitLocal> {
  let deferred = 0;
  const logged: Record<string, unknown>[] = [];
  const running = await startTestLocal({
    registry: limitTestRegistry,
    functionsDir: LIMIT_FUNCTIONS,
    log: {
      event: () => undefined,
      output: (_source, line) => {
        if (!line.startsWith('{')) return;
        const parsed = JSON.parse(line) as Record<string, unknown>;
        const count = parsed[METRIC_NAMES.handedBack];
        if (typeof count === 'number') deferred += count;
        else logged.push(parsed);
      },
    },
    ...options,
  });
  const { local } = running;
  const dynamodb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: local.endpoints.dynamodb });
  const client = new JobClient({
    registry: limitTestRegistry,
    sqs: local.sqs,
    limits: new DynamoLimitStore({ tableName: local.tableName, client: dynamodb }),
  });
  return {
    ...running,
    client,
    deferred: () => deferred,
    logged: () => logged,
    async stop() {
      dynamodb.destroy();
      await running.stop();
    },
  };
}

/** The most runs of one key that overlapped, from their start and end events (an end at the same ms as a start comes first). */
export function maxOverlap(events: readonly SinkEvent[], start: string, end: string): number {
  const edges = events
    .filter((e) => e.label === start || e.label === end)
    .map((e) => ({ at: e.at, delta: e.label === start ? 1 : -1 }))
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let most = 0;
  for (const edge of edges) {
    running += edge.delta;
    most = Math.max(most, running);
  }
  return most;
}

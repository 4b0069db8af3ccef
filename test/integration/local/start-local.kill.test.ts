/**
 * The whole local runtime killed with SIGKILL mid-run under `--persist`, then restarted on the
 * same directory, completes every job — each exactly once. The kill is placed by events, not by
 * time: it comes once every finished job is `succeeded` (its effect and its record written), every
 * held job is claimed and waiting before its effect (a message in flight, a record `running` with a
 * lease), and the jobs without a worker yet still wait on their queue. So no job is inside the
 * window a kill cannot close (an effect done, its record not yet written).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { JobClient, type JobStatus } from '../../../lib/index.js';
import { DynamoJobLedger } from '../../../lib/ledger/index.js';
import type { JobQueues } from '../../../local/resources.js';
import type { LocalEndpoints } from '../../../local/start-local.js';
import { HOLDING_EVENT, holdLater, holdRun, holdTestRegistry } from '../../fixtures/local/jobs.js';
import { readSink } from '../../fixtures/local/sink.js';
import { queueDepth } from '../../helpers/queues.js';
import { LOCAL_AWS } from '../../helpers/sqs.js';
import { waitFor } from '../../helpers/wait.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RUNTIME = 'test/fixtures/local/persisted-runtime.ts';

interface Runtime {
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  readonly endpoints: LocalEndpoints;
  readonly queues: Readonly<Record<string, JobQueues>>;
  readonly tableName: string;
  readonly sqs: SQSClient;
  readonly ledger: DynamoJobLedger;
  readonly dynamodb: DynamoDBClient;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
const clients: { destroy(): void }[] = [];
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const client of clients.splice(0)) client.destroy();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/**
 * Starts the runtime as a child process — the runtime itself, with tsx as a loader, so a signal
 * reaches it — and waits for the line saying where it is.
 */
async function startRuntime(args: readonly string[]): Promise<Runtime> {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNTIME, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout ?? fail('no stdout') }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`The runtime exited with ${code} before it was up`)));
  });
  const started = JSON.parse(line) as Pick<Runtime, 'endpoints' | 'queues' | 'tableName'> & {
    region: string;
  };
  const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: started.endpoints.sqs });
  const dynamodb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: started.endpoints.dynamodb });
  clients.push(sqs, dynamodb);
  return {
    ...started,
    child,
    exited,
    sqs,
    dynamodb,
    ledger: new DynamoJobLedger({ tableName: started.tableName, client: dynamodb }),
  };
}

async function statuses(runtime: Runtime, jobIds: readonly string[]): Promise<(JobStatus | undefined)[]> {
  return Promise.all(jobIds.map(async (jobId) => (await runtime.ledger.getJob(jobId))?.status));
}

function fail(message: string): never {
  throw new Error(message);
}

describe('startLocal: SIGKILL under --persist', () => {
  it('completes every job exactly once after the whole runtime is killed and restarted', {
    timeout: 180_000,
  }, async () => {
    // Prepare: run 1 has a worker for hold.run only, and held jobs hold.
    const persistDir = await mkdtemp(join(tmpdir(), 'hangar-kill-'));
    const sink = await mkdtemp(join(tmpdir(), 'hangar-kill-sink-'));
    dirs.push(persistDir, sink);
    const first = await startRuntime([persistDir, sink, holdRun.name, 'hold']);
    const url = (job: string) => first.queues[job]?.queue.url ?? fail(`no queue for ${job}`);
    const client = new JobClient({
      registry: holdTestRegistry,
      sqs: first.sqs,
      queues: { [holdRun.name]: { url: url(holdRun.name) }, [holdLater.name]: { url: url(holdLater.name) } },
    });
    const ids = async (
      results: Promise<readonly ({ ok: true; jobId: string } | { ok: false; error: unknown })[]>,
    ) => (await results).map((r) => (r.ok ? r.jobId : fail(`not enqueued: ${String(r.error)}`)));
    const quick = await ids(
      client.enqueueMany(
        holdRun,
        [0, 1, 2, 3].map((i) => ({ label: `quick-${i}`, hold: false })),
      ),
    );
    const held = await ids(
      client.enqueueMany(
        holdRun,
        [0, 1, 2].map((i) => ({ label: `held-${i}`, hold: true })),
      ),
    );
    const later = await ids(
      client.enqueueMany(
        holdLater,
        [0, 1, 2].map((i) => ({ label: `later-${i}` })),
      ),
    );
    await waitFor(
      'the quick jobs to succeed and the held ones to be claimed and holding in their handlers',
      async () => {
        const [done, claimed] = await Promise.all([statuses(first, quick), statuses(first, held)]);
        const holding = new Set(readSink(sink).flatMap((e) => (e.job === HOLDING_EVENT ? [e.jobId] : [])));
        return done.every((s) => s === 'succeeded') &&
          claimed.every((s) => s === 'running') &&
          held.every((jobId) => holding.has(jobId))
          ? true
          : undefined;
      },
      60_000,
    );
    expect(await queueDepth(first.sqs, url(holdLater.name))).toBe(3);

    // Act: kill everything at once, then start again on the same directory with every worker.
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await startRuntime([persistDir, sink, 'all']);
    const all = [...quick, ...held, ...later];
    await waitFor(
      'every job to succeed',
      async () => ((await statuses(second, all)).every((s) => s === 'succeeded') ? true : undefined),
      90_000,
    );
    await waitFor('the queues to drain', async () => {
      const depths = await Promise.all(
        [holdRun.name, holdLater.name].map((job) =>
          queueDepth(second.sqs, second.queues[job]?.queue.url ?? ''),
        ),
      );
      return depths.every((depth) => depth === 0) ? true : undefined;
    });
    second.child.kill('SIGTERM');
    await second.exited;

    // Assess: one effect per job; the held jobs ran to their effect only after the restart.
    // Each held attempt that started counts, so a held job's effect comes at the attempt after them.
    const events = readSink(sink);
    const effects = events.filter((e) => e.job !== HOLDING_EVENT);
    const startedBefore = (jobId: string) =>
      events.filter((e) => e.job === HOLDING_EVENT && e.jobId === jobId).length;
    expect(effects.map((e) => e.jobId).sort()).toEqual([...all].sort());
    for (const jobId of held) {
      expect(startedBefore(jobId)).toBeGreaterThanOrEqual(1);
      expect(effects.find((e) => e.jobId === jobId)?.attempt).toBe(startedBefore(jobId) + 1);
    }
  });
});

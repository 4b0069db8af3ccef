/**
 * The acceptance run of issue 8: the real `hangar` binary, as a child process, against the whole
 * local system (`startLocal`: emulators, workers, ledger, API, scheduler), a fresh one per test.
 * `sync.run` is the job that fails for real: its source answers 403 until the test repairs it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registry } from '../../../lib/jobs/builtin/index.js';
import { DynamoJobLedger, LEDGER_DEFAULTS } from '../../../lib/ledger/index.js';
import { type LocalRuntime, startLocal } from '../../../local/start-local.js';
import { type HangarRun, runHangar } from '../../helpers/cli.js';
import { BUILTIN_FUNCTIONS } from '../../helpers/local.js';
import { startSwitchableSource } from '../../helpers/switchable-source.js';
import { waitFor } from '../../helpers/wait.js';

const SOURCES = ['crm', 'erp', 'hr'] as const;

let local: LocalRuntime;
let source: Awaited<ReturnType<typeof startSwitchableSource>>;

beforeEach(async () => {
  source = await startSwitchableSource(SOURCES);
  local = await startLocal({
    registry,
    functionsDir: BUILTIN_FUNCTIONS,
    ports: 'free',
    pollWaitSeconds: 1,
    shutdownGraceMs: 0,
    stage: { syncSources: SOURCES.map((id) => ({ id, url: source.url(id) })) },
  });
});
afterEach(async () => {
  await local.stop();
  await source.stop();
});

const hangar = (...args: string[]): Promise<HangarRun> => runHangar(args, { ...local.environment });
const json = <T>(run: HangarRun): T => JSON.parse(run.stdout) as T;

interface DeadView {
  jobId: string | null;
  name: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}
interface JobView {
  jobId: string;
  status: string;
  result?: Record<string, unknown>;
  lastError?: { code: string };
}

/** The job's ledger record through the API, once `done` says it has arrived. */
async function statusWhen(jobId: string, done: (job: JobView) => boolean, what: string): Promise<JobView> {
  return waitFor(
    `job ${jobId} to be ${what}`,
    async () => {
      const response = await fetch(`${local.endpoints.api}/jobs/${jobId}`);
      if (!response.ok) return undefined;
      const job = (await response.json()) as JobView;
      return done(job) ? job : undefined;
    },
    30_000,
  );
}

async function sendSync(sourceId: string): Promise<string> {
  const sent = await hangar('send', 'sync.run', JSON.stringify({ sourceId }), '--json');
  expect(sent.code).toBe(0);
  return json<{ jobId: string }>(sent).jobId;
}

describe('Binary: hangar against startLocal', () => {
  it('shows a permanently failing job in the DLQ with its reason, and after the fix a redrive makes it succeed', async () => {
    // Prepare: the source rejects the sync, which dead-letters at once.
    const jobId = await sendSync('crm');
    await statusWhen(jobId, (j) => j.status === 'dead', 'dead');

    // Act + Assess: what the on-call engineer sees.
    const peek = await hangar('dlq', 'peek', 'sync.run', '--json');
    expect(peek.code).toBe(0);
    expect(json<DeadView[]>(peek)).toEqual([
      expect.objectContaining({
        jobId,
        name: 'sync.run',
        errorCode: 'SOURCE_REJECTED',
        errorMessage: 'Source refused the request (HTTP 403)',
      }),
    ]);
    const dead = await hangar('jobs', '--status', 'dead', '--json');
    expect(json<{ jobs: JobView[] }>(dead).jobs.map((j) => j.jobId)).toEqual([jobId]);
    const queues = await hangar('queues', '--json');
    expect(json<{ job: string; dlqDepth: number }[]>(queues)).toContainEqual(
      expect.objectContaining({ job: 'sync.run', dlqDepth: 1 }),
    );

    // Act: fix the cause, redrive.
    source.repair('crm');
    const redrive = await hangar('redrive', 'sync.run');

    // Assess
    expect(redrive.code).toBe(0);
    expect(redrive.stdout).toBe('Redrive sync-run-dlq.fifo → sync-run.fifo: moved 1, skipped 0, failed 0.\n');
    const done = await statusWhen(jobId, (j) => j.status === 'succeeded', 'succeeded');
    expect(done.status).toBe('succeeded');
    const empty = await hangar('dlq', 'peek', 'sync.run');
    expect(empty).toMatchObject({ code: 0, stdout: 'sync-run-dlq.fifo is empty.\n' });
  });

  it('moves exactly the selected messages, moves nothing on --dry-run, and discards only what it was told', async () => {
    // Prepare: three syncs die, one per source (so each is the head of its own message group).
    const ids: Record<string, string> = {};
    for (const id of SOURCES) ids[id] = await sendSync(id);
    for (const id of SOURCES) await statusWhen(ids[id] ?? '', (j) => j.status === 'dead', 'dead');
    const deadIds = async () =>
      json<DeadView[]>(await hangar('dlq', 'peek', 'sync.run', '--json'))
        .map((d) => d.jobId)
        .sort();

    // Act: a dry run of everything, then a redrive of one.
    const dry = await hangar('redrive', 'sync.run', '--dry-run');
    const afterDry = await deadIds();
    source.repair('erp');
    const one = await hangar('redrive', 'sync.run', '--ids', ids.erp ?? '');

    // Assess
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      'Dry run (sync-run-dlq.fifo → sync-run.fifo): would move 3, skip 0; nothing was moved.',
    );
    expect(afterDry).toEqual(Object.values(ids).sort());
    expect(one.code).toBe(0);
    expect(one.stdout).toBe('Redrive sync-run-dlq.fifo → sync-run.fifo: moved 1, skipped 2, failed 0.\n');
    await statusWhen(ids.erp ?? '', (j) => j.status === 'succeeded', 'succeeded');
    expect(await deadIds()).toEqual([ids.crm, ids.hr].sort());

    // Act: discard one of the two left.
    const discard = await hangar('dlq', 'discard', 'sync.run', '--ids', ids.hr ?? '', '--yes');

    // Assess
    expect(discard.code).toBe(0);
    expect(discard.stdout).toBe(`Deleted 1 message(s) from sync-run-dlq.fifo: ${ids.hr}\n`);
    expect(await deadIds()).toEqual([ids.crm]);
  });

  it('lists the schedules, and run of the cleanup schedule runs the cleanup', async () => {
    // Prepare: a job record whose retention ended ten days ago.
    const stale = 'STALE0000000000000000000000';
    const dynamodb = new DynamoDBClient({
      region: local.region,
      endpoint: local.endpoints.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const past = new DynamoJobLedger({
      tableName: local.tableName,
      client: dynamodb,
      now: () => new Date(Date.now() - LEDGER_DEFAULTS.retentionSeconds * 1000 - 10 * 86_400_000),
    });
    await past.createJob({ jobId: stale, name: 'email.send', status: 'queued' });
    dynamodb.destroy();
    const before = await hangar('status', stale);

    // Act
    const list = await hangar('schedules', '--json');
    const run = await hangar('run', 'cleanup-run', '--json');
    const { jobId } = json<{ jobId: string }>(run);
    const done = await statusWhen(jobId, (j) => j.status === 'succeeded', 'succeeded');
    const after = await hangar('status', stale);

    // Assess
    expect(before.code).toBe(0);
    expect(list.code).toBe(0);
    expect(json<{ name: string; job: string }[]>(list)).toContainEqual(
      expect.objectContaining({ name: 'cleanup-run', job: 'cleanup.run', expression: 'cron(0 3 * * ? *)' }),
    );
    expect(run.code).toBe(0);
    expect(done).toMatchObject({ jobId, status: 'succeeded', result: { deleted: 1 } });
    expect(after.code).toBe(4);
  });
});

/**
 * The acceptance run of issue 16's operator controls: the real `hangar` binary against the whole
 * local system. `hangar pause email.send` disables the worker's event source mapping through the
 * local Lambda API; a job enqueued through the HTTP API then stays `queued` on its queue, never
 * received, while another job's worker runs; `hangar resume email.send` and it succeeds.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueDepth } from '../../../cli/queues.js';
import { registry } from '../../../lib/jobs/builtin/index.js';
import { type LocalRuntime, startLocal } from '../../../local/start-local.js';
import { type HangarRun, runHangar } from '../../helpers/cli.js';
import { BUILTIN_FUNCTIONS } from '../../helpers/local.js';
import { waitFor } from '../../helpers/wait.js';

let local: LocalRuntime;

beforeEach(async () => {
  local = await startLocal({
    ports: 'free',
    registry,
    functionsDir: BUILTIN_FUNCTIONS,
    pollWaitSeconds: 1,
    shutdownGraceMs: 0,
  });
});
afterEach(async () => {
  await local.stop();
});

const hangar = (...args: string[]): Promise<HangarRun> => runHangar(args, { ...local.environment });
const json = <T>(run: HangarRun): T => JSON.parse(run.stdout) as T;

interface JobView {
  readonly jobId: string;
  readonly status: string;
}

async function job(jobId: string): Promise<JobView> {
  const response = await fetch(`${local.endpoints.api}/jobs/${jobId}`);
  return (await response.json()) as JobView;
}

async function statusWhen(jobId: string, status: string): Promise<JobView> {
  return waitFor(
    `job ${jobId} to be ${status}`,
    async () => {
      const found = await job(jobId);
      return found.status === status ? found : undefined;
    },
    30_000,
  );
}

const states = async () =>
  Object.fromEntries(
    json<{ job: string; state: string | null }[]>(await hangar('queues', '--json')).map((r) => [
      r.job,
      r.state,
    ]),
  );

describe('Binary: hangar pause and resume against startLocal', () => {
  it('keeps an e-mail job queued while email.send is paused, and runs it after resume', async () => {
    // Act: pause, then enqueue through the API as a producer would.
    const pause = await hangar('pause', 'email.send');
    const paused = await states();
    const sent = await fetch(`${local.endpoints.api}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'email.send',
        payload: { to: ['ops@example.com'], subject: 'Paused', text: 'Waits for resume.' },
      }),
    });
    const { jobId } = (await sent.json()) as { jobId: string };
    // A witness on another queue: its worker polls, runs and finishes meanwhile.
    const witness = json<{ jobId: string }>(await hangar('run', 'cleanup-run', '--json'));
    await statusWhen(witness.jobId, 'succeeded');
    const whilePaused = await job(jobId);
    const depth = await queueDepth(local.sqs, local.queues['email.send']?.queue.url ?? '');

    // Assess: the pause took effect and held the job, unreceived.
    expect(pause).toEqual({
      code: 0,
      stdout:
        'Paused email.send: its worker takes no more messages; producers still enqueue and messages wait on the queue.\n',
      stderr: 'Waiting for the event source of email.send to be disabled…\n',
    });
    expect(paused).toEqual({ 'email.send': 'paused', 'sync.run': 'active', 'cleanup.run': 'active' });
    expect(sent.status).toBe(202);
    expect(whilePaused.status).toBe('queued');
    expect(depth).toEqual({ visible: 1, inFlight: 0, delayed: 0 });

    // Act: resume.
    const resume = await hangar('resume', 'email.send');

    // Assess
    expect(resume).toMatchObject({
      code: 0,
      stdout: 'Resumed email.send: its worker takes messages again.\n',
    });
    expect((await statusWhen(jobId, 'succeeded')).status).toBe('succeeded');
    expect((await states())['email.send']).toBe('active');
  });

  it('shows the pause in the queues table', async () => {
    // Act
    await hangar('pause', 'sync.run', '--json');
    const table = await hangar('queues');

    // Assess
    expect(table.code).toBe(0);
    expect(
      table.stdout
        .split('\n')
        .slice(0, 3)
        .map((line) => line.split(/\s+/).slice(0, 3)),
    ).toEqual([
      ['JOB', 'STATE', 'QUEUE'],
      ['email.send', 'active', 'email-send'],
      ['sync.run', 'paused', 'sync-run.fifo'],
    ]);
  });

  it.each([
    [['pause', 'email.sned'], 'Unknown job "email.sned"; jobs: email.send, sync.run, cleanup.run'],
    [['resume', 'nope'], 'Unknown job "nope"; jobs: email.send, sync.run, cleanup.run'],
    [['schedules', 'pause', 'nightly'], 'Unknown schedule "nightly"; schedules: cleanup-run'],
  ])('exits 2 for %j, naming the known ones', async (args, message) => {
    // Act
    const run = await hangar(...args);

    // Assess
    expect(run).toEqual({ code: 2, stdout: '', stderr: `hangar: error: ${message}\n` });
  });
});

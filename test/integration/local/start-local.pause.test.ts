/**
 * Pause and resume on the local runtime, through the same functions (and SDK calls) as `hangar
 * pause` and `hangar schedules pause`: against the runtime's Lambda and Scheduler endpoints.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetEventSourceMappingCommand,
  InvalidParameterValueException,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { setQueuePaused, setSchedulePaused } from '../../../cli/flow-control.js';
import { queueDepth } from '../../../cli/queues.js';
import { resolveTarget, type Target } from '../../../cli/target.js';
import { JobClient, type JobRegistry } from '../../../lib/index.js';
import { registry as builtinRegistry, cleanupRun } from '../../../lib/jobs/builtin/index.js';
import { LOCAL_CREDENTIALS } from '../../../local/function-environment.js';
import { localTestRegistry, noteFifo, noteRun } from '../../fixtures/local/jobs.js';
import { startTestLocal, type TestLocal } from '../../helpers/local.js';
import { waitFor } from '../../helpers/wait.js';

let running: TestLocal | undefined;
let target: Target | undefined;
let persistDir: string | undefined;
afterEach(async () => {
  target?.destroy();
  target = undefined;
  await running?.stop();
  running = undefined;
  if (persistDir) await rm(persistDir, { recursive: true, force: true });
  persistDir = undefined;
});

/** A CLI target on the running local runtime, as `hangar` resolves it from the runtime's variables. */
async function targetOf(test: TestLocal, registry: JobRegistry): Promise<Target> {
  target?.destroy();
  target = await resolveTarget({ env: test.local.environment, registry });
  return target;
}

describe('startLocal: a paused schedule', () => {
  it('does not fire when its time comes, and fires at its next time after resume', async () => {
    // Prepare
    running = await startTestLocal({
      registry: builtinRegistry,
      workers: false,
      clock: { start: new Date('2026-11-23T02:59:00Z') },
    });
    const { scheduler } = running.local;
    const cli = await targetOf(running, builtinRegistry);

    // Act
    const paused = await setSchedulePaused(cli, builtinRegistry, cleanupRun.name, true);
    const whilePaused = await scheduler.advanceTo(new Date('2026-11-24T03:30:00Z'));
    const resumed = await setSchedulePaused(cli, builtinRegistry, 'cleanup-run', false);
    const afterResume = await scheduler.advanceTo(new Date('2026-11-25T03:00:00Z'));

    // Assess
    expect(paused).toEqual({ schedule: 'cleanup-run', job: 'cleanup.run', state: 'DISABLED' });
    expect(whilePaused).toEqual([]);
    expect(resumed.state).toBe('ENABLED');
    expect(afterResume.map((f) => [f.scheduleName, f.scheduledAt.toISOString()])).toEqual([
      ['cleanup-run', '2026-11-25T03:00:00.000Z'],
    ]);
  });
});

describe('startLocal: a paused queue', () => {
  it('stays paused across a restart under --persist, holding its jobs while other queues run, and drains after resume', async () => {
    // Prepare: note.run paused in a persisted runtime, which then stops.
    persistDir = await mkdtemp(join(tmpdir(), 'hangar-pause-'));
    const options = {
      registry: localTestRegistry,
      workers: [noteRun.name, noteFifo.name],
      persistDir,
      pollWaitSeconds: 1,
    };
    running = await startTestLocal(options);
    const pause = await setQueuePaused(await targetOf(running, localTestRegistry), noteRun, true);
    await running.stop();

    // Act: a new runtime on the same directory; a job for the paused queue, then one for another.
    running = await startTestLocal(options);
    const { local } = running;
    const mappings = Object.fromEntries(
      local.mappings.list().map((m) => [m.FunctionArn.split(':').pop(), m.State]),
    );
    const client = new JobClient({ registry: localTestRegistry, sqs: local.sqs });
    await client.enqueue(noteRun, { label: 'held' });
    await client.enqueue(noteFifo, { label: 'witness', group: 'g' });
    const test = running;
    await waitFor('the witness to run', () =>
      test.events().some((e) => e.label === 'witness') ? true : undefined,
    );
    const held = await queueDepth(local.sqs, local.queues[noteRun.name]?.queue.url ?? '');
    const labelsWhilePaused = running.events().map((e) => e.label);
    const resume = await setQueuePaused(await targetOf(running, localTestRegistry), noteRun, false);
    await waitFor('the held job to run', () =>
      test.events().some((e) => e.label === 'held') ? true : undefined,
    );

    // Assess
    expect(pause).toMatchObject({ job: noteRun.name, state: 'paused', settled: true });
    expect(mappings).toEqual({ 'note-run-worker': 'Disabled', 'note-fifo-worker': 'Enabled' });
    expect(labelsWhilePaused).toEqual(['witness']);
    expect(held).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
    expect(resume).toMatchObject({ job: noteRun.name, state: 'active', settled: true });
  });
});

describe('startLocal: the Lambda event-source-mapping API', () => {
  it('lists a worker by its queue, and answers as Lambda does for an unknown mapping or a change it does not make', async () => {
    // Prepare
    running = await startTestLocal({
      registry: localTestRegistry,
      workers: [noteRun.name],
      pollWaitSeconds: 1,
    });
    const { local } = running;
    const lambda = new LambdaClient({
      region: local.region,
      credentials: LOCAL_CREDENTIALS,
      endpoint: local.endpoints.lambda,
    });
    const queueArn = local.queues[noteRun.name]?.queue.arn ?? '';

    try {
      // Act
      const listed = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: queueArn }));
      const uuid = listed.EventSourceMappings?.[0]?.UUID ?? '';
      const unknown = lambda.send(new GetEventSourceMappingCommand({ UUID: 'no-such-mapping' }));
      const resize = lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, BatchSize: 5 }));

      // Assess
      expect(listed.EventSourceMappings).toEqual([
        expect.objectContaining({
          EventSourceArn: queueArn,
          FunctionArn: `arn:aws:lambda:${local.region}:000000000000:function:note-run-worker`,
          State: 'Enabled',
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        }),
      ]);
      await expect(unknown).rejects.toBeInstanceOf(ResourceNotFoundException);
      await expect(unknown).rejects.toThrow(
        'The resource you requested does not exist. (Event source mapping no-such-mapping)',
      );
      await expect(resize).rejects.toBeInstanceOf(InvalidParameterValueException);
      await expect(resize).rejects.toThrow(
        "The local runtime updates only Enabled; the job's settings decide BatchSize.",
      );
    } finally {
      lambda.destroy();
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { JobClient } from '../../../lib/index.js';
import { workerFunctionName } from '../../../local/function-environment.js';
import { localTestRegistry, slowRun } from '../../fixtures/local/jobs.js';
import { startTestLocal, type TestLocal } from '../../helpers/local.js';
import { waitFor } from '../../helpers/wait.js';

let running: TestLocal | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('startLocal: function timeout', () => {
  it('terminates a handler that outlives its timeout; its side effect never lands, its record is redelivered and succeeds', async () => {
    // Prepare: slow.run keeps the CPU busy forever on attempt 1, recording nothing; its timeout is 1 s.
    running = await startTestLocal({ workers: [slowRun.name] });
    const { local } = running;
    const client = new JobClient({ registry: localTestRegistry, sqs: local.sqs });
    const queues = local.queues[slowRun.name];
    if (!queues) throw new Error('no queues for slow.run');
    const enqueuedAt = Date.now();

    // Act
    const { jobId } = await client.enqueue(slowRun, { label: 'heavy' });
    const [done] = await waitFor('the redelivered attempt', () => {
      const events = running?.events() ?? [];
      return events.length > 0 ? events : undefined;
    });

    // Assess: only attempt 2 recorded, after the visibility timeout (6 × 1 s) let the record return.
    expect(done).toMatchObject({ jobId, attempt: 2, label: 'heavy' });
    const visibilityMs = local.settings.job(slowRun.name).queue.visibilityTimeoutSeconds * 1000;
    expect((done?.at ?? 0) - enqueuedAt).toBeGreaterThanOrEqual(visibilityMs);
    await waitFor('the queue to drain', async () =>
      (await running?.depth(queues.queue.url)) === 0 ? true : undefined,
    );
    expect(await running.depth(queues.dlq.url)).toBe(0);
    expect(running.events()).toHaveLength(1);
    // The killed instance was replaced: the second invocation started cold.
    expect(local.functions.get(workerFunctionName(slowRun.name))?.stats).toEqual({
      invocations: 2,
      coldStarts: 2,
    });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { JobClient } from '../../../lib/index.js';
import { WORKER_LOG_MESSAGES } from '../../../lib/worker/rules.js';
import { flakyRun, localTestRegistry } from '../../fixtures/local/jobs.js';
import { startTestLocal, type TestLocal } from '../../helpers/local.js';
import { waitFor } from '../../helpers/wait.js';

let running: TestLocal | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('startLocal: retries', () => {
  it('runs a job that fails twice and then succeeds three times, with growing gaps', async () => {
    // Prepare: keep what the worker logs, to read the delays it scheduled.
    const logged: Record<string, unknown>[] = [];
    running = await startTestLocal({
      workers: [flakyRun.name],
      log: {
        event: () => undefined,
        output: (_source, line) => {
          if (line.startsWith('{')) logged.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    });
    const { local } = running;
    const client = new JobClient({ registry: localTestRegistry, sqs: local.sqs });

    // Act
    const { jobId } = await client.enqueue(flakyRun, { label: 'try hard' });
    const attempts = await waitFor('the third attempt', () => {
      const events = running?.events() ?? [];
      return events.length >= 3 ? events : undefined;
    });

    // Assess: attempts 1, 2, 3 of one job; the worker scheduled backoffs of 2 s, then 3 s (jitter
    // pinned by the fixture), and no attempt came back sooner than its backoff.
    expect(attempts.map((e) => [e.jobId, e.attempt])).toEqual([
      [jobId, 1],
      [jobId, 2],
      [jobId, 3],
    ]);
    const retries = logged.filter((line) => line.message === WORKER_LOG_MESSAGES.retrying);
    expect(retries.map((line) => [line.attempt, line.delaySeconds])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    const [first, second, third] = attempts.map((e) => e.at);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(2_000);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(3_000);
    // Succeeded: the record is deleted, nothing is dead-lettered, and no fourth attempt follows.
    const queues = local.queues[flakyRun.name];
    if (!queues) throw new Error('no queues for flaky.run');
    await waitFor('the queue to drain', async () =>
      (await running?.depth(queues.queue.url)) === 0 ? true : undefined,
    );
    expect(await running.depth(queues.dlq.url)).toBe(0);
    expect(running.events()).toHaveLength(3);
  });
});

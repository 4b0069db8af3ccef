import { afterEach, describe, expect, it } from 'vitest';
import { JobClient } from '../../../lib/index.js';
import { keyedRun, limitTestRegistry, RUN_END, RUN_START } from '../../fixtures/limits/jobs.js';
import { type LimitLocal, maxOverlap, startLimitLocal } from '../../helpers/limits.js';
import { waitFor } from '../../helpers/wait.js';

let running: LimitLocal | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const TENANTS = 10;
const JOBS = 200;

describe('startLocal: concurrency per key', () => {
  it('never runs more than 2 jobs of one tenant at once while 200 jobs of 10 tenants run on several instances', async () => {
    // Prepare
    running = await startLimitLocal({ workers: [keyedRun.name] });
    const client = new JobClient({ registry: limitTestRegistry, sqs: running.local.sqs });
    const payloads = Array.from({ length: JOBS }, (_, i) => ({
      tenant: `t${i % TENANTS}`,
      label: `job-${i}`,
    }));

    // Act
    const sent = await client.enqueueMany(keyedRun, payloads);
    const events = await waitFor(
      'every job to end',
      () => {
        const all = running?.events() ?? [];
        return all.filter((e) => e.label === RUN_END).length >= JOBS ? all : undefined;
      },
      180_000,
    );

    // Assess: each job ran once, to its end; per tenant (the sink's `job`), never more than 2 at once.
    expect(sent.every((r) => r.ok)).toBe(true);
    const starts = events.filter((e) => e.label === RUN_START);
    expect(new Set(starts.map((e) => e.jobId)).size).toBe(JOBS);
    expect(starts).toHaveLength(JOBS);
    for (let t = 0; t < TENANTS; t++) {
      const tenant = events.filter((e) => e.job === `t${t}`);
      expect(tenant.filter((e) => e.label === RUN_START)).toHaveLength(JOBS / TENANTS);
      expect(maxOverlap(tenant, RUN_START, RUN_END)).toBeLessThanOrEqual(
        keyedRun.limits?.concurrency?.limit ?? 0,
      );
    }
    // The limit held jobs back (instances took more records than it lets run), and none was dead-lettered.
    expect(running.deferred()).toBeGreaterThan(0);
    const queues = running.local.queues[keyedRun.name];
    if (!queues) throw new Error(`no queues for ${keyedRun.name}`);
    expect(await running.depth(queues.dlq.url)).toBe(0);
  }, 240_000);
});

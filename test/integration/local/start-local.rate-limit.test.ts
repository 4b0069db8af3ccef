import { afterEach, describe, expect, it } from 'vitest';
import { WORKER_LOG_MESSAGES } from '../../../lib/worker/rules.js';
import { rateRun } from '../../fixtures/limits/jobs.js';
import { type LimitLocal, startLimitLocal } from '../../helpers/limits.js';
import { waitFor } from '../../helpers/wait.js';

let running: LimitLocal | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const JOBS = 100;

/** The most of `times` (sorted) that lie in one window of `windowMs`, [t, t + windowMs). */
function busiestWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] ?? 0) - (times[j] ?? 0) >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('startLocal: rate limit', () => {
  it('starts 100 jobs at 5 per second: no second holds more than 5 granted starts, and they span ≥ 19.8 s', async () => {
    // Prepare: the grants the workers log (debug) are the limiter's own times.
    running = await startLimitLocal({
      workers: [rateRun.name],
      environment: { POWERTOOLS_LOG_LEVEL: 'DEBUG' },
    });
    const rate = rateRun.limits?.rateLimit;
    if (!rate) throw new Error('limit.rate declares no rate limit');
    const intervalMs = (rate.perSeconds * 1000) / rate.limit;

    // Act
    const sent = await running.client.enqueueMany(
      rateRun,
      Array.from({ length: JOBS }, (_, i) => ({ label: `job-${i}` })),
    );
    const events = await waitFor(
      'every job to start',
      () => {
        const all = running?.events() ?? [];
        return new Set(all.map((e) => e.jobId)).size >= JOBS ? all : undefined;
      },
      240_000,
    );

    // Assess: each job ran once (its ledger claim sees to that); the grants — a job whose run was
    // cut short by its deadline asks again — are at least one interval apart, so any window of
    // `perSeconds` holds at most `limit` of them, and 100 jobs take at least 99 intervals; each
    // handler started no earlier than a grant of its job (its own clock, after the grant).
    expect(sent.every((r) => r.ok)).toBe(true);
    expect(events).toHaveLength(JOBS);
    const grants = new Map<string, number[]>();
    for (const line of running.logged()) {
      if (line.message !== WORKER_LOG_MESSAGES.rateStart) continue;
      const jobId = String(line.jobId);
      grants.set(jobId, [...(grants.get(jobId) ?? []), Number(line.startAt)]);
    }
    expect(grants.size).toBe(JOBS);
    const times = [...grants.values()].flat().sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) {
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(intervalMs);
    }
    expect(busiestWindow(times, rate.perSeconds * 1000)).toBeLessThanOrEqual(rate.limit);
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual((JOBS - 1) * intervalMs);
    for (const event of events) {
      expect(Math.min(...(grants.get(event.jobId) ?? []))).toBeLessThanOrEqual(event.at);
    }
    const queues = running.local.queues[rateRun.name];
    if (!queues) throw new Error(`no queues for ${rateRun.name}`);
    expect(await running.depth(queues.dlq.url)).toBe(0);
  }, 300_000);
});

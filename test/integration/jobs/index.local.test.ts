/**
 * The contract every registered job keeps in the local runtime, over the application's registry
 * (`jobs/index.ts`) and its functions — whatever a team registers there: a running local worker on
 * its queue, acceptance by the HTTP API, and its recurring schedules in the local scheduler. The
 * framework's own local-runtime tests use fixture registries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../../jobs/index.js';
import { ERROR_CODES } from '../../../lib/index.js';
import { type LocalRuntime, startLocal } from '../../../local/start-local.js';

let local: LocalRuntime;
beforeAll(async () => {
  local = await startLocal({ ports: 'free', registry, shutdownGraceMs: 0 });
});
afterAll(async () => {
  await local?.stop();
});

const jobs = registry.jobs.map((job) => [job.name, job] as const);

describe('Contract: the application registry (jobs/index.ts), run locally', () => {
  it('starts with no warning: every function it needs exists', () => {
    expect(local.warnings).toEqual([]);
  });

  it.each(jobs)('%s: has a running local worker on its own queue', (jobName) => {
    const worker = local.workers.find((w) => w.jobName === jobName);
    expect(worker?.status).toBe('running');
    expect(worker?.eventSource).toBeDefined();
    expect(local.queues[jobName]?.queue.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  });

  it.each(jobs)(
    '%s: is accepted by the HTTP API (its payload checked by its own schema)',
    async (jobName, job) => {
      // Act: the payload a firing would carry, or an empty one: the API knows the job either way.
      const response = await fetch(`${local.endpoints.api}/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: jobName, payload: job.schedule?.payload ?? {} }),
      });
      const body = (await response.json()) as { jobId?: string; error?: { code: string } };

      // Assess
      if (response.status === 202) expect(body.jobId).toEqual(expect.any(String));
      else expect([response.status, body.error?.code]).toEqual([400, ERROR_CODES.validation]);
    },
  );

  it.each(jobs)('%s: has each recurring schedule it declares in the local scheduler', (jobName) => {
    const declared = local.settings.job(jobName).schedules;
    const running = local.scheduler.list({ groupName: local.scheduleGroupName });
    for (const schedule of declared) {
      expect(running.find((s) => s.Name === schedule.name)).toMatchObject({
        ScheduleExpression: schedule.expression,
        ScheduleExpressionTimezone: schedule.timeZone,
        State: 'ENABLED',
      });
    }
    expect(running.filter((s) => declared.some((d) => d.name === s.Name))).toHaveLength(declared.length);
  });
});

/**
 * Pause and resume from the page, in real Chromium against a real local runtime: the buttons call
 * what `hangar schedules pause|resume` and `hangar pause|resume` call, through the runtime's
 * Scheduler and Lambda endpoints. A schedule paused from the page does not fire when the driven
 * clock reaches its time and fires again after resume; a queue paused from the overview holds its
 * job while another queue runs, and drains after resume.
 */
import { describe, expect, it } from 'vitest';
import { resourceStem } from '../../lib/deploy/index.js';
import { faultRun, tickRun } from '../fixtures/dashboard/jobs.js';
import { useChromium } from '../helpers/browser.js';
import { useDashboardPage } from '../helpers/dashboard.js';
import { waitFor } from '../helpers/wait.js';

/** 02:59 in Berlin (UTC+1 in November): one minute before the nightly 03:00 firing. */
const START = new Date('2026-11-23T01:59:00.000Z');
const schedule = resourceStem(tickRun.name);

const browser = useChromium();
const { env, page } = useDashboardPage(browser, () => ({
  local: { clock: { start: START } },
  dashboard: { now: () => env().local.scheduler.now() },
}));

const scheduleRow = () => page().locator(`[data-testid="schedules"] tr[data-schedule="${schedule}"]`);
const queueRow = (job: string) => page().locator(`[data-testid="queues"] tr[data-job="${job}"]`);
const ran = (label: string) => () =>
  env()
    .events()
    .some((e) => e.label === label)
    ? true
    : undefined;

describe('Page: schedules, pause and resume', () => {
  it('a schedule paused from the page does not fire when its time comes, and fires after resume', async () => {
    // Prepare
    await page().goto(`${env().dashboard.url}/#/schedules`);
    await scheduleRow().waitFor();

    // Act: pause, and let the clock pass its 03:00 Berlin firing.
    await scheduleRow().getByRole('button', { name: 'Pause' }).click();
    const paused = (await page().locator('.notice.good').textContent()) ?? '';
    await scheduleRow().locator('.badge.state-disabled').waitFor();
    const whilePaused = await env().local.scheduler.advanceTo(new Date('2026-11-23T02:00:00.000Z'));

    // Act: resume; the next night's firing comes.
    await scheduleRow().getByRole('button', { name: 'Resume' }).click();
    await scheduleRow().locator('.badge.state-enabled').waitFor();
    const afterResume = await env().local.scheduler.advanceTo(new Date('2026-11-24T02:00:00.000Z'));
    await waitFor('the firing’s job to run', ran('nightly'));

    // Assess
    expect(paused).toBe(`${schedule} paused.`);
    expect(whilePaused).toEqual([]);
    expect(afterResume.map((f) => [f.scheduleName, f.scheduledAt.toISOString()])).toEqual([
      [schedule, '2026-11-24T02:00:00.000Z'],
    ]);
    expect(env().events()).toHaveLength(1);
  });
});

describe('Page: overview, pause and resume', () => {
  it('a queue paused from the overview holds its job while another queue runs, and drains after resume', async () => {
    // Prepare
    await page().goto(`${env().dashboard.url}/#/`);
    await queueRow(tickRun.name).waitFor();

    // Act: pause tick.run; enqueue one job for it and one for fault.run, which is not paused.
    await queueRow(tickRun.name).getByRole('button', { name: 'Pause' }).click();
    await queueRow(tickRun.name).locator('.badge.paused').waitFor();
    await waitFor('the pause to take effect', () =>
      env()
        .local.mappings.list()
        .some((m) => m.State === 'Disabled')
        ? true
        : undefined,
    );
    await env().client.enqueue(tickRun, { note: 'held' });
    await env().client.enqueue(faultRun, { label: 'witness' });
    await waitFor('the witness to run', ran('witness'));
    const labelsWhilePaused = env()
      .events()
      .map((e) => e.label);
    await queueRow(tickRun.name).locator('td.num').first().filter({ hasText: '1' }).waitFor();

    // Act: resume from the page.
    await queueRow(tickRun.name).getByRole('button', { name: 'Resume' }).click();
    await waitFor('the held job to run', ran('held'));

    // Assess
    expect(labelsWhilePaused).toEqual(['witness']);
    expect(await queueRow(faultRun.name).locator('td').last().textContent()).toContain('running');
  });
});

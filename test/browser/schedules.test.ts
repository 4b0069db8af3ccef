/**
 * Schedules in real Chromium against a real local runtime on a driven clock: a recurring schedule
 * with its next firings as Scheduler computes them (Europe/Berlin, daylight saving included), run
 * now from the page, its last scheduled firing's job with its outcome, and a schedule paused from
 * the page that does not fire when its time comes (the buttons call `hangar schedules
 * pause|resume`'s code, through the runtime's Scheduler endpoint).
 */
import { describe, expect, it } from 'vitest';
import { resourceStem } from '../../lib/deploy/index.js';
import { tickRun } from '../fixtures/dashboard/jobs.js';
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

const row = () => page().locator(`[data-testid="schedules"] tr[data-schedule="${schedule}"]`);

describe('Page: schedules', () => {
  it('shows a recurring schedule with its next five firings, and runs it now', async () => {
    // Prepare
    await page().goto(`${env().dashboard.url}/#/schedules`);
    await row().waitFor();

    // Act
    const cells = await row().locator('td').allTextContents();
    const next = await row().locator('ol.firings li').allTextContents();
    await row().getByRole('button', { name: 'Run now' }).click();
    const fired = (await page().locator('.notice.good').textContent()) ?? '';
    const jobId = /job (\w+)/.exec(fired)?.[1] ?? '';
    await waitFor('the fired job to run', () =>
      env()
        .events()
        .some((e) => e.jobId === jobId)
        ? true
        : undefined,
    );

    // Assess: 03:00 Berlin is 02:00 UTC (the page shows UTC) until the end of March.
    expect(cells.slice(0, 5)).toEqual([
      schedule,
      tickRun.name,
      'cron(0 3 * * ? *)',
      'Europe/Berlin',
      'enabled',
    ]);
    expect(next).toEqual([
      '2026-11-23 02:00:00',
      '2026-11-24 02:00:00',
      '2026-11-25 02:00:00',
      '2026-11-26 02:00:00',
      '2026-11-27 02:00:00',
    ]);
    expect(fired).toBe(`Fired ${schedule}: job ${jobId} (${tickRun.name}) is on ${schedule}.`);
    expect(
      env()
        .events()
        .map((e) => [e.jobId, e.label]),
    ).toEqual([[jobId, 'nightly']]);
  });

  it('shows the last scheduled firing’s job and its outcome', async () => {
    // Prepare
    await page().goto(`${env().dashboard.url}/#/schedules`);
    await row().waitFor();
    const before = await row().locator('td').nth(6).textContent();

    // Act: the clock reaches 03:00 Berlin; the firing's job runs.
    const [firing] = await env().local.scheduler.advanceTo(new Date('2026-11-23T02:00:00.000Z'));
    await waitFor('the firing’s job to succeed', () => (env().events().length === 1 ? true : undefined));
    await row().locator('td .badge.status-succeeded').waitFor();
    const last = await row().locator('td').nth(6).textContent();

    // Assess
    expect(firing?.scheduleName).toBe(schedule);
    expect(before).toBe('–');
    expect(last).toBe(`2026-11-23 02:00:00${env().events()[0]?.jobId} succeeded`);
  });
});

describe('Page: schedules, pause and resume', () => {
  it('a schedule paused from the page does not fire when its time comes, and fires after resume', async () => {
    // Prepare
    await page().goto(`${env().dashboard.url}/#/schedules`);
    await row().waitFor();

    // Act: pause, and let the clock pass its 03:00 Berlin firing.
    await row().getByRole('button', { name: 'Pause' }).click();
    const paused = (await page().locator('.notice.good').textContent()) ?? '';
    await row().locator('.badge.state-disabled').waitFor();
    const whilePaused = await env().local.scheduler.advanceTo(new Date('2026-11-23T02:00:00.000Z'));

    // Act: resume; the next night's firing comes.
    await row().getByRole('button', { name: 'Resume' }).click();
    await row().locator('.badge.state-enabled').waitFor();
    const afterResume = await env().local.scheduler.advanceTo(new Date('2026-11-24T02:00:00.000Z'));
    await waitFor('the firing’s job to run', () => (env().events().length === 1 ? true : undefined));

    // Assess
    expect(paused).toBe(`${schedule} paused.`);
    expect(whilePaused).toEqual([]);
    expect(afterResume.map((f) => [f.scheduleName, f.scheduledAt.toISOString()])).toEqual([
      [schedule, '2026-11-24T02:00:00.000Z'],
    ]);
    expect(env().events()).toHaveLength(1);
  });
});

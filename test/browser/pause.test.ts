/**
 * Pausing a queue from the overview, in real Chromium against a real local runtime: the buttons
 * call what `hangar pause|resume` call, through the runtime's Lambda endpoint. A paused queue holds
 * its job while another queue runs, and drains after resume. (Pausing a schedule: schedules.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { faultRun, tickRun } from '../fixtures/dashboard/jobs.js';
import { useChromium } from '../helpers/browser.js';
import { useDashboardPage } from '../helpers/dashboard.js';
import { waitFor } from '../helpers/wait.js';

const browser = useChromium();
const { env, page } = useDashboardPage(browser);

const queueRow = (job: string) => page().locator(`[data-testid="queues"] tr[data-job="${job}"]`);
const ran = (label: string) => () =>
  env()
    .events()
    .some((e) => e.label === label)
    ? true
    : undefined;

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

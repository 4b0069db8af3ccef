/**
 * The dashboard's overview in real Chromium against a real local runtime: what it shows, and that
 * it refreshes by itself.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { faultRun } from '../fixtures/dashboard/jobs.js';
import { launchChromium, openPage } from '../helpers/browser.js';
import { startTestDashboard, type TestDashboard } from '../helpers/dashboard.js';

let browser: Browser;
let env: TestDashboard;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});
beforeEach(async () => {
  env = await startTestDashboard();
  page = await openPage(browser);
});
afterEach(async () => {
  await page.close();
  await env.stop();
});

describe('Page: overview', () => {
  it('shows each job’s queue pair and jobs by status, and updates by itself', async () => {
    // Prepare
    await page.goto(env.dashboard.url);
    const row = page.locator('[data-testid="queues"] tr[data-job="fault.run"]');
    await row.waitFor();
    const updated = await page.getByTestId('updated').textContent();

    // Act: a job runs and succeeds while the page is open.
    const { jobId } = await env.client.enqueue(faultRun, { label: 'hello' });
    await page
      .locator('[data-testid="counts"] li[data-status="succeeded"] strong', { hasText: /^1$/ })
      .waitFor();

    // Assess
    expect(
      await page
        .locator('[data-testid="queues"] tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job'))),
    ).toEqual(['fault.run', 'tick.run']);
    expect(await row.locator('td').nth(1).textContent()).toBe('fault-run');
    expect(await page.getByTestId('updated').textContent()).not.toBe(updated);
    expect(env.events().map((e) => e.jobId)).toEqual([jobId]);
  });
});

/**
 * The dashboard's overview in real Chromium against a real local runtime: what it shows, and that
 * it refreshes by itself.
 */
import { describe, expect, it } from 'vitest';
import { faultRun } from '../fixtures/dashboard/jobs.js';
import { useChromium } from '../helpers/browser.js';
import { useDashboardPage } from '../helpers/dashboard.js';
import { waitFor } from '../helpers/wait.js';

const browser = useChromium();
const { env, page } = useDashboardPage(browser);

/** The budget for the overview page(). */
const OVERVIEW_BUDGET_BYTES = 300 * 1024;

describe('Page: overview', () => {
  it('shows each job’s queue pair and jobs by status, and updates by itself', async () => {
    // Prepare
    await page().goto(env().dashboard.url);
    const row = page().locator('[data-testid="queues"] tr[data-job="fault.run"]');
    await row.waitFor();
    const updated = Number(await page().getByTestId('updated').getAttribute('data-at'));

    // Act: a job runs and succeeds while the page is open.
    const { jobId } = await env().client.enqueue(faultRun, { label: 'hello' });
    await page()
      .locator('[data-testid="counts"] li[data-status="succeeded"] strong', { hasText: /^1$/ })
      .waitFor();

    // Assess
    expect(
      await page()
        .locator('[data-testid="queues"] tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job'))),
    ).toEqual(['fault.run', 'tick.run']);
    expect(await row.locator('td').nth(1).textContent()).toBe('fault-run');
    expect(Number(await page().getByTestId('updated').getAttribute('data-at'))).toBeGreaterThan(updated);
    expect(await page().getByTestId('updated').textContent()).toMatch(/^Last updated \d\d:\d\d:\d\d$/);
    expect(
      env()
        .events()
        .map((e) => e.jobId),
    ).toEqual([jobId]);
  });

  it('transfers at most 300 KB for a fresh load, every byte from the dashboard itself', async () => {
    // Prepare: no cache; count what crosses the wire (compressed, as served).
    const cdp = await page().context().newCDPSession(page());
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    // The first fetch of each URL: the page refreshes by itself, and its refreshes are not the load.
    const firstOf = new Map<string, string>();
    const sizes = new Map<string, number>();
    cdp.on('Network.requestWillBeSent', (event: { requestId: string; request: { url: string } }) => {
      if (![...firstOf.values()].includes(event.request.url)) firstOf.set(event.requestId, event.request.url);
    });
    cdp.on('Network.loadingFinished', (event: { requestId: string; encodedDataLength: number }) => {
      const url = firstOf.get(event.requestId);
      if (url !== undefined) sizes.set(url, event.encodedDataLength);
    });
    const origins = new Set<string>();
    page().on('request', (request) => origins.add(new URL(request.url()).origin));

    // Act
    await page().goto(env().dashboard.url);
    await page().locator('[data-testid="chart"] canvas').waitFor();
    const loaded = ['/', '/api/config', '/api/metrics', '/api/overview'];
    await waitFor('the first answers to arrive', () => {
      const paths = [...sizes.keys()].map((url) => new URL(url).pathname);
      return loaded.every((p) => paths.includes(p)) ? true : undefined;
    });
    const bytes = [...sizes.values()].reduce((a, b) => a + b, 0);

    // Assess: the page, its script and style, and its first answers.
    expect([...sizes.keys()].filter((url) => new URL(url).pathname.startsWith('/assets/'))).toHaveLength(2);
    expect(bytes).toBeLessThanOrEqual(OVERVIEW_BUDGET_BYTES);
    expect([...origins]).toEqual([env().dashboard.url]);
  });
});

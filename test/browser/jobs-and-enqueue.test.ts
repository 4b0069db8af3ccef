/**
 * Jobs and enqueue in real Chromium against a real local runtime: the form built from a job's
 * schema, whose invalid submit shows the server's issue at its field and sends nothing; a valid
 * one with an idempotency key, found again by that key; a bulk cancel of jobs not yet started.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../../lib/validation.js';
import { faultRun } from '../fixtures/dashboard/jobs.js';
import { useChromium } from '../helpers/browser.js';
import { useDashboardPage } from '../helpers/dashboard.js';
import { queueDepth } from '../helpers/queues.js';

const browser = useChromium();

describe('Page: enqueue', () => {
  const { env, page } = useDashboardPage(browser);

  it('shows the server’s validation error at its field and sends nothing', async () => {
    // Prepare
    await page().goto(`${env().dashboard.url}/#/enqueue/${faultRun.name}`);
    await page().getByLabel('label *').waitFor();

    // Act: an empty label (required, at least one character) and a count of 0 (at least 1).
    await page().getByLabel('count').fill('0');
    await page()
      .getByRole('button', { name: `Enqueue ${faultRun.name}` })
      .click();
    const labelError = await page().locator('[data-field="label"] .field-error').textContent();
    const countError = await page().locator('[data-field="count"] .field-error').textContent();

    // Assess: exactly what the job's schema says about that payload.
    const checked = check(faultRun.schema, { count: 0 });
    const expected = checked.ok ? {} : Object.fromEntries(checked.issues.map((i) => [i.path, i.message]));
    expect({ label: labelError, count: countError }).toEqual(expected);
    expect(await queueDepth(env().local.sqs, env().local.queues[faultRun.name]?.queue.url ?? '')).toBe(0);
    expect((await env().target.ledger?.listJobs({}))?.jobs).toEqual([]);
  });

  it('enqueues a valid form with an idempotency key, and the job is found again by that key', async () => {
    // Prepare
    await page().goto(`${env().dashboard.url}/#/enqueue/${faultRun.name}`);
    await page().getByLabel('label *').fill('from-the-form');
    await page().getByLabel('Idempotency key').fill('order-7');

    // Act
    await page()
      .getByRole('button', { name: `Enqueue ${faultRun.name}` })
      .click();
    const jobId = (await page().locator('.notice.good a').textContent()) ?? '';
    await page().locator('nav.top').getByRole('link', { name: 'Jobs' }).click();
    await page().getByLabel('Job id or idempotency key').fill('order-7');
    await page().getByRole('button', { name: 'Find' }).click();
    await page().locator('.status-line .badge.status-succeeded').waitFor();

    // Assess
    expect(await page().locator('h1').textContent()).toBe(`Job ${jobId}`);
    expect(await page().locator('table.record').textContent()).toContain('order-7');
    expect(
      env()
        .events()
        .map((e) => [e.jobId, e.label]),
    ).toEqual([[jobId, 'from-the-form']]);
  });
});

describe('Page: jobs', () => {
  // No workers: enqueued jobs stay queued, so they can be cancelled.
  const { env, page } = useDashboardPage(browser, () => ({ local: { workers: false } }));

  it('lists jobs newest first and cancels the selected ones', async () => {
    // Prepare: three jobs through the job service (records `queued`).
    const service = await env().target.jobService();
    const ids: string[] = [];
    for (const label of ['one', 'two', 'three'])
      ids.push((await service.enqueue({ job: faultRun.name, payload: { label } })).jobId);
    await page().goto(`${env().dashboard.url}/#/jobs`);
    const listed = () =>
      page()
        .locator('[data-testid="jobs"] tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job-id')));
    await page().locator(`[data-testid="jobs"] tr[data-job-id="${ids[0]}"]`).waitFor();
    const order = await listed();

    // Act
    for (const id of [ids[0], ids[2]])
      await page().locator(`tr[data-job-id="${id}"] input[type="checkbox"]`).check();
    await page().getByRole('button', { name: 'Cancel selected (2)' }).click();
    await page().getByRole('dialog').getByRole('button', { name: 'Cancel 2 job(s)' }).click();
    await page().locator('.notice.good').waitFor();
    await page().locator(`tr[data-job-id="${ids[0]}"] .badge.status-cancelled`).waitFor();

    // Assess
    expect(order).toEqual([...ids].reverse());
    const statuses = await Promise.all(
      ids.map(async (id) => (await env().target.ledger?.getJob(id))?.status),
    );
    expect(statuses).toEqual(['cancelled', 'queued', 'cancelled']);
  });
});

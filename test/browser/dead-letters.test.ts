/**
 * The on-call path in real Chromium against a real local runtime: a job that fails for good is
 * found from the overview, read, redriven once its cause is fixed, and seen succeeding; and a bulk
 * discard that asks first and removes exactly what was selected.
 */
import { describe, expect, it } from 'vitest';
import { FAULT_CODE, faultRun } from '../fixtures/dashboard/jobs.js';
import { useChromium } from '../helpers/browser.js';
import { useDashboardPage } from '../helpers/dashboard.js';
import { queueDepth } from '../helpers/queues.js';
import { waitFor } from '../helpers/wait.js';

const browser = useChromium();
const { env, page } = useDashboardPage(browser);

const dlqUrl = () => env().local.queues[faultRun.name]?.dlq.url ?? '';

/** Enqueues `labels` while the fault is on, and waits until all of them are in the DLQ. */
async function deadJobs(...labels: string[]): Promise<string[]> {
  await env().fault(true);
  const ids: string[] = [];
  for (const label of labels) ids.push((await env().client.enqueue(faultRun, { label })).jobId);
  await waitFor('the jobs in the DLQ', async () =>
    (await queueDepth(env().local.sqs, dlqUrl())) === labels.length ? true : undefined,
  );
  return ids;
}

describe('Page: dead letters', () => {
  it('a permanent failure: found by its DLQ count, opened, its reason read, redriven after the fix, seen succeeded', async () => {
    // Prepare
    const [jobId] = await deadJobs('invoice-42');

    // Act: from the overview to the dead letter and its job.
    await page().goto(env().dashboard.url);
    await page()
      .locator('[data-testid="queues"] tr[data-job="fault.run"] a[data-testid="dlq-count"]', {
        hasText: /^1$/,
      })
      .click();
    const row = page().locator(`[data-testid="dead-letters"] tr[data-job-id="${jobId}"]`);
    const reason = await row.getByTestId('reason').textContent();
    await row.getByRole('link', { name: jobId }).click();
    await page().locator('.badge.status-dead').first().waitFor();
    const lastError = await page().getByTestId('last-error').textContent();

    // Act: the cause is fixed; retry from the page().
    await env().fault(false);
    await page().getByRole('button', { name: 'Retry (redrive this job)' }).click();
    await page().getByRole('dialog').getByRole('button', { name: 'Redrive' }).click();
    const summary = await page().getByTestId('task').locator('.notice').textContent();
    await page().locator('.status-line .badge.status-succeeded').waitFor();

    // Assess
    expect(reason).toBe(`${FAULT_CODE}: The fault is on (label invoice-42)`);
    expect(lastError).toBe(`${FAULT_CODE}: The fault is on (label invoice-42)`);
    expect(summary).toContain('Moved 1, skipped 0, failed 0');
    expect(await queueDepth(env().local.sqs, dlqUrl())).toBe(0);
    expect(
      env()
        .events()
        .map((e) => [e.jobId, e.label]),
    ).toEqual([[jobId, 'invoice-42']]);
  });

  it('a bulk discard asks for confirmation and removes exactly the selected messages', async () => {
    // Prepare
    const [a, b, c] = await deadJobs('a', 'b', 'c');
    await page().goto(`${env().dashboard.url}/#/dead-letters/${faultRun.name}`);
    for (const id of [a, c]) {
      await page()
        .locator(`[data-testid="dead-letters"] tr[data-job-id="${id}"] input[type="checkbox"]`)
        .check();
    }

    // Act: asked, declined, asked again, confirmed.
    await page().getByRole('button', { name: 'Discard selected (2)' }).click();
    const question = await page().getByRole('dialog').textContent();
    await page().getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    const afterDecline = await queueDepth(env().local.sqs, dlqUrl());
    await page().getByRole('button', { name: 'Discard selected (2)' }).click();
    await page().getByRole('dialog').getByRole('button', { name: 'Delete 2 for good' }).click();
    const notice = await page().locator('.notice.good').textContent();
    await page()
      .locator(`[data-testid="dead-letters"] tr[data-job-id="${a}"]`)
      .waitFor({ state: 'detached' });

    // Assess
    expect(question).toContain('Delete these 2 message(s) from fault-run-dlq for good?');
    expect(question).toContain(a);
    expect(question).toContain(c);
    expect(question).not.toContain(b);
    expect(afterDecline).toBe(3);
    expect(notice?.trim()).toBe('Discarded 2.');
    expect(
      await page()
        .locator('[data-testid="dead-letters"] tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job-id'))),
    ).toEqual([b]);
    expect(await queueDepth(env().local.sqs, dlqUrl())).toBe(1);
  });

  it('shows a payload only when asked, one message at a time', async () => {
    // Prepare
    const [a, b] = await deadJobs('first', 'second');
    await page().goto(`${env().dashboard.url}/#/dead-letters/${faultRun.name}`);
    const payloadButton = (id: string | undefined) =>
      page().locator(`[data-testid="dead-letters"] tr[data-job-id="${id}"] button`, { hasText: /payload/i });
    await payloadButton(a).waitFor();
    const before = await page().getByTestId('payload').count();

    // Act
    await payloadButton(a).click();
    const first = await page().getByTestId('payload').locator('pre').textContent();
    await payloadButton(b).click();
    await page().getByTestId('payload').getByText('second').waitFor();

    // Assess
    expect(before).toBe(0);
    expect(JSON.parse(first ?? '')).toEqual({ label: 'first' });
    expect(await page().getByTestId('payload').count()).toBe(1);
    expect(JSON.parse((await page().getByTestId('payload').locator('pre').textContent()) ?? '')).toEqual({
      label: 'second',
    });
    expect(await queueDepth(env().local.sqs, dlqUrl())).toBe(2);
  });
});

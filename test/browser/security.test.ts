/**
 * The dashboard's guards against other pages and other names for 127.0.0.1, and `--read-only`,
 * each against a real local runtime with a dead letter in it that a forged request would destroy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { API_PATHS, apiPath, TOKEN_HEADER } from '../../dashboard/shared/api.js';
import { faultRun } from '../fixtures/dashboard/jobs.js';
import { openPage, useChromium } from '../helpers/browser.js';
import { rawRequest, startTestDashboard, type TestDashboard } from '../helpers/dashboard.js';
import { queueDepth } from '../helpers/queues.js';
import { waitFor } from '../helpers/wait.js';

const browser = useChromium();
let env: TestDashboard | undefined;

afterEach(async () => {
  await env?.stop();
  env = undefined;
});

/** A dashboard whose fault.run DLQ holds one dead job. */
async function withDeadLetter(readOnly = false) {
  env = await startTestDashboard({ dashboard: { readOnly } });
  await env.fault(true);
  const { jobId } = await env.client.enqueue(faultRun, { label: 'kept' });
  const dlqUrl = env.local.queues['fault.run']?.dlq.url ?? '';
  const sqs = env.local.sqs;
  await waitFor('the job in the DLQ', async () => ((await queueDepth(sqs, dlqUrl)) === 1 ? true : undefined));
  const page = await rawRequest(env.dashboard.url);
  const token = /name="hangar-token" content="([0-9a-f]+)"/.exec(page.body)?.[1] ?? '';
  return {
    env,
    jobId,
    dlqDepth: () => queueDepth(sqs, dlqUrl),
    token,
    host: new URL(env.dashboard.url).host,
  };
}

const discardPath = apiPath(API_PATHS.discard, { job: faultRun.name });

describe('Security: requests the dashboard refuses', () => {
  it('refuses a request whose Host is not the served address (DNS rebinding), page and API alike', async () => {
    // Prepare
    const { env } = await withDeadLetter();

    // Act
    const answers = await Promise.all(
      ['/', API_PATHS.config].map((path) =>
        rawRequest(`${env.dashboard.url}${path}`, {
          headers: { host: `rebind.example:${env.dashboard.port}` },
        }),
      ),
    );

    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toEqual({
        error: {
          code: 'FOREIGN_HOST',
          message: `This dashboard answers only to Host 127.0.0.1:${env.dashboard.port}`,
        },
      });
    }
  });

  it('refuses a POST without the token, or from another origin, and deletes nothing', async () => {
    // Prepare
    const { env, jobId, token, host, dlqDepth } = await withDeadLetter();
    const post = (headers: Record<string, string>) =>
      rawRequest(`${env.dashboard.url}${discardPath}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ ids: [jobId] }),
      });

    // Act
    const noToken = await post({ origin: `http://${host}` });
    const wrongToken = await post({ origin: `http://${host}`, [TOKEN_HEADER]: 'f'.repeat(64) });
    const foreignOrigin = await post({ origin: 'http://evil.example', [TOKEN_HEADER]: token });
    const noOrigin = await post({ [TOKEN_HEADER]: token });

    // Assess
    expect(
      [noToken, wrongToken, foreignOrigin, noOrigin].map((a) => [a.status, JSON.parse(a.body).error.code]),
    ).toEqual([
      [403, 'BAD_TOKEN'],
      [403, 'BAD_TOKEN'],
      [403, 'FOREIGN_ORIGIN'],
      [403, 'FOREIGN_ORIGIN'],
    ]);
    expect(await dlqDepth()).toBe(1);
  });

  it('read-only: the pages show no action, and a forged POST — token and origin included — gets 405', async () => {
    // Prepare
    const { env, jobId, token, host, dlqDepth } = await withDeadLetter(true);
    const page = await openPage(browser());

    // Act
    await page.goto(`${env.dashboard.url}/#/dead-letters/${faultRun.name}`);
    await page.locator(`[data-testid="dead-letters"] tr[data-job-id="${jobId}"]`).waitFor();
    const buttons = await page.locator('main button').allTextContents();
    const checkboxes = await page.locator('input[type="checkbox"]').count();
    const navigation = await page.locator('nav.top a').allTextContents();
    await page.goto(`${env.dashboard.url}/#/jobs/${jobId}`);
    await page.getByTestId('timeline').waitFor();
    const jobButtons = await page.locator('main button').allTextContents();
    const forged = await rawRequest(`${env.dashboard.url}${discardPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: `http://${host}`, [TOKEN_HEADER]: token },
      body: JSON.stringify({ ids: [jobId] }),
    });
    await page.close();

    // Assess
    expect(buttons).toEqual(['Refresh', 'Filter']);
    expect(checkboxes).toBe(0);
    expect(navigation).toEqual(['Hangar', 'Overview', 'Jobs', 'Dead letters', 'Schedules']);
    expect(jobButtons).toEqual([]);
    expect(forged.status).toBe(405);
    expect(JSON.parse(forged.body)).toEqual({
      error: { code: 'READ_ONLY', message: 'This dashboard is read-only (--read-only): no actions' },
    });
    expect(await dlqDepth()).toBe(1);
  });
});

/**
 * `npm run screenshots`: the dashboard over a local runtime with some history — e-mails sent, a
 * sync whose source refuses it (dead-lettered), a recurring sync schedule — one screenshot per page
 * under docs/, and the overview's weight and time to first data render (median of fresh loads).
 * Not a test: the README shows the pictures, and the figures are reported where they are quoted.
 */

import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { resolveTarget } from '../../cli/target.js';
import { emailSend, registry, syncRun } from '../../lib/jobs/builtin/index.js';
import { silentLog } from '../../local/log.js';
import { LOCAL_DEFAULTS, startLocal } from '../../local/start-local.js';
import { launchChromium, openPage } from '../../test/helpers/browser.js';
import { waitFor } from '../../test/helpers/wait.js';
import { EmfCollector, metricsLog } from '../server/metrics/emf-collector.js';
import { startDashboard } from '../server/start-dashboard.js';
import { targetFlowControl } from '../server/target-flow-control.js';

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
/** Fresh loads of the overview measured; the median is reported. */
const LOADS = 7;

// A source that refuses every request: its syncs fail for good (SOURCE_REJECTED).
const refusing = createServer((_req, res) => {
  res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"forbidden"}');
});
await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
const refusingUrl = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;

const metrics = new EmfCollector(registry, LOCAL_DEFAULTS.stage);
const local = await startLocal({
  ports: 'free',
  log: metricsLog(silentLog, metrics),
  pollWaitSeconds: 1,
  shutdownGraceMs: 0,
  stage: { syncSources: [{ id: 'crm', url: `${refusingUrl}/items`, schedule: 'rate(1 hour)' }] },
});
const target = await resolveTarget({ env: local.environment, registry });
const dashboard = await startDashboard({
  target,
  registry,
  metrics,
  port: 0,
  flowControl: targetFlowControl(target, registry),
});
const browser = await launchChromium();
try {
  const jobs = await target.jobService();
  const sent: { jobId: string }[] = [];
  for (let i = 1; i <= 12; i++) {
    sent.push(
      await jobs.enqueue({
        job: emailSend.name,
        payload: { to: [`user${i}@example.com`], subject: `Invoice ${1000 + i}`, text: 'Thank you.' },
        ...(i === 3 ? { idempotencyKey: 'invoice-1003' } : {}),
      }),
    );
  }
  await jobs.enqueue({
    job: emailSend.name,
    payload: { to: ['later@example.com'], subject: 'Reminder', text: 'Tomorrow.' },
    runAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
  const dead = await jobs.enqueue({ job: syncRun.name, payload: { sourceId: 'crm' } });
  await waitFor(
    'the history to settle',
    async () => {
      const record = await target.ledger?.getJob(dead.jobId);
      const done = await Promise.all(sent.map((s) => target.ledger?.getJob(s.jobId)));
      return record?.status === 'dead' && done.every((r) => r?.status === 'succeeded') ? true : undefined;
    },
    60_000,
  );

  await mkdir(DOCS, { recursive: true });
  const page = await openPage(browser);
  const shoot = async (name: string, hash: string, ready: string) => {
    await page.goto(`${dashboard.url}/#/${hash}`);
    await page.locator(ready).first().waitFor();
    await page.screenshot({ path: `${DOCS}dashboard-${name}.png`, fullPage: true });
    console.log(`wrote docs/dashboard-${name}.png`);
  };
  await shoot('overview', '', '[data-testid="chart"] canvas');
  await shoot('jobs', 'jobs', '[data-testid="jobs"] tbody tr[data-job-id]');
  await shoot('job', `jobs/${dead.jobId}`, '[data-testid="timeline"] li');
  await page.goto(`${dashboard.url}/#/dead-letters/${syncRun.name}`);
  await page.locator(`[data-testid="dead-letters"] tr[data-job-id="${dead.jobId}"] button`).click();
  await shoot(
    'dead-letters',
    `dead-letters/${syncRun.name}`,
    '[data-testid="dead-letters"] tbody tr[data-job-id]',
  );
  await shoot('schedules', 'schedules', '[data-testid="schedules"] tbody tr[data-schedule]');
  await page.goto(`${dashboard.url}/#/enqueue/${emailSend.name}`);
  await page.getByLabel('subject *').fill('Hello');
  await page.getByLabel('to *').fill('not-an-address');
  await page.getByRole('button', { name: `Enqueue ${emailSend.name}` }).click();
  await shoot('enqueue', `enqueue/${emailSend.name}`, '.field-error');
  await page.close();

  // The overview's weight (bytes on the wire, compressed as served) and time to first data render.
  const loads: { bytes: number; ms: number }[] = [];
  for (let i = 0; i < LOADS; i++) {
    const fresh = await openPage(browser);
    const cdp = await fresh.context().newCDPSession(fresh);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    let bytes = 0;
    cdp.on('Network.loadingFinished', (event: { encodedDataLength: number }) => {
      bytes += event.encodedDataLength;
    });
    await fresh.goto(dashboard.url);
    await fresh.locator('[data-testid="queues"] tbody tr').first().waitFor();
    const ms = await fresh.evaluate(() => performance.now());
    await fresh.locator('[data-testid="chart"] canvas').waitFor();
    await fresh.waitForLoadState('networkidle');
    loads.push({ bytes, ms });
    await fresh.close();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  console.log(
    JSON.stringify({
      overviewTransferKB: Math.round(median(loads.map((l) => l.bytes)) / 102.4) / 10,
      overviewFirstDataRenderMs: Math.round(median(loads.map((l) => l.ms))),
      loads: loads.map((l) => ({ bytes: l.bytes, ms: Math.round(l.ms) })),
    }),
  );
} finally {
  await browser.close();
  await dashboard.stop();
  target.destroy();
  await local.stop();
  refusing.close();
}

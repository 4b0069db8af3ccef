/**
 * The acceptance path of `npm run dev`, through `startLocal` with the real handlers: the banner's
 * e-mail job, sent to the HTTP API, arrives in the SES store, and the API reports it `succeeded`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { registry } from '../../../lib/jobs/builtin/index.js';
import { curlEmail, SAMPLE_EMAIL_JOB } from '../../../local/banner.js';
import { type LocalRuntime, startLocal } from '../../../local/start-local.js';
import { BUILTIN_FUNCTIONS } from '../../helpers/local.js';
import { waitFor } from '../../helpers/wait.js';

let local: LocalRuntime | undefined;
afterEach(async () => {
  await local?.stop();
  local = undefined;
});

interface StoredEmail {
  readonly from: string;
  readonly destination: { readonly to: readonly string[] };
  readonly subject: string;
  readonly body: { readonly text?: string };
}

describe('startLocal: e-mail through the HTTP API', () => {
  it("delivers the banner's e-mail job to the SES store and reports it succeeded", async () => {
    // Prepare: the built-in jobs and the real functions (functions/api, functions/email).
    local = await startLocal({ ports: 'free', registry, functionsDir: BUILTIN_FUNCTIONS });
    const api = local.endpoints.api;
    if (api === undefined) throw new Error(`The API is not served: ${local.warnings.join('; ')}`);
    expect(curlEmail(api)).toContain(`-d '${JSON.stringify(SAMPLE_EMAIL_JOB)}'`);

    // Act
    const response = await fetch(`${api}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(SAMPLE_EMAIL_JOB),
    });
    const accepted = (await response.json()) as { jobId: string; status: string };

    // Assess: accepted, sent through SES from the configured sender, and recorded as succeeded.
    expect(response.status).toBe(202);
    expect(accepted.status).toBe('queued');
    const ses = local.endpoints.ses;
    const [email] = await waitFor('the e-mail in the SES store', async () => {
      const store = (await (await fetch(`${ses}/store`)).json()) as { emails: StoredEmail[] };
      return store.emails.length > 0 ? store.emails : undefined;
    });
    expect(email).toMatchObject({
      from: 'hangar@example.com',
      destination: { to: SAMPLE_EMAIL_JOB.payload.to },
      subject: SAMPLE_EMAIL_JOB.payload.subject,
      body: { text: SAMPLE_EMAIL_JOB.payload.text },
    });
    const record = await waitFor('the job to succeed', async () => {
      const job = (await (await fetch(`${api}/jobs/${accepted.jobId}`)).json()) as { status: string };
      return job.status === 'succeeded' ? job : undefined;
    });
    expect(record).toMatchObject({
      jobId: accepted.jobId,
      name: 'email.send',
      status: 'succeeded',
      attempts: 1,
    });
  });

  it('holds an e-mail with a run-at beyond 15 minutes in a one-time schedule until the clock reaches it; a cancelled one is never sent', async () => {
    // Prepare: a manual scheduler clock starting now.
    const start = new Date();
    local = await startLocal({ ports: 'free', registry, functionsDir: BUILTIN_FUNCTIONS, clock: { start } });
    const { api, ses } = local.endpoints;
    if (api === undefined) throw new Error(`The API is not served: ${local.warnings.join('; ')}`);
    const runAt = new Date(start.getTime() + 20 * 60_000).toISOString();
    const enqueue = async (subject: string) => {
      const response = await fetch(`${api}/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...SAMPLE_EMAIL_JOB,
          payload: { ...SAMPLE_EMAIL_JOB.payload, subject },
          runAt,
        }),
      });
      return { status: response.status, body: (await response.json()) as { jobId: string; status: string } };
    };
    const subjects = async () => {
      const store = (await (await fetch(`${ses}/store`)).json()) as { emails: StoredEmail[] };
      return store.emails.map((e) => e.subject);
    };

    // Act: two scheduled e-mails; one is cancelled through the API.
    const kept = await enqueue('later');
    const cancelled = await enqueue('never');
    const cancel = await fetch(`${api}/jobs/${cancelled.body.jobId}`, { method: 'DELETE' });

    // Assess
    expect([kept.status, kept.body.status, cancelled.body.status, cancel.status]).toEqual([
      202,
      'scheduled',
      'scheduled',
      200,
    ]);
    expect(local.scheduler.list({ namePrefix: 'job-' }).map((d) => d.Name)).toEqual([
      `job-${kept.body.jobId}-0`,
    ]);
    await local.scheduler.advanceTo(new Date(Date.parse(runAt) - 1_000));
    expect(await subjects()).toEqual([]);
    await local.scheduler.advanceTo(new Date(Date.parse(runAt) + 60_000));
    await waitFor('the scheduled e-mail', async () => ((await subjects()).length > 0 ? true : undefined));
    const record = await waitFor('the job to succeed', async () => {
      const job = (await (await fetch(`${api}/jobs/${kept.body.jobId}`)).json()) as { status: string };
      return job.status === 'succeeded' ? job : undefined;
    });
    expect(record).toMatchObject({ status: 'succeeded' });
    expect(await subjects()).toEqual(['later']);
    const gone = (await (await fetch(`${api}/jobs/${cancelled.body.jobId}`)).json()) as { status: string };
    expect(gone.status).toBe('cancelled');
  });
});

/**
 * `startLocal({ faults })`: the workers' SQS, DynamoDB and SES calls and their event sources' SQS
 * calls go through the fault layer; the API, the runtime's own client and the emulators' URLs that
 * tools are given stay direct.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { registry } from '../../../lib/jobs/builtin/index.js';
import { SAMPLE_EMAIL_JOB } from '../../../local/banner.js';
import type { Injection } from '../../../local/faults/fault-plan.js';
import { type LocalRuntime, startLocal } from '../../../local/start-local.js';
import { BUILTIN_FUNCTIONS } from '../../helpers/local.js';
import { queueDepth } from '../../helpers/queues.js';
import { waitFor } from '../../helpers/wait.js';

let local: LocalRuntime | undefined;
afterEach(async () => {
  await local?.stop();
  local = undefined;
});

describe('startLocal: faults', () => {
  it("sends the e-mail worker's calls and its event source's through the fault layer, and nothing else", async () => {
    // Prepare: SES carries out the first send and loses its answer.
    const injections: Injection[] = [];
    const runtime = await startLocal({
      registry,
      functionsDir: BUILTIN_FUNCTIONS,
      ports: 'free',
      workers: ['email.send'],
      pollWaitSeconds: 1,
      faults: {
        seed: 1,
        rules: [{ service: 'ses', operation: 'SendEmail', rate: 1, kinds: ['answerLost'], limit: 1 }],
        onInjection: (injection) => injections.push(injection),
      },
    });
    local = runtime;
    const { api, ses, sqs } = runtime.endpoints;
    const faults = runtime.faults;
    const queueUrl = runtime.queues['email.send']?.queue.url ?? '';

    // Act: the job goes in through the API (direct).
    const response = await fetch(`${api}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(SAMPLE_EMAIL_JOB),
    });
    const { jobId } = (await response.json()) as { jobId: string };

    // Assess: the SDK's retry sent the e-mail again (SES has no idempotency: the window), the job
    // succeeded once, and its message is gone.
    await waitFor('the job to succeed', async () => {
      const job = (await (await fetch(`${api}/jobs/${jobId}`)).json()) as { status: string };
      return job.status === 'succeeded' ? job : undefined;
    });
    await waitFor('the queue to drain', async () =>
      (await queueDepth(runtime.sqs, queueUrl)) === 0 ? true : undefined,
    );
    const store = (await (await fetch(`${ses}/store`)).json()) as { emails: { messageId: string }[] };
    expect(store.emails).toHaveLength(2);
    expect(injections.map((i) => [i.service, i.operation, i.kind])).toEqual([
      ['ses', 'SendEmail', 'answerLost'],
    ]);
    expect(injections[0]?.answerBody).toContain(`<MessageId>${store.emails[0]?.messageId}</MessageId>`);
    const counts = faults?.counts();
    expect(counts?.ses).toEqual({ SendEmail: expect.objectContaining({ requests: 2, answerLost: 1 }) });
    expect(counts?.dynamodb).toEqual({ UpdateItem: expect.objectContaining({ requests: 2 }) });
    expect(Object.keys(counts?.sqs ?? {}).sort()).toEqual(['DeleteMessageBatch', 'ReceiveMessage']);
    // Tools are given the emulators themselves.
    expect(runtime.environment.AWS_ENDPOINT_URL_SQS).toBe(sqs);
    expect(faults?.endpoints.sqs).not.toBe(sqs);
  });
});

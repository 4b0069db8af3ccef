import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { ENVELOPE_VERSION } from '../../../lib/constants.js';
import { encodeEnvelope } from '../../../lib/jobs/envelope.js';
import { DynamoJobLedger } from '../../../lib/ledger/index.js';
import { LIMIT_KINDS, limitPartition } from '../../../lib/limits/limit-items.js';
import { DUPLICATES_ATTRIBUTE } from '../../../lib/limits/unique-keys.js';
import { WORKER_LOG_MESSAGES } from '../../../lib/worker/rules.js';
import { debounceRun, uniqueRun } from '../../fixtures/limits/jobs.js';
import { type LimitLocal, startLimitLocal } from '../../helpers/limits.js';
import { LOCAL_AWS } from '../../helpers/sqs.js';
import { waitFor } from '../../helpers/wait.js';

let running: LimitLocal | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('startLocal: debounce', () => {
  it('runs a burst of 50 enqueues of one key once, with the last payload, under the one job id every caller got', async () => {
    // Prepare
    running = await startLimitLocal({ workers: [debounceRun.name] });
    const { client } = running;

    // Act: one after another, as fast as the client answers (well within `seconds` of each other).
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      ids.push((await client.enqueue(debounceRun, { tenant: 'acme', label: `burst-${i}` })).jobId);
    }
    const [ran] = await waitFor('the debounced job to run', () => {
      const events = running?.events() ?? [];
      return events.length > 0 ? events : undefined;
    });

    // Assess: one job id for all 50; it ran once, with the 50th payload; nothing else runs.
    expect(new Set(ids).size).toBe(1);
    expect(ran).toMatchObject({ job: 'acme', label: 'burst-49', jobId: ids[0] });
    const queues = running.local.queues[debounceRun.name];
    if (!queues) throw new Error(`no queues for ${debounceRun.name}`);
    await waitFor('the queue to drain', async () =>
      (await running?.depth(queues.queue.url)) === 0 ? true : undefined,
    );
    expect(running.events()).toHaveLength(1);
  }, 60_000);

  it('cuts a steady stream at maxWaitSeconds: the job runs with a payload of the stream and later enqueues form a new job', async () => {
    // Prepare
    running = await startLimitLocal({ workers: [debounceRun.name] });
    const { client } = running;
    const debounce = debounceRun.limits?.debounce;
    if (!debounce) throw new Error('limit.debounce declares no debounce');

    // Act: an enqueue every quarter of `seconds` — without maxWaitSeconds the start would move
    // back forever — until the answer names a second job.
    const sent: { jobId: string; label: string; at: number }[] = [];
    for (let i = 0; new Set(sent.map((s) => s.jobId)).size < 2; i++) {
      if (i > 400) throw new Error('the stream was never cut');
      const label = `tick-${i}`;
      const at = Date.now();
      sent.push({ jobId: (await client.enqueue(debounceRun, { tenant: 'acme', label })).jobId, label, at });
      await new Promise((resolve) => setTimeout(resolve, (debounce.seconds * 1000) / 4));
    }
    const first = sent[0];
    if (!first) throw new Error('nothing sent');
    const firstJob = sent.filter((s) => s.jobId === first.jobId);
    const [ran] = await waitFor('the first job to run', () => {
      const events = (running?.events() ?? []).filter((e) => e.jobId === first.jobId);
      return events.length > 0 ? events : undefined;
    });

    // Assess: the first job ran once, with the last payload it took; it was cut no sooner than
    // maxWaitSeconds after its first enqueue (by the client's clock, which stamped both).
    expect(ran?.label).toBe(firstJob.at(-1)?.label);
    expect(ran?.at ?? 0).toBeGreaterThanOrEqual(first.at + debounce.maxWaitSeconds * 1000);
    expect((running.events() ?? []).filter((e) => e.jobId === first.jobId)).toHaveLength(1);
  }, 120_000);
});

describe('startLocal: unique', () => {
  it('answers with the first job id while it is pending, through the client and the API, whatever the payload; a raw duplicate is dropped and counted', async () => {
    // Prepare
    running = await startLimitLocal({ workers: [uniqueRun.name] });
    const { client, local } = running;
    const dynamodb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: local.endpoints.dynamodb });
    const ledger = new DynamoJobLedger({ tableName: local.tableName, client: dynamodb });
    const queues = local.queues[uniqueRun.name];
    if (!queues) throw new Error(`no queues for ${uniqueRun.name}`);

    try {
      // Act: the first job is delayed, so it is still pending when the others come.
      const first = await client.enqueue(uniqueRun, { tenant: 'acme', label: 'first' }, { delaySeconds: 3 });
      const again = await client.enqueue(uniqueRun, { tenant: 'acme', label: 'other payload' });
      const [batched] = await client.enqueueMany(uniqueRun, [{ tenant: 'acme', label: 'third' }]);
      const otherKey = await client.enqueue(uniqueRun, { tenant: 'globex', label: 'other key' });
      const api = local.endpoints.api;
      if (api === undefined) throw new Error('the fixture API did not start');
      const answer = await fetch(`${api}/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: uniqueRun.name, payload: { tenant: 'acme', label: 'through the API' } }),
      });
      // A raw send in the envelope, with a job id of its own: no answer to give, so the worker drops it.
      await local.sqs.send(
        new SendMessageCommand({
          QueueUrl: queues.queue.url,
          MessageBody: encodeEnvelope({
            version: ENVELOPE_VERSION,
            jobId: 'raw-duplicate-1',
            name: uniqueRun.name,
            payload: { tenant: 'acme', label: 'raw' },
            enqueuedAt: new Date().toISOString(),
            attempt: 1,
            continuation: 0,
          }),
        }),
      );
      await waitFor('both jobs to run and the duplicate to be dropped', () => {
        const labels = (running?.events() ?? []).map((e) => e.label);
        const dropped = running?.logged().some((l) => l.message === WORKER_LOG_MESSAGES.duplicateDropped);
        return labels.length >= 2 && dropped ? true : undefined;
      });
      await waitFor('the queue to drain', async () =>
        (await running?.depth(queues.queue.url)) === 0 ? true : undefined,
      );

      // Assess
      expect(again.jobId).toBe(first.jobId);
      expect(batched).toMatchObject({ ok: true, jobId: first.jobId });
      expect(otherKey.jobId).not.toBe(first.jobId);
      expect(answer.status).toBe(202);
      expect(await answer.json()).toMatchObject({ jobId: first.jobId });
      expect(
        running
          .events()
          .map((e) => [e.jobId, e.label])
          .sort(),
      ).toEqual(
        [
          [first.jobId, 'first'],
          [otherKey.jobId, 'other key'],
        ].sort(),
      );
      // Counted against the first job: on its record, or on its key's item before it had one.
      const counted = await Promise.all(
        [
          { pk: `job#${first.jobId}`, sk: 'job' },
          { pk: limitPartition(uniqueRun.name, 'acme'), sk: LIMIT_KINDS.unique },
        ].map(async ({ pk, sk }) => {
          const out = await dynamodb.send(
            new GetItemCommand({
              TableName: local.tableName,
              Key: { pk: { S: pk }, sk: { S: sk } },
              ConsistentRead: true,
            }),
          );
          return Number(out.Item?.[DUPLICATES_ATTRIBUTE]?.N ?? 0);
        }),
      );
      expect(counted.reduce((sum, n) => sum + n, 0)).toBe(1);
      expect((await ledger.getJob(first.jobId))?.status).toBe('succeeded');
      expect(await ledger.getJob('raw-duplicate-1')).toBeUndefined();
    } finally {
      dynamodb.destroy();
    }
  }, 60_000);
});

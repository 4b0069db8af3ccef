import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES, decodeEnvelope } from '../../../../lib/deploy/index.js';
import { createRegistry, JobClient, PermanentJobError } from '../../../../lib/index.js';
import { createWorker, handle, type JobHandler } from '../../../../lib/worker/index.js';
import { type EventSource, type InvocationReport, startEventSource } from '../../../../local/event-source.js';
import { noteJob } from '../../../helpers/jobs.js';
import { createTestQueues, type TestQueues } from '../../../helpers/queues.js';
import { sqsClient, startSqs } from '../../../helpers/sqs.js';
import { type VirtualClock, virtualClock } from '../../../helpers/virtual-clock.js';
import { waitFor } from '../../../helpers/wait.js';

let emulator: Awaited<ReturnType<typeof startSqs>>;
let sqs: SQSClient;
let queues: TestQueues | undefined;
let source: EventSource | undefined;

beforeAll(async () => {
  emulator = await startSqs();
  sqs = sqsClient(emulator.endpoint);
});
afterEach(async () => {
  await source?.stop();
  await queues?.remove();
  source = undefined;
  queues = undefined;
});
afterAll(async () => {
  sqs.destroy();
  await emulator.stop();
});

// Small numbers so the suite runs in seconds: backoff 1 s, 2 s, …; timeout 4 s with a 2 s margin,
// on a virtual clock that only a test moves, so no deadline fires because the machine is slow.
const job = noteJob({
  retry: { maxAttempts: 3, baseDelaySeconds: 2, maxDelaySeconds: 8 },
  timeoutSeconds: 4,
  deadlineMarginMs: 2_000,
  // What is tested here is the queue traffic; the ledger protocol has its own tests.
  useLedger: false,
});

async function run(
  handler: JobHandler<typeof job>,
  options: { batchSize?: number; recordConcurrency?: number; clock?: VirtualClock } = {},
) {
  queues = await createTestQueues(sqs, job);
  const clock = options.clock ?? virtualClock();
  const reports: InvocationReport[] = [];
  const worker = createWorker({
    jobs: [handle(job, handler)],
    queue: { url: queues.url, dlqUrl: queues.dlqUrl },
    sqs,
    random: () => 0.5,
    ...(options.recordConcurrency === undefined ? {} : { recordConcurrency: options.recordConcurrency }),
  });
  const client = new JobClient({
    registry: createRegistry([job]),
    queues: { [job.name]: { url: queues.url } },
    sqs,
  });
  const start = async () => {
    source = await startEventSource({
      sqs,
      queueUrl: queues?.url ?? '',
      handler: worker,
      // No batching window (it would run on the clock too): a batch is what one receive returns,
      // and fauxqs returns every visible message up to the batch size.
      batchSize: options.batchSize ?? job.batch.size,
      maxBatchingWindowSeconds: 0,
      functionTimeoutSeconds: job.timeoutSeconds,
      pollWaitSeconds: 1,
      clock,
      onInvocation: (report) => reports.push(report),
    });
  };
  return { client, reports, start, queues };
}

describe('Worker through the local event source on fauxqs', () => {
  it('makes a retryable failure receivable again only after its backoff', async () => {
    // Prepare: fail the first attempt; backoff for retry 1 = 0.75 × 2 s = 1.5 s → DelaySeconds 2.
    const attempts: { attempt: number; at: number }[] = [];
    const { client, start } = await run(async (_payload, context) => {
      attempts.push({ attempt: context.attempt, at: Date.now() });
      if (context.attempt === 1) throw new Error('transient');
      return undefined;
    });
    await client.enqueue(job, { text: 'retry me' });

    // Act
    await start();
    await waitFor('the second attempt', () => (attempts.length >= 2 ? true : undefined));

    // Assess
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
    const gap = (attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(2_000);
    await waitFor('the queue to drain', async () =>
      (await queues?.depth(queues.url)) === 0 ? true : undefined,
    );
  });

  it('moves a permanent failure to the DLQ with its reason and removes it from the source queue', async () => {
    const { client, start } = await run(async () => {
      throw new PermanentJobError('this can never work', { code: 'NEVER' });
    });
    const { jobId } = await client.enqueue(job, { text: 'doomed' });

    await start();
    const [dead] = await waitFor('a dead message', async () => {
      const messages = await queues?.peekDead();
      return messages && messages.length > 0 ? messages : undefined;
    });

    expect(decodeEnvelope(dead?.Body ?? '').jobId).toBe(jobId);
    const attributes = dead?.MessageAttributes ?? {};
    expect(attributes[DEAD_LETTER_ATTRIBUTES.errorCode]?.StringValue).toBe('NEVER');
    expect(attributes[DEAD_LETTER_ATTRIBUTES.errorMessage]?.StringValue).toBe('this can never work');
    expect(attributes[DEAD_LETTER_ATTRIBUTES.attempt]?.StringValue).toBe('1');
    expect(attributes[DEAD_LETTER_ATTRIBUTES.jobName]?.StringValue).toBe(job.name);
    expect(attributes[DEAD_LETTER_ATTRIBUTES.failedAt]?.StringValue).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await queues?.depth(queues.url)).toBe(0);
  });

  it('returns a batch before its deadline and runs the unstarted records on the next poll without counting an attempt', async () => {
    // Prepare: 4 records, one at a time; "b" runs until the signal fires (4 − 2 = 2 s on the clock),
    // so "c" and "d" are never started in that invocation.
    const clock = virtualClock();
    const runs: { text: string; attempt: number; invocation: number; aborted: boolean }[] = [];
    const { client, start, reports } = await run(
      async (payload, context) => {
        const invocation = reports.length + 1;
        if (payload.text === 'b') clock.next();
        runs.push({
          text: payload.text,
          attempt: context.attempt,
          invocation,
          aborted: context.signal.aborted,
        });
        return undefined;
      },
      { batchSize: 4, recordConcurrency: 1, clock },
    );
    await client.enqueueMany(
      job,
      ['a', 'b', 'c', 'd'].map((text) => ({ text })),
    );

    // Act
    await start();
    await waitFor('all four records', () => (runs.length >= 4 ? true : undefined));

    // Assess: "a" and "b" ran in the first invocation, which answered in time; "c" and "d", handed
    // back, ran in later ones, still attempt 1.
    const [first] = reports;
    expect(first).toMatchObject({ records: 4, outcome: 'ok' });
    expect(runs.filter((r) => r.invocation === 1).map((r) => [r.text, r.aborted])).toEqual([
      ['a', false],
      ['b', true],
    ]);
    expect(
      runs
        .filter((r) => r.invocation > 1)
        .map((r) => r.text)
        .sort(),
    ).toEqual(['c', 'd']);
    expect(runs.map((r) => r.attempt)).toEqual([1, 1, 1, 1]);
    await waitFor('the queue to drain', async () =>
      (await queues?.depth(queues.url)) === 0 ? true : undefined,
    );
  });

  it('dead-letters a job that always fails after exactly max attempts', async () => {
    const attempts: number[] = [];
    const { client, start } = await run(async (_payload, context) => {
      attempts.push(context.attempt);
      throw new Error(`failure ${context.attempt}`);
    });
    await client.enqueue(job, { text: 'hopeless' });

    await start();
    const [dead] = await waitFor('a dead message', async () => {
      const messages = await queues?.peekDead();
      return messages && messages.length > 0 ? messages : undefined;
    });

    expect(attempts).toEqual([1, 2, 3]);
    expect(dead?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.attempt]?.StringValue).toBe(
      String(job.retry.maxAttempts),
    );
    expect(dead?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.errorMessage]?.StringValue).toBe('failure 3');
    expect(await queues?.depth(queues.url)).toBe(0);
  });
});

import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DiscardPlan, discardDead } from '../../../cli/discard.js';
import { describeDead, peekDlq } from '../../../cli/dlq.js';
import { DeclinedError } from '../../../cli/errors.js';
import { DEAD_LETTER_ATTRIBUTES } from '../../../lib/deploy/index.js';
import { deadLetter } from '../../helpers/dead-letters.js';
import { noteJob, orderJob } from '../../helpers/jobs.js';
import { type TestQueues, useSqsEmulator } from '../../helpers/queues.js';

const emulator = useSqsEmulator();
let sqs: SQSClient;
let queues: TestQueues | undefined;

beforeAll(() => {
  sqs = emulator.sqs();
});

const job = noteJob();

async function threeDead() {
  queues = await emulator.queuesFor(job);
  const envelopes = await deadLetter(sqs, job, queues, [
    { payload: { text: 'a' }, code: 'BAD_ADDRESS' },
    { payload: { text: 'b' }, code: 'QUOTA' },
    { payload: { text: 'c' }, code: 'BAD_ADDRESS' },
  ]);
  return { queues, envelopes };
}

/**
 * The job id of every message in the DLQ, each once. Held for 30 s, so none comes back while the
 * loop still reads (a short hold let a slow loop read the same message again), and counted by
 * message id all the same.
 */
async function dlqJobIds(url: string): Promise<string[]> {
  const ids = new Map<string, string>();
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
        WaitTimeSeconds: 1,
      }),
    );
    if (!out.Messages?.length) break;
    for (const m of out.Messages) {
      ids.set(m.MessageId ?? '', (JSON.parse(m.Body ?? '{}') as { jobId: string }).jobId);
    }
  }
  return [...ids.values()].sort();
}

describe('Function: peekDlq', () => {
  it('shows each dead job with its name, attempt and reason, and consumes nothing', async () => {
    // Prepare
    const { queues, envelopes } = await threeDead();

    // Act
    const dead = (await peekDlq(sqs, queues.dlqUrl, { limit: 10 })).map(describeDead);

    // Assess
    expect(dead.map((d) => d.jobId).sort()).toEqual(envelopes.map((e) => e.jobId).sort());
    const first = dead.find((d) => d.jobId === envelopes[0]?.jobId);
    expect(first).toMatchObject({
      name: job.name,
      attempt: 1,
      errorCode: 'BAD_ADDRESS',
      errorMessage: 'rejected by the test (BAD_ADDRESS)',
    });
    expect(Date.parse(first?.failedAt ?? '')).not.toBeNaN();
    // Released at once: visible again, all three, right now.
    expect(await queues.depth(queues.dlqUrl)).toBe(3);
    expect(await dlqJobIds(queues.dlqUrl)).toEqual(envelopes.map((e) => e.jobId).sort());
  });

  it('stops at its limit and gives those back too', async () => {
    // Prepare
    const { queues } = await threeDead();

    // Act
    const dead = await peekDlq(sqs, queues.dlqUrl, { limit: 2 });

    // Assess
    expect(dead).toHaveLength(2);
    expect(await dlqJobIds(queues.dlqUrl)).toHaveLength(3);
  });

  it('reports a body that is not an envelope instead of failing', async () => {
    // Prepare
    queues = await emulator.queuesFor(job);
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.dlqUrl,
        MessageBody: 'not json',
        MessageAttributes: {
          [DEAD_LETTER_ATTRIBUTES.errorCode]: { DataType: 'String', StringValue: 'INVALID_ENVELOPE' },
        },
      }),
    );

    // Act
    const [dead] = (await peekDlq(sqs, queues.dlqUrl, { limit: 10 })).map(describeDead);

    // Assess
    expect(dead).toMatchObject({
      jobId: null,
      errorCode: 'INVALID_ENVELOPE',
      problem: 'Message body is not JSON',
    });
  });
});

describe('Function: discardDead', () => {
  it('deletes exactly the ids it was given (job id or message id) and keeps the rest', async () => {
    // Prepare
    const { queues, envelopes } = await threeDead();
    const [a, b, c] = envelopes.map((e) => e.jobId);
    const peeked = await peekDlq(sqs, queues.dlqUrl, { limit: 10 });
    const messageIdOfC = peeked.find((m) => m.jobId === c)?.messageId ?? '';

    // Act
    const result = await discardDead(sqs, queues.dlqUrl, {
      ids: [a ?? '', messageIdOfC, 'no-such-id'],
      confirm: async () => true,
    });

    // Assess
    expect(result.deleted.map((m) => m.jobId).sort()).toEqual([a, c].sort());
    expect(result.notFound).toEqual(['no-such-id']);
    expect(await dlqJobIds(queues.dlqUrl)).toEqual([b]);
  });

  it.each([
    ['ids', 'Nothing was deleted; the 3 message(s) are back in the DLQ.'],
    ['all', 'Nothing was deleted.'],
  ] as const)('asks once (--%s) and deletes nothing when told no', async (kind, message) => {
    // Prepare
    const { queues, envelopes } = await threeDead();
    const asked: DiscardPlan[] = [];

    // Act
    const attempt = discardDead(sqs, queues.dlqUrl, {
      ...(kind === 'all' ? { all: true } : { ids: envelopes.map((e) => e.jobId) }),
      confirm: async (plan) => {
        asked.push(plan);
        return false;
      },
    });

    // Assess
    await expect(attempt).rejects.toThrow(DeclinedError);
    await expect(attempt).rejects.toThrow(message);
    expect(asked).toHaveLength(1);
    expect(asked[0]?.kind === 'all' ? asked[0].approximateCount : asked[0]?.messages.length).toBe(3);
    expect(await queues.depth(queues.dlqUrl)).toBe(3);
  });

  it('deletes every message with --all once confirmed', async () => {
    // Prepare
    const { queues } = await threeDead();

    // Act
    const result = await discardDead(sqs, queues.dlqUrl, { all: true, confirm: async () => true });

    // Assess
    expect(result.deleted).toHaveLength(3);
    expect(await queues.depth(queues.dlqUrl)).toBe(0);
  });

  it('with --all, deletes what was there when confirmed and gives back what arrived later', async () => {
    // Prepare
    const { queues } = await threeDead();
    let confirmedAt = 0;
    let late: string | undefined;

    // Act
    const result = await discardDead(sqs, queues.dlqUrl, {
      all: true,
      now: () => confirmedAt,
      confirm: async () => {
        confirmedAt = Date.now();
        await new Promise((resolve) => setTimeout(resolve, 20));
        [late] = (await deadLetter(sqs, job, queues, [{ payload: { text: 'late' }, code: 'LATE' }])).map(
          (e) => e.jobId,
        );
        return true;
      },
    });

    // Assess
    expect(result.deleted).toHaveLength(3);
    expect(await dlqJobIds(queues.dlqUrl)).toEqual([late]);
  });

  it('with --all, empties a FIFO DLQ whose groups hold many messages', async () => {
    // Prepare: fauxqs, like SQS, hands out no more of a group while its earlier messages are held.
    const fifo = orderJob();
    queues = await emulator.queuesFor(fifo);
    const specs = Array.from({ length: 23 }, (_, i) => {
      const customerId = i < 15 ? 'c-1' : 'c-2';
      return { payload: { orderId: `o-${i}`, customerId }, code: 'DECLINED', groupId: customerId };
    });
    for (let i = 0; i < specs.length; i += 10) await deadLetter(sqs, fifo, queues, specs.slice(i, i + 10));

    // Act
    const result = await discardDead(sqs, queues.dlqUrl, {
      all: true,
      confirm: async () => true,
      waitSeconds: 0,
    });

    // Assess
    expect(result.deleted).toHaveLength(23);
    expect(await queues.depth(queues.dlqUrl)).toBe(0);
  });
});

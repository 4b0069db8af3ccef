import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry, JobClient } from '../../../lib/index.js';
import { WORKER_LOG_MESSAGES } from '../../../lib/worker/rules.js';
import { testEmailSend } from '../../fixtures/local/jobs.js';
import { startTestLocal, type TestLocal } from '../../helpers/local.js';
import { waitFor } from '../../helpers/wait.js';

let running: TestLocal | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const EMAILS = 6;
const RATE = 2;

describe('startLocal: the stage’s emailSendRate', () => {
  it('starts the real e-mail worker’s sends at most 2 per second, and sends every e-mail', async () => {
    // Prepare: the grants the worker logs (debug) are the limiter's own times.
    const logged: Record<string, unknown>[] = [];
    running = await startTestLocal({
      registry: createRegistry([testEmailSend]),
      workers: [testEmailSend.name],
      stage: { emailSendRate: RATE },
      environment: { POWERTOOLS_LOG_LEVEL: 'DEBUG' },
      log: {
        event: () => undefined,
        output: (_source, line) => {
          if (line.startsWith('{')) logged.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    });
    const { local } = running;
    const client = new JobClient({ registry: createRegistry([testEmailSend]), sqs: local.sqs });

    // Act
    await client.enqueueMany(
      testEmailSend,
      Array.from({ length: EMAILS }, (_, i) => ({
        to: [`user${i}@example.com`],
        subject: `n${i}`,
        text: 'hi',
      })),
    );
    await waitFor('every e-mail in the SES store', async () => {
      const store = (await (await fetch(`${local.endpoints.ses}/store`)).json()) as { emails: unknown[] };
      return store.emails.length >= EMAILS ? true : undefined;
    });

    // Assess: every e-mail job was granted a start (one whose run was cut short by its deadline
    // asks again), and every grant came at least 1/RATE s after the one before.
    const granted = logged.filter((line) => line.message === WORKER_LOG_MESSAGES.rateStart);
    expect(new Set(granted.map((line) => line.jobId)).size).toBe(EMAILS);
    const grants = granted.map((line) => Number(line.startAt)).sort((a, b) => a - b);
    for (let i = 1; i < grants.length; i++) {
      expect((grants[i] ?? 0) - (grants[i - 1] ?? 0)).toBeGreaterThanOrEqual(1000 / RATE);
    }
  }, 120_000);
});

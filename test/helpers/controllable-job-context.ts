import { Logger } from '@aws-lambda-powertools/logger';
import { vi } from 'vitest';
import type { JobContext, JobDefinition, JobInput } from '../../lib/index.js';

/**
 * A `JobContext` for calling a handler directly: its signal is the test's to abort, its remaining
 * time is the test's to set, and `continueWith` / `progress` are spies.
 */
export function controllableJobContext<J extends JobDefinition>(
  job: J,
  overrides: { jobId?: string; attempt?: number; continuation?: number; remainingMs?: () => number } = {},
) {
  const controller = new AbortController();
  const continueWith = vi.fn<(payload: JobInput<J>, options?: { delaySeconds?: number }) => Promise<void>>(
    async () => undefined,
  );
  const progress = vi.fn<(progress: Readonly<Record<string, string | number>>) => Promise<void>>(
    async () => undefined,
  );
  const context: JobContext<J> = {
    jobId: overrides.jobId ?? '01JOBCONTEXT00000000000000',
    jobName: job.name,
    attempt: overrides.attempt ?? 1,
    continuation: overrides.continuation ?? 0,
    enqueuedAt: '2026-11-23T10:00:00.000Z',
    correlationId: undefined,
    idempotencyKey: undefined,
    signal: controller.signal,
    remainingTimeMs: overrides.remainingMs ?? (() => 60_000),
    logger: new Logger({ serviceName: 'test' }),
    continueWith,
    progress,
  };
  return { context, abort: () => controller.abort(new Error('deadline')), continueWith, progress };
}

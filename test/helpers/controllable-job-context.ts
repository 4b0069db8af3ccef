import { vi } from 'vitest';
import type { JobDefinition, JobInput } from '../../lib/index.js';
import { fakeJobContext } from './job-context.js';

/**
 * A `fakeJobContext` the test steers: it aborts the signal when it likes, sets the remaining
 * time, and reads what the handler passed to `continueWith` and `progress` (spies).
 */
export function controllableJobContext<J extends JobDefinition>(
  job: J,
  overrides: {
    jobId?: string;
    attempt?: number;
    continuation?: number;
    scheduledAt?: string;
    remainingMs?: () => number;
  } = {},
) {
  const controller = new AbortController();
  const continueWith = vi.fn<(payload: JobInput<J>, options?: { delaySeconds?: number }) => Promise<void>>(
    async () => undefined,
  );
  const progress = vi.fn<(progress: Readonly<Record<string, string | number>>) => Promise<void>>(
    async () => undefined,
  );
  const context = fakeJobContext(job, {
    ...(overrides.jobId === undefined ? {} : { jobId: overrides.jobId }),
    ...(overrides.attempt === undefined ? {} : { attempt: overrides.attempt }),
    ...(overrides.continuation === undefined ? {} : { continuation: overrides.continuation }),
    ...(overrides.scheduledAt === undefined ? {} : { scheduledAt: overrides.scheduledAt }),
    remainingTimeMs: overrides.remainingMs ?? (() => 60_000),
    signal: controller.signal,
    continueWith,
    progress,
  });
  return { context, abort: () => controller.abort(new Error('deadline')), continueWith, progress };
}

import { Logger } from '@aws-lambda-powertools/logger';
import type { JobDefinition } from '../../lib/index.js';
import type { JobContext } from '../../lib/worker/index.js';

/** A `JobContext` for calling a handler directly, outside the worker. */
export function fakeJobContext<J extends JobDefinition>(
  job: J,
  overrides: Partial<JobContext<J>> = {},
): JobContext<J> {
  return {
    jobId: '01KAJOB0000000000000000001',
    jobName: job.name,
    attempt: 1,
    continuation: 0,
    enqueuedAt: '2026-11-23T10:00:00.000Z',
    scheduledAt: undefined,
    correlationId: undefined,
    idempotencyKey: undefined,
    signal: new AbortController().signal,
    remainingTimeMs: () => 10_000,
    logger: new Logger({ serviceName: 'hangar-test', logLevel: 'SILENT' }),
    continueWith: async () => undefined,
    progress: async () => undefined,
    ...overrides,
  };
}

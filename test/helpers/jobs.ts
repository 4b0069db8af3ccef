import * as z from 'zod/mini';
import { defineJob, type JobSpec } from '../../lib/index.js';

export const notePayload = z.strictObject({
  text: z.string().check(z.minLength(1)),
  size: z.optional(z.int()),
});
export const orderPayload = z.strictObject({ orderId: z.string(), customerId: z.string() });

/** A standard-queue job for tests; any spec key can be overridden. */
export function noteJob(overrides: Partial<JobSpec<typeof notePayload>> = {}) {
  return defineJob({ name: 'test.note', schema: notePayload, ...overrides });
}

/** A FIFO job grouped by customer. */
export function orderJob(overrides: Partial<JobSpec<typeof orderPayload>> = {}) {
  return defineJob({
    name: 'test.order',
    schema: orderPayload,
    fifo: { groupKey: (p) => p.customerId },
    ...overrides,
  });
}

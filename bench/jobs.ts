/**
 * The jobs the benchmarks run: a no-op job without the ledger (the framework alone) and the same
 * with the ledger (its two writes per job). Both carry the same small payload.
 */
import * as z from 'zod/mini';
import { createRegistry, defineJob, ENVELOPE_VERSION, type JobEnvelope } from '../lib/index.js';

export const benchPayload = z.strictObject({ n: z.int(), label: z.string() });

export const noopRun = defineJob({
  name: 'noop.run',
  description: 'Does nothing: what is measured is the framework around it.',
  schema: benchPayload,
  useLedger: false,
});

export const ledgerRun = defineJob({
  name: 'ledger.run',
  description: 'Does nothing, recorded in the ledger: claim and succeed.',
  schema: benchPayload,
  useLedger: true,
});

export const benchRegistry = createRegistry([noopRun, ledgerRun]);

/** Where their handlers live (`<dir>/noop/handler.ts`, `<dir>/ledger/handler.ts`), as the stack and the local runtime look for them. */
export const BENCH_FUNCTIONS = new URL('./functions/', import.meta.url);

/** The payload of the n-th bench job. */
export function benchJobPayload(n: number): z.output<typeof benchPayload> {
  return { n, label: `job ${n}` };
}

/** An envelope of `noop.run` as a producer writes it. */
export function benchEnvelope(n: number): JobEnvelope {
  return {
    version: ENVELOPE_VERSION,
    jobId: `01BENCH${String(n).padStart(19, '0')}`,
    name: noopRun.name,
    payload: benchJobPayload(n),
    enqueuedAt: '2026-11-23T10:00:00.000Z',
    attempt: 1,
    continuation: 0,
  };
}

import { vi } from 'vitest';
import type { ClaimResult, JobLedger } from '../../lib/worker/index.js';

/** A ledger whose every method is a spy; `claim` answers what the test says. */
export function fakeLedger(claim: ClaimResult = { outcome: 'claimed', token: 'tok-1' }) {
  return {
    claim: vi.fn<JobLedger['claim']>(async () => claim),
    succeed: vi.fn<JobLedger['succeed']>(async () => undefined),
    fail: vi.fn<JobLedger['fail']>(async () => undefined),
    continued: vi.fn<JobLedger['continued']>(async () => undefined),
    progress: vi.fn<JobLedger['progress']>(async () => undefined),
    deadOnArrival: vi.fn<JobLedger['deadOnArrival']>(async () => ({ outcome: 'recorded' }) as const),
  } satisfies JobLedger;
}

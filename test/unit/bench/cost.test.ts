import { describe, expect, it } from 'vitest';
import { measureCost } from '../../../bench/cost/measure.js';
import { PRICES } from '../../../bench/cost/prices.js';
import { coldStart, recording } from '../../helpers/bench-cost.js';

describe('Function: measureCost', () => {
  const cost = measureCost(coldStart, recording);

  it('prices the ledger from the write units recorded per path', () => {
    expect(cost.ledgerWriteUnitsPerJob).toBe(5);
    expect(cost.apiLedgerWriteUnitsPerJob).toBe(6);
    expect(cost.apiKeyedLedgerWriteUnitsPerJob).toBe(8);
    expect(cost.generic.direct.withLedger.ledger).toBeCloseTo(5 * PRICES.dynamoWriteUnit * 1e6, 2);
    expect(cost.generic.api.withLedger.ledger).toBeCloseTo(6 * PRICES.dynamoWriteUnit * 1e6, 2);
    expect(cost.jobs['email.send']?.ledger).toBeCloseTo(5 * PRICES.dynamoWriteUnit * 1e6, 2);
  });

  it('sets a generic job with the ledger against the same job without it, on both paths', () => {
    const { direct, api } = cost.generic;
    expect(direct.floor.ledger).toBe(0);
    expect(api.floor.ledger).toBe(0);
    // The API path adds the HTTP API request and one SQS send per job to both rows.
    expect(api.floor.api).toBeCloseTo(PRICES.httpApiRequest * 1e6, 2);
    expect(api.floor.sqs).toBeGreaterThan(direct.floor.sqs);
    expect(direct.ratio).toBeCloseTo(direct.withLedger.total / direct.floor.total, 2);
    expect(api.ratio).toBeCloseTo(api.withLedger.total / api.floor.total, 2);
    expect(direct.ratio).toBeGreaterThan(1);
  });
});

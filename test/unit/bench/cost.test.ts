import { describe, expect, it } from 'vitest';
import type { ColdStartSection } from '../../../bench/cold-start/measure.js';
import { LEDGER_WRITE_UNIT_GOALS, measureCost } from '../../../bench/cost/measure.js';
import { PRICES } from '../../../bench/cost/prices.js';
import { renderResults } from '../../../bench/report.js';
import type { LedgerWriteRecording } from '../../helpers/ledger-writes.js';

const summary = { median: 100, min: 90, max: 110, spread: 0.1, runs: 3 };
const figures = (warmEventMs: number) => ({
  bundleBytes: 1,
  initMs: summary,
  firstEventMs: summary,
  coldStartMs: summary,
  cpu: { initMs: summary, firstEventMs: summary, coldStartMs: summary },
  processMs: 1,
  warmEventMs,
});
const coldStart: ColdStartSection = {
  ratio: 1,
  goal: '≤ 0.7',
  stretchGoal: '≤ 0.6',
  cpuRatio: 1,
  identicalBundlingRatio: 1,
  unit: 'ms',
  functions: { api: figures(20), email: figures(15), sync: figures(70), cleanup: figures(20) },
  baseline: figures(4),
  baselineIdenticalBundling: figures(4),
  runs: 1,
};
const path = (writeUnits: number) => ({ writes: [], writeUnits, maxItemBytes: 400 });
const recording: LedgerWriteRecording = {
  direct: path(5),
  api: path(6),
  apiWithKey: path(8),
  transitions: [],
};

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

  it('reports the write units against the goals of issue 15', () => {
    const markdown = renderResults({
      date: '2026-11-29T00:00:00.000Z',
      machine: {
        cpu: 'cpu',
        cores: 2,
        memoryGiB: 8,
        node: 'v24.0.0',
        platform: 'linux x64',
        loadAverageBefore: [1, 1, 1],
        loadAverageAfter: [1, 1, 1],
      },
      seconds: 1,
      cost,
    });

    expect(markdown).toContain(
      `| \`cost.ledgerWriteUnitsPerJob\` | 5 | ${LEDGER_WRITE_UNIT_GOALS.direct} | met |`,
    );
    expect(markdown).toContain(
      `| \`cost.apiLedgerWriteUnitsPerJob\` | 6 | ${LEDGER_WRITE_UNIT_GOALS.api} | met |`,
    );
    expect(markdown).toContain(`| \`cost.generic.direct\` | ${cost.generic.direct.ratio.toFixed(2)} |`);
    expect(markdown).toContain('| floor: HTTP API + SQS + Lambda alone |');
  });
});

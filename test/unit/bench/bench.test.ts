import { describe, expect, it } from 'vitest';
import { type CpuProfile, summarizeProfiles } from '../../../bench/cold-start/profile.js';
import { LEDGER_WRITE_UNIT_GOALS, measureCost } from '../../../bench/cost/measure.js';
import { type BenchResults, renderResults } from '../../../bench/report.js';
import { median, quantile, summarize } from '../../../bench/shared/stats.js';
import { coldStart, recording } from '../../helpers/bench-cost.js';

describe('Module: bench stats', () => {
  it('takes medians and quartiles by linear interpolation, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(summarize([10, 10, 10, 14])).toEqual({ median: 10, min: 10, max: 14, spread: 0.1, runs: 4 });
  });
});

describe('Function: summarizeProfiles', () => {
  // Two frames: the bundle's top level and a Node built-in; one sample every millisecond.
  const profile = (bundleSamples: number, builtinSamples: number, firstEventSamples: number): CpuProfile => ({
    nodes: [
      { id: 1, callFrame: { functionName: '', url: 'file:///tmp/x/asset.abc/index.js', lineNumber: 0 } },
      {
        id: 2,
        callFrame: { functionName: 'wrapSafe', url: 'node:internal/modules/cjs/loader', lineNumber: 9 },
      },
    ],
    startTime: 0,
    samples: [
      ...Array<number>(bundleSamples).fill(1),
      ...Array<number>(builtinSamples).fill(2),
      ...Array<number>(firstEventSamples).fill(1),
    ],
    timeDeltas: Array<number>(bundleSamples + builtinSamples + firstEventSamples).fill(1_000),
  });
  const phasesOf = (bundle: number, builtin: number, firstEvent: number) => ({
    started: 0,
    imported: (bundle + builtin) * 1_000,
    done: (bundle + builtin + firstEvent) * 1_000,
  });

  it('ranks self time per function and per file within a phase, as the median over the profiles', () => {
    // Prepare
    const runs = [
      { profile: profile(10, 30, 5), phases: phasesOf(10, 30, 5) },
      { profile: profile(20, 10, 7), phases: phasesOf(20, 10, 7) },
      { profile: profile(30, 25, 9), phases: phasesOf(30, 25, 9) },
    ];

    // Act
    const imported = summarizeProfiles(runs, 'import');
    const firstEvent = summarizeProfiles(runs, 'firstEvent');

    // Assess
    expect(imported).toEqual({
      profiles: 3,
      byFunction: [
        { name: 'wrapSafe node:internal/modules/cjs/loader:10', ms: 25 },
        { name: '(anonymous) bundle:index.js:1', ms: 20 },
      ],
      byFile: [
        { name: 'node:internal/modules/cjs/loader', ms: 25 },
        { name: 'bundle:index.js', ms: 20 },
      ],
    });
    expect(firstEvent.byFunction).toEqual([{ name: '(anonymous) bundle:index.js:1', ms: 7 }]);
  });
});

describe('Function: renderResults', () => {
  const base: BenchResults = {
    date: '2026-11-24T00:00:00.000Z',
    machine: {
      cpu: 'cpu',
      cores: 2,
      memoryGiB: 8,
      node: 'v24.0.0',
      platform: 'linux x64',
      loadAverageBefore: [1, 1, 1],
      loadAverageAfter: [1, 1, 1],
    },
    seconds: 300,
  };
  const summary = { median: 1000, min: 900, max: 1100, spread: 0.1, runs: 3 };

  it('marks each ratio against its goal and explains only the goals missed', () => {
    const markdown = renderResults({
      ...base,
      producer: {
        ratio: 1,
        goal: '1.0',
        requests: { total: 1000, floor: 1000, byOperation: { SendMessageBatch: 1000 } },
        jobs: 10_000,
        throughput: { client: summary, apiBatch: summary, apiSingle: summary },
        apiBatchSize: 100,
        apiConcurrency: 4,
        runs: 3,
      },
      endToEnd: {
        ratio: 0.4,
        goal: '≥ 0.5',
        unit: 'jobs per second',
        noLedger: { hangar: summary, rawLoop: summary },
        withLedger: { hangar: summary, rawLoop: summary, ratio: 1 },
        jobs: 5000,
        ledgerJobs: 1000,
        consumers: 5,
        runs: 3,
      },
    });

    expect(markdown).toContain('| `producer` | 1.000 | 1.0 | met |');
    expect(markdown).toContain('| `endToEnd` | 0.40 | ≥ 0.5 | **missed** |');
    expect(markdown).toContain('**endToEnd (0.40, goal ≥ 0.5).**');
    expect(markdown).not.toContain('**producer (');
  });

  it('puts the e-mail worker against the usual baseline, with the identical-bundling reference and the API beside it', () => {
    // Prepare
    const figures = (coldStartMs: number) => {
      const of = (median: number) => ({ ...summary, median });
      return {
        bundleBytes: 512 * 1024,
        initMs: of(coldStartMs - 40),
        firstEventMs: of(40),
        coldStartMs: of(coldStartMs),
        cpu: { initMs: of(coldStartMs - 45), firstEventMs: of(35), coldStartMs: of(coldStartMs - 10) },
        processMs: coldStartMs + 30,
        warmEventMs: 4,
      };
    };

    // Act
    const markdown = renderResults({
      ...base,
      coldStart: {
        ratio: 0.8,
        goal: '≤ 0.7',
        stretchGoal: '≤ 0.6',
        cpuRatio: 0.78,
        identicalBundlingRatio: 1.05,
        sdkFloorRatio: { wall: 0.64, cpu: 0.62 },
        unit: 'ms, import + first event (median)',
        functions: { api: figures(110), email: figures(100) },
        baseline: figures(125),
        baselineIdenticalBundling: figures(95),
        sdkFloor: figures(80),
        runs: 15,
      },
    });

    // Assess
    expect(markdown).toContain('| `coldStart` | 0.80 | ≤ 0.7 | **missed** |');
    expect(markdown).toContain('(CPU time: 0.78; against the same worker bundled as Hangar’s: 1.05)');
    expect(markdown).toContain(
      '| baseline e-mail worker, bundled as a team deploys it | 512 | 85.0 (±5 %) | 40.0 (±5 %) | 125.0 (±5 %) | 80.0 + 35.0 = 115.0 (±5 %) | 4.0 | 155 |',
    );
    expect(markdown).toContain('| ↳ the same, bundled as Hangar’s functions (reference) | 512 |');
    expect(markdown).toContain(
      '| the e-mail worker’s AWS calls alone, same clients and bundling (SDK floor) | 512 | 40.0 (±5 %) | 40.0 (±5 %) | 80.0 (±5 %) | 35.0 + 35.0 = 70.0 (±5 %) | 4.0 | 110 |',
    );
    expect(markdown).toContain('the AWS calls alone (SDK floor) ÷ the baseline: 0.64, in CPU time 0.62.');
    expect(markdown).toContain(
      "take 80 ms, 70 ms of CPU: 0.64 of the baseline (CPU 0.62). Hangar's own part is what lies above that floor: 20 ms of CPU at import",
    );
    expect(markdown).toContain(
      "The API function's cold start (`POST /jobs`: ledger record, SQS send): 110 ms, 100 ms of CPU.",
    );
    expect(markdown).toContain('**coldStart (0.80, goal ≤ 0.7).**');
  });

  it('reports the ledger write units against the goals of issue 15, and the generic job on both paths', () => {
    // Act
    const cost = measureCost(coldStart, recording);
    const markdown = renderResults({ ...base, cost });

    // Assess
    expect(markdown).toContain(
      `| \`cost.ledgerWriteUnitsPerJob\` | ${recording.direct.writeUnits} | ${LEDGER_WRITE_UNIT_GOALS.direct} | met |`,
    );
    expect(markdown).toContain(
      `| \`cost.apiLedgerWriteUnitsPerJob\` | ${recording.api.writeUnits} | ${LEDGER_WRITE_UNIT_GOALS.api} | met |`,
    );
    expect(markdown).toContain(`| \`cost.generic.direct\` | ${cost.generic.direct.ratio.toFixed(2)} |`);
    expect(markdown).toContain('| floor: HTTP API + SQS + Lambda alone |');
  });
});

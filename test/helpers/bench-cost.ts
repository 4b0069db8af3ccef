/** What the cost section is computed from, in unit tests: cold-start durations and recorded write units. */
import type { ColdStartSection } from '../../bench/cold-start/measure.js';
import type { LedgerWriteRecording } from './ledger-writes.js';

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
export const coldStart: ColdStartSection = {
  ratio: 1,
  goal: '≤ 0.7',
  stretchGoal: '≤ 0.6',
  cpuRatio: 1,
  identicalBundlingRatio: 1,
  sdkFloorRatio: { wall: 0.6, cpu: 0.6 },
  unit: 'ms',
  functions: { api: figures(20), email: figures(15), sync: figures(70), cleanup: figures(20) },
  baseline: figures(4),
  baselineIdenticalBundling: figures(4),
  sdkFloor: figures(3),
  runs: 1,
};
const path = (writeUnits: number) => ({ writes: [], writeUnits, maxItemBytes: 400 });
export const recording: LedgerWriteRecording = {
  direct: path(5),
  api: path(6),
  apiWithKey: path(8),
  transitions: [],
};

/**
 * CPU profiles of cold starts (`npm run bench -- --only coldStart --cpu-prof <dir>`): one V8 profile
 * per run, sampled every 100 µs (which slows the run: profiled figures are for finding where the
 * time goes, never for the results), with the driver's phase boundaries beside it, and the summary
 * that ranks where a phase spent its time — the median over runs of each function's and each
 * file's self time. A minified bundle's functions have mangled names; its top-level code (the
 * module bodies esbuild hoists) shows as `(anonymous) bundle:<line>`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '../shared/stats.js';

/** Phase boundaries on the profile's clock (µs): the bundle's load starts, the load ends, the first event ends. */
export interface ProfilePhases {
  readonly started: number;
  readonly imported: number;
  readonly done: number;
}

export const PROFILE_PHASES = ['import', 'firstEvent'] as const;
export type ProfilePhase = (typeof PROFILE_PHASES)[number];

const SAMPLE_INTERVAL_US = 100;

/** Node flags that profile one run into `dir`. */
export function profileArgs(dir: string, run: number): string[] {
  return [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    `--cpu-prof-name=run-${run}.cpuprofile`,
    `--cpu-prof-interval=${SAMPLE_INTERVAL_US}`,
  ];
}

export function phasesFile(dir: string, run: number): string {
  return join(dir, `run-${run}.phases.json`);
}

/** The parts of a `.cpuprofile` the summary reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
  readonly name: string;
  /** Median over the profiles of the self time, ms. */
  readonly ms: number;
}

export interface ProfileSummary {
  readonly profiles: number;
  readonly byFunction: readonly ProfileEntry[];
  readonly byFile: readonly ProfileEntry[];
}

/** `file:///…/asset.<hash>/index.js` → `bundle:index.js`: the same name whichever run or hash. */
function fileOf(url: string): string {
  return url.replace(/^file:\/\/.*\/([^/]+)$/, 'bundle:$1');
}

/** Each profile's self time per key within `phase`, then the median per key across profiles. */
export function summarizeProfiles(
  runs: readonly { readonly profile: CpuProfile; readonly phases: ProfilePhases }[],
  phase: ProfilePhase,
  top = 15,
): ProfileSummary {
  const perRun = runs.map(({ profile, phases }) => {
    const [from, to] =
      phase === 'import' ? [phases.started, phases.imported] : [phases.imported, phases.done];
    const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    const byFunction = new Map<string, number>();
    const byFile = new Map<string, number>();
    let at = profile.startTime;
    profile.samples.forEach((sample, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      at += delta;
      const frame = frames.get(sample);
      if (at <= from || at > to || frame === undefined) return;
      const file = frame.url === '' ? frame.functionName : fileOf(frame.url);
      const fn = `${frame.functionName || '(anonymous)'}${frame.url === '' ? '' : ` ${file}:${frame.lineNumber + 1}`}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + delta / 1000);
      byFile.set(file, (byFile.get(file) ?? 0) + delta / 1000);
    });
    return { byFunction, byFile };
  });
  const rank = (of: (run: (typeof perRun)[number]) => Map<string, number>): ProfileEntry[] => {
    const names = new Set(perRun.flatMap((run) => [...of(run).keys()]));
    return [...names]
      .map((name) => ({ name, ms: median(perRun.map((run) => of(run).get(name) ?? 0)) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
  };
  return { profiles: runs.length, byFunction: rank((r) => r.byFunction), byFile: rank((r) => r.byFile) };
}

/** Reads every `run-<n>.cpuprofile` of a directory written by `--cpu-prof`, with its phases. */
export function readProfiles(dir: string): { profile: CpuProfile; phases: ProfilePhases }[] {
  return readdirSync(dir)
    .filter((file) => /^run-\d+\.cpuprofile$/.test(file))
    .map((file) => {
      const run = Number(/\d+/.exec(file)?.[0]);
      return {
        profile: JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile,
        phases: JSON.parse(readFileSync(phasesFile(dir, run), 'utf8')) as ProfilePhases,
      };
    });
}

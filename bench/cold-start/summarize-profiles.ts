/**
 * `tsx bench/cold-start/summarize-profiles.ts <dir>/<function> [top]`: the top self-time entries of
 * a function's profiled cold starts (see ./profile.ts), by function and by file, for the import and
 * for the first event.
 */
import { PROFILE_PHASES, readProfiles, summarizeProfiles } from './profile.js';

const [dir, top] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: summarize-profiles <profile dir of one function> [top]');
const runs = readProfiles(dir);
for (const phase of PROFILE_PHASES) {
  const summary = summarizeProfiles(runs, phase, top === undefined ? undefined : Number(top));
  console.log(`\n## ${phase}: self time, median of ${summary.profiles} profiles (ms, profiled)`);
  for (const [title, entries] of [
    ['by function', summary.byFunction],
    ['by file', summary.byFile],
  ] as const) {
    console.log(`\n${title}`);
    for (const entry of entries) console.log(`${entry.ms.toFixed(1).padStart(7)}  ${entry.name}`);
  }
}

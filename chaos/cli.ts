/**
 * `npm run chaos -- --jobs N [--seed S] [--time-limit SECONDS] [--infra-faults RATE]`: runs the
 * chaos run, prints the seed first (to repeat a run exactly), how often each fault fired, what went
 * wrong if anything, and one JSON line last. `--infra-faults 0.05` fails 5 % of the workers' and
 * event sources' AWS calls (half the jobs are then real e-mails). Exits 1 when a job was lost or
 * doubled, the DLQ is off, the queue did not drain, or a planned fault never fired; 2 for bad
 * arguments.
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { FAULT_KINDS } from '../local/faults/fault-plan.js';
import { CHAOS_DEFAULTS, type ChaosReport, runChaos } from './run-chaos.js';

/** Bounds of `--jobs`: enough for every fault kind, and few enough to end in minutes. */
export const CHAOS_LIMITS = { minJobs: 10, maxJobs: 100_000 } as const;

function fail(message: string): never {
  console.error(`chaos: ${message}`);
  console.error('usage: npm run chaos -- --jobs N [--seed S] [--time-limit SECONDS] [--infra-faults RATE]');
  process.exit(2);
}

function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max)
    fail(`--${name} must be an integer from ${min} to ${max}`);
  return parsed;
}

function share(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0 || parsed > 1)
    fail(`--${name} must be a number above 0 and at most 1`);
  return parsed;
}

function printReport(report: ChaosReport): void {
  const { plan, fired, verdict } = report;
  const rows: [string, string, string][] = [
    [
      'transient',
      `${plan.counts.transient} jobs, ${plan.transientFailures} failures`,
      `${fired.transientFailures} failures, ${fired.retried} retries`,
    ],
    [
      'permanent',
      `${plan.counts.permanent} jobs`,
      `${fired.permanentFailures} failures, ${fired.deadLettered} dead-lettered`,
    ],
    [
      'slow (past its margin)',
      `${plan.counts.slow} jobs`,
      `${fired.slowJobs} jobs, ${fired.handedBack} records handed back`,
    ],
    [
      'stuck (ignores its signal)',
      `${plan.counts.stuck} jobs`,
      `${fired.stuckJobs} jobs, ${fired.hardStops} hard stops`,
    ],
    [
      'blocking (past the timeout)',
      `${plan.counts.blocking} jobs`,
      `${fired.blockingJobs} jobs, ${fired.terminated} invocations terminated`,
    ],
    [
      'injected twice',
      `${plan.counts.duplicate} copies`,
      `${fired.droppedAsSettled} deliveries dropped as already settled`,
    ],
  ];
  console.log('fault                        planned                      fired');
  for (const [kind, planned, seen] of rows) console.log(`${kind.padEnd(29)}${planned.padEnd(29)}${seen}`);
  console.log(`records a worker could not settle: ${fired.unsettled}`);
  console.log(
    `keyed jobs: ${report.summary.keyedJobs}, at most ${report.summary.keyedMaxConcurrent} of one key at once (limit ${report.summary.keyedLimit})`,
  );
  const infra = fired.infra;
  if (infra) {
    console.log(
      `\nAWS requests failed by the fault layer (${infra.rate} of the calls, every attempt of a failing call), by service and operation:`,
    );
    console.log(
      `${'call'.padEnd(40)}${'requests'.padStart(9)}${FAULT_KINDS.map((k) => k.padStart(11)).join('')}`,
    );
    for (const [service, operations] of Object.entries(infra.byOperation)) {
      for (const [operation, counts] of Object.entries(operations)) {
        const cells = FAULT_KINDS.map((kind) => String(counts[kind]).padStart(11)).join('');
        console.log(`${`${service} ${operation}`.padEnd(40)}${String(counts.requests).padStart(9)}${cells}`);
      }
    }
    const cells = FAULT_KINDS.map((kind) => String(infra.totals[kind]).padStart(11)).join('');
    console.log(`${'all'.padEnd(40)}${String(infra.totals.requests).padStart(9)}${cells}`);
    console.log(
      `SES sends carried out with their answer held or lost: ${infra.sesAnswersLost}; e-mails whose message id never reached the handler: ${infra.unansweredEmails}`,
    );
  }
  if (fired.warnings.size > 0) {
    console.log('\nwarnings and errors logged, by source and message:');
    for (const [line, count] of [...fired.warnings].sort((a, b) => b[1] - a[1])) {
      console.log(`${String(count).padStart(7)}  ${line}`);
    }
  }
  for (const problem of verdict.problems) console.log(`PROBLEM ${problem}`);
  for (const trail of report.trails) {
    console.log(`TRAIL ${trail.jobId}: ${trail.record}; faults met: ${trail.faults.join(', ') || 'none'}`);
  }
  for (const kind of report.silentFaults) console.log(`PROBLEM planned fault never observed: ${kind}`);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        jobs: { type: 'string' },
        seed: { type: 'string' },
        'time-limit': { type: 'string' },
        'infra-faults': { type: 'string' },
      },
      strict: true,
    });
  } catch (error) {
    fail((error as Error).message);
  }
})();
const jobs =
  integer('jobs', values.jobs, CHAOS_LIMITS.minJobs, CHAOS_LIMITS.maxJobs) ?? fail('--jobs is required');
const seed = integer('seed', values.seed, 0, 2 ** 32 - 1) ?? randomInt(2 ** 32 - 1);
const timeLimit = integer('time-limit', values['time-limit'], 10, 3_600);
const infraFaults = share('infra-faults', values['infra-faults']);
console.log(
  `chaos: ${jobs} jobs, seed ${seed}${infraFaults === undefined ? '' : `, ${infraFaults} of the AWS calls failing`}`,
);
const report = await runChaos({
  jobs,
  seed,
  ...(infraFaults === undefined ? {} : { infraFaults }),
  timeLimitMs: timeLimit === undefined ? CHAOS_DEFAULTS.timeLimitMs : timeLimit * 1000,
  onProgress: (line) => console.error(`chaos: ${line}`),
});
printReport(report);
console.log(JSON.stringify(report.summary));
process.exitCode = report.ok ? 0 : 1;

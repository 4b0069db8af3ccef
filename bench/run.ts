/**
 * `npm run bench`: every benchmark of issue 9 side by side in one run — `workerOverhead`,
 * `coldStart`, `producer`, `endToEnd`, `cost` — written to bench/results.json and, as tables with
 * the machine and the date, to bench/RESULTS.md. Each section has one top-level `ratio`.
 *
 * `--only <section,…>` runs some sections and prints them without writing the files; `--quick`
 * runs fewer rounds (a smoke test, never written either); `--cpu-prof <dir>` writes a CPU profile
 * of every cold start there (see cold-start/profile.ts; profiled runs are slower, so never written).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { functionEntry } from '../lib/deploy/index.js';
import { startLocal } from '../local/start-local.js';
import { startDynamo } from '../test/helpers/dynamodb.js';
import { recordLedgerWrites } from '../test/helpers/ledger-writes.js';
import {
  BASELINES,
  type ColdStartSection,
  deployedFunctionDirs,
  measureColdStart,
} from './cold-start/measure.js';
import { measureCost } from './cost/measure.js';
import { DeletionCounter, measureEndToEnd } from './end-to-end/measure.js';
import { BENCH_FUNCTIONS, benchRegistry } from './jobs.js';
import { measureProducer } from './producer/measure.js';
import { type BenchResults, renderResults } from './report.js';
import { bundleLikeTheStack } from './shared/bundle-like-stack.js';
import { bundleDrivers } from './shared/harness.js';
import { measureWorkerOverhead } from './worker-overhead/measure.js';

export const SECTIONS = ['workerOverhead', 'coldStart', 'producer', 'endToEnd', 'cost'] as const;
type Section = (typeof SECTIONS)[number];

/** How much each section measures: enough repetitions for a median on a shared 2-core machine, all within 10 minutes. */
export const BENCH_PLAN = {
  full: {
    overheadRounds: 7,
    overheadRecords: 200_000,
    coldStartRuns: 15,
    producerJobs: 10_000,
    producerSingleApiJobs: 1_000,
    producerRuns: 3,
    endToEndJobs: 5_000,
    endToEndLedgerJobs: 1_000,
    endToEndRuns: 3,
  },
  quick: {
    overheadRounds: 2,
    overheadRecords: 50_000,
    coldStartRuns: 3,
    producerJobs: 10_000,
    producerSingleApiJobs: 200,
    producerRuns: 1,
    endToEndJobs: 1_000,
    endToEndLedgerJobs: 200,
    endToEndRuns: 1,
  },
} as const;

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const HERE = fileURLToPath(new URL('./', import.meta.url));

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
  strict: true,
});
const only = values.only?.split(',').map((s) => s.trim());
for (const name of only ?? []) {
  if (!(SECTIONS as readonly string[]).includes(name)) {
    console.error(`bench: unknown section "${name}"; sections: ${SECTIONS.join(', ')}`);
    process.exit(2);
  }
}
const wanted = (section: Section) => only === undefined || only.includes(section);
const plan = values.quick ? BENCH_PLAN.quick : BENCH_PLAN.full;
const profileDir = values['cpu-prof'];
const writeFiles = only === undefined && !values.quick && profileDir === undefined;
const log = (message: string) => console.error(`bench: ${message}`);

const started = Date.now();
const loadBefore = loadavg();
const work = await mkdtemp(join(tmpdir(), 'hangar-bench-'));
const results: { -readonly [K in Section]?: NonNullable<BenchResults[K]> } = {};
try {
  log('bundling the functions, the baselines and the benchmark handlers');
  const functionDirs = deployedFunctionDirs();
  const baselineEntry = join(HERE, 'cold-start', 'baseline-email-worker.ts');
  const bundles = await bundleLikeTheStack(
    {
      stack: {
        ...Object.fromEntries(functionDirs.map((dir) => [dir, functionEntry(join(ROOT, 'functions'), dir)])),
        [BASELINES.identicalBundling]: baselineEntry,
        [BASELINES.sdkFloor]: join(HERE, 'cold-start', 'sdk-floor-email-worker.ts'),
        overheadRaw: join(HERE, 'worker-overhead', 'handlers', 'raw.ts'),
        overheadPowertools: join(HERE, 'worker-overhead', 'handlers', 'powertools.ts'),
        overheadHangar: functionEntry(fileURLToPath(BENCH_FUNCTIONS), 'noop'),
      },
      usual: { [BASELINES.usual]: baselineEntry },
    },
    join(work, 'cdk'),
  );
  const drivers = await bundleDrivers(
    {
      overhead: join(HERE, 'worker-overhead', 'driver.ts'),
      coldStart: join(HERE, 'cold-start', 'driver.ts'),
    },
    join(work, 'drivers'),
  );
  const file = (name: string) => {
    const bundle = bundles[name];
    if (!bundle) throw new Error(`No bundle ${name}`);
    return bundle;
  };

  if (wanted('workerOverhead')) {
    log('workerOverhead');
    results.workerOverhead = await measureWorkerOverhead({
      bundles: {
        raw: file('overheadRaw').file,
        powertools: file('overheadPowertools').file,
        hangar: file('overheadHangar').file,
      },
      driver: drivers.overhead ?? '',
      workDir: work,
      rounds: plan.overheadRounds,
      records: plan.overheadRecords,
      onProgress: log,
    });
  }

  let coldStart: ColdStartSection | undefined;
  if (wanted('coldStart') || wanted('cost')) {
    log('coldStart');
    const local = await startLocal({ ports: 'free' });
    try {
      coldStart = await measureColdStart({
        bundles: Object.fromEntries(
          [...functionDirs, ...Object.values(BASELINES)].map((name) => [name, file(name)]),
        ),
        driver: drivers.coldStart ?? '',
        local,
        workDir: work,
        runs: plan.coldStartRuns,
        ...(profileDir === undefined ? {} : { profileDir }),
        onProgress: log,
      });
      results.coldStart = coldStart;
    } finally {
      await local.stop();
    }
  }

  if (wanted('producer')) {
    log('producer');
    const local = await startLocal({ ports: 'free', workers: false });
    try {
      results.producer = await measureProducer({
        local,
        jobs: plan.producerJobs,
        singleApiJobs: plan.producerSingleApiJobs,
        runs: plan.producerRuns,
        apiConcurrency: 4,
        onProgress: log,
      });
    } finally {
      await local.stop();
    }
  }

  if (wanted('endToEnd')) {
    log('endToEnd');
    const counter = new DeletionCounter();
    const local = await startLocal({
      ports: 'free',
      registry: benchRegistry,
      functionsDir: fileURLToPath(BENCH_FUNCTIONS),
      log: counter,
    });
    try {
      results.endToEnd = await measureEndToEnd({
        local,
        counter,
        jobs: plan.endToEndJobs,
        ledgerJobs: plan.endToEndLedgerJobs,
        runs: plan.endToEndRuns,
        runTimeoutMs: 180_000,
        onProgress: log,
      });
    } finally {
      await local.stop();
    }
  }

  if (wanted('cost') && coldStart) {
    log('cost: recording the ledger writes of one job on each path (dynalite)');
    const dynamo = await startDynamo();
    try {
      results.cost = measureCost(coldStart, await recordLedgerWrites(dynamo.endpoint));
    } finally {
      await dynamo.stop();
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

const document: BenchResults = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
    loadAverageAfter: loadavg().map((l) => Math.round(l * 100) / 100),
  },
  seconds: Math.round((Date.now() - started) / 1000),
  ...results,
};
if (writeFiles) {
  await writeFile(join(HERE, 'results.json'), `${JSON.stringify(document, null, 2)}\n`);
  await writeFile(join(HERE, 'RESULTS.md'), renderResults(document));
  log(`wrote bench/results.json and bench/RESULTS.md in ${document.seconds} s`);
} else {
  console.log(JSON.stringify(document, null, 2));
  const reason = profileDir !== undefined ? '--cpu-prof' : values.quick ? '--quick' : '--only';
  log(`done in ${document.seconds} s (files not written: ${reason})`);
  if (profileDir !== undefined) {
    log(
      `profiles in ${profileDir}; summary: npx tsx bench/cold-start/summarize-profiles.ts ${profileDir}/email`,
    );
  }
}

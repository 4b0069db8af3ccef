/**
 * bench/RESULTS.md from a run's results: the summary table of every section's ratio against its
 * goal, each section's figures, and — for each goal missed — why, and what would close it.
 */
import type { ColdStartSection, FunctionColdStart } from './cold-start/measure.js';
import type { CostSection, JobCost } from './cost/measure.js';
import type { EndToEndSection } from './end-to-end/measure.js';
import type { ProducerSection } from './producer/measure.js';
import type { Summary } from './shared/stats.js';
import type { WorkerOverheadSection } from './worker-overhead/measure.js';

export interface BenchResults {
  readonly date: string;
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly memoryGiB: number;
    readonly node: string;
    readonly platform: string;
    readonly loadAverageBefore: readonly number[];
    readonly loadAverageAfter: readonly number[];
  };
  readonly seconds: number;
  readonly workerOverhead?: WorkerOverheadSection;
  readonly coldStart?: ColdStartSection;
  readonly producer?: ProducerSection;
  readonly endToEnd?: EndToEndSection;
  readonly cost?: CostSection;
}

const pct = (spread: number) => `±${Math.round(spread * 50)} %`;
const fmt = (s: Summary | undefined, digits = 2) =>
  s === undefined ? '–' : `${s.median.toFixed(digits)} (${pct(s.spread)})`;
const usd = (n: number) => `$${n.toFixed(2)}`;
const met = (ratio: number, goal: string): boolean | undefined => {
  const match = /^(≤|≥)?\s*([\d.]+)$/.exec(goal.trim());
  if (!match) return undefined;
  const target = Number(match[2]);
  if (match[1] === '≤') return ratio <= target;
  if (match[1] === '≥') return ratio >= target;
  return Math.abs(ratio - target) < 1e-9;
};
const verdict = (ratio: number, goal: string) => {
  const ok = met(ratio, goal);
  return ok === undefined ? '–' : ok ? 'met' : '**missed**';
};

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function summary(r: BenchResults): string {
  const rows: string[][] = [];
  if (r.workerOverhead) {
    const w = r.workerOverhead;
    rows.push([
      '`workerOverhead`',
      w.ratio.toFixed(2),
      w.goal,
      verdict(w.ratio, w.goal),
      'Hangar overhead ÷ Powertools overhead per record, batch 10',
    ]);
  }
  if (r.coldStart) {
    const c = r.coldStart;
    rows.push([
      '`coldStart`',
      c.ratio.toFixed(2),
      c.goal,
      verdict(c.ratio, c.goal),
      `e-mail worker cold start ÷ the usual e-mail worker’s, bundled as a team deploys it (CPU time: ${c.cpuRatio.toFixed(2)}; against the same worker bundled as Hangar’s: ${c.identicalBundlingRatio.toFixed(2)})`,
    ]);
  }
  if (r.producer) {
    const p = r.producer;
    rows.push([
      '`producer`',
      p.ratio.toFixed(3),
      p.goal,
      verdict(p.ratio, p.goal),
      `SQS requests for ${p.jobs.toLocaleString('en')} jobs through the client ÷ ${p.requests.floor.toLocaleString('en')}`,
    ]);
  }
  if (r.endToEnd) {
    const e = r.endToEnd;
    rows.push([
      '`endToEnd`',
      e.ratio.toFixed(2),
      e.goal,
      verdict(e.ratio, e.goal),
      'no-ledger jobs/s ÷ raw fauxqs loop msgs/s',
    ]);
  }
  if (r.cost) {
    const c = r.cost;
    rows.push(
      [
        '`cost`',
        c.ratio.toFixed(3),
        '–',
        '–',
        'e-mail cost per million jobs ÷ the floor of SQS + Lambda + SES alone',
      ],
      [
        '`cost.ledgerWriteUnitsPerJob`',
        String(c.ledgerWriteUnitsPerJob),
        c.ledgerWriteUnitGoals.direct,
        verdict(c.ledgerWriteUnitsPerJob, c.ledgerWriteUnitGoals.direct),
        'DynamoDB write units of a successful job sent straight to SQS (table and indexes)',
      ],
      [
        '`cost.apiLedgerWriteUnitsPerJob`',
        String(c.apiLedgerWriteUnitsPerJob),
        c.ledgerWriteUnitGoals.api,
        verdict(c.apiLedgerWriteUnitsPerJob, c.ledgerWriteUnitGoals.api),
        `…of one through the API (${c.apiKeyedLedgerWriteUnitsPerJob} with an idempotency key)`,
      ],
      [
        '`cost.generic.direct`',
        c.generic.direct.ratio.toFixed(2),
        '–',
        '–',
        'a generic job (no SES) with the ledger ÷ SQS + Lambda alone, sent straight to SQS',
      ],
      [
        '`cost.generic.api`',
        c.generic.api.ratio.toFixed(2),
        '–',
        '–',
        '…through the API ÷ HTTP API + SQS + Lambda alone',
      ],
    );
  }
  return table(['section', 'ratio', 'goal', '', 'ratio of'], rows);
}

function workerOverhead(w: WorkerOverheadSection): string {
  const b10 = w.batches['10'];
  const b100 = w.batches['100'];
  if (!b10 || !b100) return '';
  const row = (name: string, key: 'raw' | 'powertools' | 'hangar') => [
    name,
    fmt(b10.perRecordUs[key]),
    key === 'raw' ? '–' : b10.overheadUs[key].toFixed(2),
    fmt(b100.perRecordUs[key]),
    key === 'raw' ? '–' : b100.overheadUs[key].toFixed(2),
  ];
  return [
    `## workerOverhead — ${w.unit}`,
    '',
    `A no-op job without the ledger; each handler parses every body and validates its payload with the job's schema. Each figure is the median of ${w.rounds} fresh processes per handler, ${w.recordsPerRun.toLocaleString('en')} records each after a warm-up, bundled as the stack bundles functions, stdout to /dev/null for all. Runs alternate between the handlers; overhead is taken per round against the raw loop. CPU time (user + system) rather than wall time, so load from other processes on the machine does not count; wall-clock medians are in results.json.`,
    '',
    table(
      ['handler', 'batch 10: µs/record', 'overhead', 'batch 100: µs/record', 'overhead'],
      [
        row('raw loop (floor)', 'raw'),
        row('Powertools `BatchProcessor` + `processPartialResponse`', 'powertools'),
        row('Hangar `createWorker` (metrics on, logs at INFO)', 'hangar'),
        [
          '↳ Hangar without its metrics line',
          '',
          b10.hangarWithoutMetricsOverheadUs.toFixed(2),
          '',
          b100.hangarWithoutMetricsOverheadUs.toFixed(2),
        ],
      ],
    ),
  ].join('\n');
}

function coldStart(c: ColdStartSection): string {
  const row = (name: string, f: FunctionColdStart) => [
    name,
    (f.bundleBytes / 1024).toFixed(0),
    fmt(f.initMs, 1),
    fmt(f.firstEventMs, 1),
    fmt(f.coldStartMs, 1),
    `${f.cpu.initMs.median.toFixed(1)} + ${f.cpu.firstEventMs.median.toFixed(1)} = ${fmt(f.cpu.coldStartMs, 1)}`,
    f.warmEventMs.toFixed(1),
    f.processMs.toFixed(0),
  ];
  const api = c.functions.api;
  return [
    `## coldStart — ${c.unit}`,
    '',
    `A fresh process per run loads the bundle as Lambda's Node runtime does (\`require\` for a CommonJS \`index.js\`, \`import\` for an \`.mjs\`; \`NODE_OPTIONS\` as the function sets it, if it does) and handles one event whose AWS calls go to the local runtime's emulators: a new e-mail job for the e-mail workers (ledger claim, SES, ledger success for Hangar; SES for the baseline), \`POST /jobs\` for the API, a sync of the sample source (5 pages, 250 items) and an empty cleanup. ${c.runs} runs per function, interleaved. Hangar's functions are bundled exactly as the stack ships them (\`FUNCTION_BUNDLE\`: minified CommonJS, \`module\` fields first, source maps read only when a stack trace is formatted, the AWS SDK bundled in with the credential providers a Lambda function has). The baseline is an e-mail worker written the usual way (Powertools batch + logger, middy, zod, the SES client), bundled the way a team deploys it with CDK: \`NodejsFunction\`'s defaults (CommonJS, esbuild's default module resolution, no source maps) plus \`minify\` and \`bundleAwsSDK\`; the same worker bundled exactly as Hangar's functions is kept for reference, and so are the e-mail worker's AWS calls alone (\`bench/cold-start/sdk-floor-email-worker.ts\`: a conditional write, the SES send and a second write through the same clients, nothing else, bundled as Hangar's functions) — the AWS SDK's share of its cold start. CPU is the process's user + system time, which load from other processes on this shared machine does not inflate; "process" adds Node's own start-up.`,
    '',
    table(
      [
        'function',
        'bundle KiB',
        'import ms',
        'first event ms',
        'cold start ms',
        'CPU ms: import + first event',
        'warm event ms',
        'process ms',
      ],
      [
        ...Object.entries(c.functions).map(([name, f]) => row(`\`${name}\``, f)),
        row('baseline e-mail worker, bundled as a team deploys it', c.baseline),
        row('↳ the same, bundled as Hangar’s functions (reference)', c.baselineIdenticalBundling),
        row('the e-mail worker’s AWS calls alone, same clients and bundling (SDK floor)', c.sdkFloor),
      ],
    ),
    '',
    `\`coldStart.ratio\` = the \`email\` row's cold start ÷ the baseline's: ${c.ratio.toFixed(2)} (goal ${c.goal}, stretch ${c.stretchGoal}); in CPU time ${c.cpuRatio.toFixed(2)}; against the reference bundling ${c.identicalBundlingRatio.toFixed(2)}; the AWS calls alone (SDK floor) ÷ the baseline: ${c.sdkFloorRatio.wall.toFixed(2)}, in CPU time ${c.sdkFloorRatio.cpu.toFixed(2)}.${api ? ` The API function's cold start (\`POST /jobs\`: ledger record, SQS send): ${api.coldStartMs.median.toFixed(0)} ms, ${api.cpu.coldStartMs.median.toFixed(0)} ms of CPU.` : ''}`,
  ].join('\n');
}

function producer(p: ProducerSection): string {
  const ops = Object.entries(p.requests.byOperation)
    .map(([op, n]) => `${op} ${n.toLocaleString('en')}`)
    .join(', ');
  return [
    '## producer',
    '',
    `${p.jobs.toLocaleString('en')} \`email.send\` jobs through \`JobClient.enqueueMany\`, its queue configured as from a stack's outputs, counted by a loopback proxy in front of the SQS emulator: **${p.requests.total.toLocaleString('en')} requests** (${ops}) against a floor of ${p.requests.floor.toLocaleString('en')}. Throughput in jobs per second over ${p.runs} runs; the API gets ${p.apiConcurrency} requests at once and writes each job's ledger record besides enqueueing it.`,
    '',
    table(
      ['path', 'jobs/s'],
      [
        ['client, `enqueueMany` (batches of 10, one request at a time)', fmt(p.throughput.client, 0)],
        [`API, \`POST /jobs/batch\` (${p.apiBatchSize} jobs per request)`, fmt(p.throughput.apiBatch, 0)],
        ['API, `POST /jobs` (one job per request)', fmt(p.throughput.apiSingle, 0)],
      ],
    ),
  ].join('\n');
}

function endToEnd(e: EndToEndSection): string {
  return [
    `## endToEnd — ${e.unit}`,
    '',
    `Through the local runtime: the client sends, the event source polls, a worker thread runs the job, the event source deletes it; timed from the first send to the last delete. The ceiling is a bare loop on the same SQS emulator: batches of 10 sent, ${e.consumers} consumers (the job's event-source concurrency) receiving 10 and deleting them in one call. With the ledger, the raw loop makes the same two writes per message (claim, succeed). ${e.jobs.toLocaleString('en')} jobs per run without the ledger, ${e.ledgerJobs.toLocaleString('en')} with it; ${e.runs} runs.`,
    '',
    table(
      ['', 'Hangar jobs/s', 'raw loop msgs/s', 'ratio'],
      [
        ['no ledger', fmt(e.noLedger.hangar, 0), fmt(e.noLedger.rawLoop, 0), e.ratio.toFixed(2)],
        [
          'with the ledger',
          fmt(e.withLedger.hangar, 0),
          fmt(e.withLedger.rawLoop, 0),
          e.withLedger.ratio.toFixed(2),
        ],
      ],
    ),
  ].join('\n');
}

function cost(c: CostSection): string {
  const row = (name: string, j: JobCost) => [
    name,
    usd(j.sqs),
    usd(j.lambdaRequests),
    usd(j.lambdaDuration),
    usd(j.api ?? 0),
    usd(j.ledger),
    usd(j.ses),
    `**${usd(j.total)}**`,
  ];
  const { direct, api } = c.generic;
  return [
    `## cost — ${c.unit}`,
    '',
    `From the stack's settings (batch sizes, memory, queue types), the warm single-record durations measured in \`coldStart\`, and the ledger's write units per successful job — ${c.ledgerWriteUnitsPerJob} sent straight to SQS (\`claim\` creates the record in the table and its three keys-only indexes, \`succeed\` moves no index key), ${c.apiLedgerWriteUnitsPerJob} through the API (${c.apiKeyedLedgerWriteUnitsPerJob} with an idempotency key), computed from the items the ledger wrote on dynalite (at most ${c.ledgerItemBytes} bytes) and the table's index definitions — priced at ${c.prices.region} list prices as of ${c.prices.asOf} (\`bench/cost/prices.ts\`; not re-checked on the run date). Full batches assumed; empty long polls are billed per hour, not per job, and left out. A sync's items and a cleanup's deletions come on top: ${usd(c.perThousandWriteUnits * 1_000)} per million write units.`,
    '',
    table(
      ['job', 'SQS', 'Lambda requests', 'Lambda GB-s', 'HTTP API', 'ledger writes', 'SES', 'total'],
      [
        ...Object.entries(c.jobs).map(([name, j]) => row(`\`${name}\``, j)),
        row('floor for e-mail: SQS + Lambda + SES alone', c.emailFloor),
        row(
          `generic job, straight to SQS, with the ledger (÷ floor: ${direct.ratio.toFixed(2)})`,
          direct.withLedger,
        ),
        row('floor: SQS + Lambda alone', direct.floor),
        row(
          `generic job, through the API, with the ledger (÷ floor: ${api.ratio.toFixed(2)})`,
          api.withLedger,
        ),
        row('floor: HTTP API + SQS + Lambda alone', api.floor),
      ],
    ),
    '',
    'The generic job does nothing (1 ms of Lambda); with the ledger its worker also waits for the two writes, as long as the e-mail worker’s warm event outlasts the baseline’s. On the API path the API function’s measured duration is in both rows.',
  ].join('\n');
}

/** Why each missed goal is missed, and what would close it; figures from this run where it has them. */
function misses(r: BenchResults): string[] {
  const notes: string[] = [];
  const w = r.workerOverhead;
  const w10 = w?.batches['10'];
  if (w && w10 && met(w.ratio, w.goal) === false) {
    const metricsShare = w10.overheadUs.hangar - w10.hangarWithoutMetricsOverheadUs;
    notes.push(
      [
        `**workerOverhead (${w.ratio.toFixed(2)}, goal ${w.goal}).** At batch 10 Hangar spends ${w10.overheadUs.hangar.toFixed(2)} µs per record over the raw loop, Powertools ${w10.overheadUs.powertools.toFixed(2)} µs; the goal asks for ${(w10.overheadUs.powertools / 2).toFixed(2)} µs. Hangar does work per record that the minimal Powertools handler does not:`,
        `- its one EMF metrics line per invocation (production default): ${metricsShare.toFixed(2)} µs per record at batch 10 — about ${(metricsShare * 10).toFixed(1)} µs per invocation, most of it the \`stdout\` write itself; at batch 100 it is ${((w.batches['100']?.overheadUs.hangar ?? 0) - (w.batches['100']?.hangarWithoutMetricsOverheadUs ?? 0)).toFixed(2)} µs;`,
        '- validating the envelope (version, job id, name, timestamps, attempt and continuation numbers — three regular expressions per record): about 0.3 µs per record, measured apart while optimizing;',
        '- a duration per record for the `JobDuration` metric (two clock reads), the attempt number from the receive count, the job context object, and one timer per invocation for the deadline signal.',
        '',
        'Closing it would mean dropping things the minimal Powertools handler does not have and Hangar promises: the per-invocation metrics line (or moving it out of the function, e.g. a Lambda extension reading a shared buffer), the envelope checks (a body that is not an envelope must reach the DLQ with a reason, not run), the per-record durations. Larger batches amortize the per-invocation part (see batch 100). Before this issue the worker cost 2.10 µs per record at batch 10 (see the commit log of `lib/worker/`).',
      ].join('\n'),
    );
  }
  const c = r.coldStart;
  if (c && met(c.ratio, c.goal) === false) {
    const f = c.sdkFloor;
    const email = c.functions.email;
    const gap = (of: (x: FunctionColdStart) => { median: number }) =>
      email ? (of(email).median - of(f).median).toFixed(0) : '?';
    notes.push(
      [
        `**coldStart (${c.ratio.toFixed(2)}, goal ${c.goal}).** The goal is about as low as the AWS SDK goes: the e-mail worker's three AWS calls alone — the same clients, configuration and bundling, nothing of Hangar around them (the SDK floor row) — take ${f.coldStartMs.median.toFixed(0)} ms, ${f.cpu.coldStartMs.median.toFixed(0)} ms of CPU: ${c.sdkFloorRatio.wall.toFixed(2)} of the baseline (CPU ${c.sdkFloorRatio.cpu.toFixed(2)}). Hangar's own part is what lies above that floor: ${gap((x) => x.cpu.initMs)} ms of CPU at import (its code, the schemas of the job declaration, the envelope and the options, the worker's SQS client and logger) and ${gap((x) => x.cpu.firstEventMs)} ms in the first event (the envelope and payload checks, the ledger protocol, the log and metrics lines). Where the baseline wins is the first event: three first requests through the SDK against its one. Measured apart while optimizing, in CPU time, the claim — the process's first AWS request: credentials, configuration and endpoint resolution, signing, the HTTP stack and DynamoDB's JSON codec running for the first time — takes 22–26 ms, the SES send after it 6–7 ms, the success write 3–4 ms, each about 2 ms warm; the baseline pays the first of these once, in its one SES call. In wall-clock time the three calls also wait three times on the local emulators, which run in the benchmark's own process and slow down with the machine's load: the CPU ratio is the steadier figure on this shared machine. What is left of the import is mostly the SDK's own: Node's \`https\`, \`crypto\` and \`stream\` and compiling the 0.4 MB bundle (a V8 compile cache would remove 15–20 ms of that).`,
        '',
        "What this issue changed (see `lib/deploy/function-bundle.ts`): CommonJS instead of ESM (an ES module importing `node:http` reads all its exports, whose lazy getters load undici), `module` fields first, `import()` of built-ins turned into `require`, source maps read when a stack trace is formatted instead of by `--enable-source-maps` at every load, the e-mail worker no longer importing the other jobs' declarations, the SDK's default credential chain cut to the sources a Lambda function has (`lib/deploy/function-credentials.ts`: a fifth of each bundle, 8–10 ms of CPU at import) and zod's generated parsers off (`lib/validation.ts`). Closing the rest would take Hangar's own part close to nothing, or the ledger's two writes off the SDK's request pipeline (a lighter signed request), which the ledger owns; or a V8 compile cache shipped in the asset, which only helps when Lambda's Node build is the one that wrote it — not under our control, so not counted here. Resolving every client's credentials and configuration during init, and one HTTP handler shared by the DynamoDB and SES clients, left the first event as costly: the cost is the request pipeline's first run, and moving it into init would not shrink the sum this section compares (it would pay where init runs before the first request: provisioned concurrency, proactive initialization).",
      ].join('\n'),
    );
  }
  const p = r.producer;
  if (p && met(p.ratio, p.goal) === false) {
    notes.push(
      `**producer (${p.ratio.toFixed(3)}, goal ${p.goal}).** ${p.requests.total} requests for ${p.jobs} jobs: ${JSON.stringify(p.requests.byOperation)}.`,
    );
  }
  const e = r.endToEnd;
  if (e && met(e.ratio, e.goal) === false) {
    notes.push(
      `**endToEnd (${e.ratio.toFixed(2)}, goal ${e.goal}).** Hangar moved ${e.noLedger.hangar.median} jobs/s against the raw loop's ${e.noLedger.rawLoop.median} msgs/s on the same emulator.`,
    );
  }
  return notes;
}

export function renderResults(r: BenchResults): string {
  const m = r.machine;
  const notes = misses(r);
  const sections = [
    r.workerOverhead && workerOverhead(r.workerOverhead),
    r.coldStart && coldStart(r.coldStart),
    r.producer && producer(r.producer),
    r.endToEnd && endToEnd(r.endToEnd),
    r.cost && cost(r.cost),
  ].filter((s): s is string => typeof s === 'string' && s !== '');
  return `${[
    '# Hangar benchmarks',
    '',
    `Written by \`npm run bench\` on ${r.date.slice(0, 10)} (${r.date}) in ${r.seconds} s. Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}. Load average (1/5/15 min) ${m.loadAverageBefore.join(' / ')} before and ${m.loadAverageAfter.join(' / ')} after: a shared machine, where other work runs now and then — hence medians of repeated runs, each with its spread (half the interquartile range over the median, as ± %). Raw figures: \`bench/results.json\`.`,
    '',
    summary(r),
    '',
    ...sections.flatMap((s) => [s, '']),
    '## Goals missed: why, and what would close them',
    '',
    notes.length === 0 ? 'None.' : notes.join('\n\n'),
    '',
  ].join('\n')}`;
}

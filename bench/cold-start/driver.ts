/**
 * One cold start in a fresh process: `node driver.mjs <bundle> <event.json> <warm-event.json>
 * <function name>`. Reads the events, loads the bundle as Lambda's Node runtime does (`.mjs` with
 * `import()`, `index.js` outside a `"type": "module"` package with `require()`), handles the first
 * event, then the second one warm, and writes the timings to file descriptor 3 (see
 * ../shared/child.ts): wall-clock times from the process's own clock origin (its start), and the
 * process's CPU time (user + system) spent in each phase, which load from other processes on the
 * machine does not inflate. `marksUs` are the phase boundaries on the clock a CPU profile's
 * timestamps use, so a profile of the run (`--cpu-prof`) can be split by phase.
 */
import { readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { createLambdaContext } from '../../local/lambda-context.js';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const [bundle, eventFile, warmEventFile, functionName] = process.argv.slice(2);
if (bundle === undefined || eventFile === undefined || warmEventFile === undefined) {
  throw new Error('usage: driver <bundle> <event> <warm event> <name>');
}
const event = JSON.parse(readFileSync(eventFile, 'utf8')) as unknown;
const warmEvent = JSON.parse(readFileSync(warmEventFile, 'utf8')) as unknown;
const context = () => createLambdaContext({ functionName: functionName ?? 'bench', timeoutMs: 30_000 });
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const load = async (file: string): Promise<{ handler: Handler }> =>
  (file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : createRequire(import.meta.url)(file)) as {
    handler: Handler;
  };

const startedUs = monotonicUs();
const startedCpu = cpuMs();
const started = performance.now();
const { handler } = await load(bundle);
const imported = performance.now();
const importedCpu = cpuMs();
const importedUs = monotonicUs();
const response = await handler(event, context());
const done = performance.now();
const doneCpu = cpuMs();
const doneUs = monotonicUs();
const warmResponse = await handler(warmEvent, context());
const warmMs = performance.now() - done;
writeSync(
  3,
  JSON.stringify({
    bootMs: started,
    initMs: imported - started,
    invokeMs: done - imported,
    processMs: done,
    initCpuMs: importedCpu - startedCpu,
    invokeCpuMs: doneCpu - importedCpu,
    marksUs: { started: startedUs, imported: importedUs, done: doneUs },
    warmMs,
    response,
    warmResponse,
  }),
);
// An SDK client's idle sockets would keep the process alive; the measurement is over.
process.exit(0);

/**
 * One measurement in a fresh process: `node driver.mjs <bundle> <event.json> <records>`. Imports a
 * bundled handler, warms it up, then times `records` records' worth of invocations of the same
 * event, and writes `{ cpuUs, wallUs }` per record to file descriptor 3 (see ../shared/child.ts).
 *
 * CPU time (user + system, every thread of the process) is the figure the report uses: on a
 * shared machine another process's load stretches wall time but not the CPU this one spends.
 */
import { readFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createLambdaContext } from '../../local/lambda-context.js';

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

const [bundle, eventFile, recordsArg] = process.argv.slice(2);
if (bundle === undefined || eventFile === undefined)
  throw new Error('usage: driver <bundle> <event> <records>');
const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: Handler };
const event = JSON.parse(readFileSync(eventFile, 'utf8')) as SQSEvent;
const context = createLambdaContext({ functionName: 'bench-worker', timeoutMs: 900_000 });
const invocations = Math.ceil(Number(recordsArg ?? 200_000) / event.Records.length);

const check = await handler(event, context);
if ((check?.batchItemFailures ?? []).length > 0)
  throw new Error(`${bundle} failed records: ${JSON.stringify(check)}`);
for (let i = 0; i < invocations / 4; i++) await handler(event, context);

const cpuStart = process.cpuUsage();
const wallStart = process.hrtime.bigint();
for (let i = 0; i < invocations; i++) await handler(event, context);
const wallNs = Number(process.hrtime.bigint() - wallStart);
const cpu = process.cpuUsage(cpuStart);
const records = invocations * event.Records.length;
writeSync(3, JSON.stringify({ cpuUs: (cpu.user + cpu.system) / records, wallUs: wallNs / 1000 / records }));

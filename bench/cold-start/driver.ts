/**
 * One cold start in a fresh process: `node [--enable-source-maps] driver.mjs <bundle> <event.json>
 * <warm-event.json> <function name>`. Reads the events, imports the bundle (its init), handles the
 * first event, then the second one warm, and writes the timings to file descriptor 3 (see
 * ../shared/child.ts). Times are from the process's own clock origin (its start).
 */
import { readFileSync, writeSync } from 'node:fs';
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
const started = performance.now();
const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: Handler };
const imported = performance.now();
const response = await handler(event, context());
const done = performance.now();
const warmResponse = await handler(warmEvent, context());
const warmMs = performance.now() - done;
writeSync(
  3,
  JSON.stringify({
    bootMs: started,
    initMs: imported - started,
    invokeMs: done - imported,
    processMs: done,
    warmMs,
    response,
    warmResponse,
  }),
);
// An SDK client's idle sockets would keep the process alive; the measurement is over.
process.exit(0);

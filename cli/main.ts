/**
 * Entry point of the `hangar` binary (started by `hangar.mjs`). Everything testable is in
 * `program.ts`; this only connects it to the process.
 */
import { CliError, EXIT_CODES } from './errors.js';
import { runCli } from './program.js';
import { loadRegistryModule } from './registry-module.js';

// `hangar jobs | head`: the reader left; stop quietly instead of printing an EPIPE stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const interrupt = new AbortController();
process.on('SIGINT', () => {
  // First Ctrl-C: stop between batches and give held DLQ messages back (otherwise they stay
  // invisible until their hold ends). Second: leave now.
  if (interrupt.signal.aborted) process.exit(EXIT_CODES.interrupted);
  interrupt.abort();
  process.stderr.write('\nInterrupted: finishing the current batch (Ctrl-C again to quit at once)\n');
});

const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
try {
  const registry = await loadRegistryModule(process.env, process.cwd());
  process.exitCode = await runCli(process.argv.slice(2), io, {
    signal: interrupt.signal,
    ...(registry ? { registry } : {}),
  });
} catch (error) {
  if (!(error instanceof CliError)) throw error;
  process.stderr.write(`hangar: ${error.message}\n`);
  process.exitCode = error.exitCode;
}

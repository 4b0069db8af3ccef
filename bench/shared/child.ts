/**
 * Runs a measurement in a fresh Node process (this Node; no flags but those asked for, such as a
 * profiler's), so every run starts with a cold JIT and no state from the others. The child's stdout and stderr go to /dev/null — the
 * cheapest place for the log and metric lines the handlers write, the same for every handler — and
 * its result comes back as one JSON document on file descriptor 3.
 */
import { spawn } from 'node:child_process';

export const RESULT_FD = 3;

export interface ChildOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** The child is killed after this long. @default 120_000 */
  readonly timeoutMs?: number;
  /** Keep the child's stderr (for debugging a failing run). @default false */
  readonly showStderr?: boolean;
  /** Flags for the child's Node, before the script (`--cpu-prof`). @default none */
  readonly nodeArgs?: readonly string[];
}

export function runChild<T>(script: string, args: readonly string[], options: ChildOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'ignore', options.showStderr ? 'inherit' : 'ignore', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdio[RESULT_FD]?.on('data', (chunk: Buffer) => chunks.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (code !== 0 || text === '') {
        reject(
          new Error(`${script} ${args.join(' ')} exited with ${signal ?? code}: ${text || 'no result'}`),
        );
        return;
      }
      try {
        resolve(JSON.parse(text) as T);
      } catch (error) {
        reject(new Error(`${script} wrote no JSON result: ${text.slice(0, 200)}`, { cause: error }));
      }
    });
  });
}

/**
 * `npm run dev` as a process: it comes up with the application's jobs (`jobs/index.ts`), says
 * where everything is (JSON when not on a terminal), and on SIGINT stops and exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { registry } from '../../../jobs/index.js';
import { queueName } from '../../../lib/deploy/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = createRequire(import.meta.url).resolve('tsx/cli');
const FREE_PORTS = ['api', 'sqs', 'ses', 'dynamodb', 'scheduler', 'source', 'dashboard'].flatMap((name) => [
  `--${name}-port`,
  '0',
]);

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

interface Line {
  readonly level: string;
  readonly source: string;
  readonly message: string;
  readonly [key: string]: unknown;
}

describe('npm run dev', () => {
  it('starts, prints where everything is, and exits 0 on SIGINT after stopping', async () => {
    // Prepare
    const dev = spawn(process.execPath, [TSX, 'local/dev.ts', ...FREE_PORTS], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = dev;
    const lines: Line[] = [];
    const listeners: ((line: Line) => void)[] = [];
    const next = (message: string) =>
      new Promise<Line>((resolve, reject) => {
        const found = lines.find((l) => l.message.startsWith(message));
        if (found) return resolve(found);
        const timer = setTimeout(
          () => reject(new Error(`No "${message}" line; got ${JSON.stringify(lines)}`)),
          30_000,
        );
        const onLine = (line: Line) => {
          if (!line.message.startsWith(message)) return;
          clearTimeout(timer);
          resolve(line);
        };
        listeners.push(onLine);
      });
    createInterface({ input: dev.stdout }).on('line', (text) => {
      const line = JSON.parse(text) as Line;
      lines.push(line);
      for (const listener of listeners) listener(line);
    });
    // 'close', not 'exit': the process can exit before its last lines are read from the pipe.
    const exited = new Promise<number | null>((resolve) => dev.once('close', (code) => resolve(code)));

    // Act
    const ready = await next('Hangar local runtime ready');
    const dashboard = await fetch(String(ready.dashboard));
    const page = await dashboard.text();
    dev.kill('SIGINT');
    const code = await exited;

    // Assess (how fast it starts is the benchmark's business, not a test's)
    expect(ready.endpoints).toMatchObject({
      sqs: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      ses: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      dynamodb: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    expect(ready.mailViewer).toBe(`${(ready.endpoints as { ses: string }).ses}/`);
    expect(ready.dashboard).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect([dashboard.status, dashboard.headers.get('content-type')]).toEqual([
      200,
      'text/html; charset=UTF-8',
    ]);
    expect(page).toContain('<div id="app">');
    // `npm run dev` runs the application's registry: every registered job, whichever they are.
    expect((ready.queues as { queue: string }[]).map((q) => q.queue)).toEqual(registry.jobs.map(queueName));
    expect(lines.map((l) => l.message)).toEqual(
      expect.arrayContaining(['SIGINT: stopping (running invocations get 10000 ms)', 'Stopped']),
    );
    expect(code).toBe(0);
  });
});

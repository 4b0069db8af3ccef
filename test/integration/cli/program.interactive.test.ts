import type { SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/program.js';
import { createRegistry } from '../../../lib/index.js';
import { fixedTarget, memoryIo } from '../../helpers/cli.js';
import { deadLetter } from '../../helpers/dead-letters.js';
import { noteJob } from '../../helpers/jobs.js';
import { type TestQueues, useSqsEmulator } from '../../helpers/queues.js';

const emulator = useSqsEmulator();
let sqs: SQSClient;
let queues: TestQueues | undefined;

beforeAll(() => {
  sqs = emulator.sqs();
});

const job = noteJob();
const jobs = createRegistry([job]);

/** Runs `hangar` in-process against fresh test queues holding two dead jobs, as if at a terminal. */
async function atTerminal(args: string[] | ((ids: string[]) => string[]), input?: string) {
  queues = await emulator.queuesFor(job);
  const dead = await deadLetter(sqs, job, queues, [
    { payload: { text: 'a' }, code: 'BROKEN' },
    { payload: { text: 'b' }, code: 'BROKEN' },
  ]);
  const target = fixedTarget(sqs, jobs, { [job.name]: queues });
  const memory = memoryIo({}, { tty: true, ...(input === undefined ? {} : { input }) });
  const argv = typeof args === 'function' ? args(dead.map((d) => d.jobId)) : args;
  const code = await runCli(argv, memory.io, { registry: jobs, resolveTarget: async () => target });
  return { code, stdout: memory.stdout(), stderr: memory.stderr(), ids: dead.map((d) => d.jobId), queues };
}

describe('Command: hangar dlq discard at a terminal', () => {
  it('lists the messages named by --ids, asks, and deletes them on "y"', async () => {
    // Act
    const run = await atTerminal((ids) => ['dlq', 'discard', job.name, '--ids', ...ids], 'y\n');

    // Assess
    expect(run.code).toBe(0);
    for (const id of run.ids) expect(run.stdout).toContain(id);
    expect(run.stderr).toMatch(/Delete these 2 message\(s\) from test-note-dlq-\w+ for good\? \[y\/N\] $/);
    expect(await run.queues.depth(run.queues.dlqUrl)).toBe(0);
  });

  it("asks with SQS's count for --all", async () => {
    // Act
    const run = await atTerminal(() => ['dlq', 'discard', job.name, '--all'], 'yes\n');

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /^Delete all 2 message\(s\) in test-note-dlq-\w+ \(SQS's count\) for good\? \[y\/N\] $/,
    );
    expect(run.stdout).toMatch(/^Deleted 2 message\(s\) from test-note-dlq-\w+: /);
    expect(await run.queues.depth(run.queues.dlqUrl)).toBe(0);
  });

  it('deletes nothing and exits 5 on any other answer', async () => {
    // Act
    const run = await atTerminal(() => ['dlq', 'discard', job.name, '--all'], 'n\n');

    // Assess
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('hangar: error: Nothing was deleted.');
    expect(await run.queues.depth(run.queues.dlqUrl)).toBe(2);
  });
});

describe('Command: hangar redrive at a terminal', () => {
  it('draws a progress bar on stderr and prints the summary on stdout', async () => {
    // Act
    const run = await atTerminal(['redrive', job.name]);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /Redriving test-note-dlq-\w+ → test-note-\w+ \[.*\] 2\/2 seen \| moved 2 \| skipped 0 \| failed 0/,
    );
    expect(run.stdout).toMatch(
      /^Redrive test-note-dlq-\w+ → test-note-\w+: moved 2, skipped 0, failed 0\.\n$/,
    );
  });

  it('draws no progress bar with --json', async () => {
    // Act
    const run = await atTerminal(['redrive', job.name, '--json']);

    // Assess
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({
      mode: 'selective',
      summary: { moved: 2, skipped: 0, failed: 0 },
    });
  });
});

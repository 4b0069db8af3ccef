import { describe, expect, it, vi } from 'vitest';
import { parseInteger, parseOlderThan, parsePositiveNumber, splitList } from '../../../cli/args.js';
import { EXIT_CODES, exitCodeOf, isConnectionError, UsageError } from '../../../cli/errors.js';
import { runCli } from '../../../cli/program.js';
import type { Target } from '../../../cli/target.js';
import { JobValidationError, UnknownJobError } from '../../../lib/index.js';
import { registry } from '../../../lib/jobs/builtin/index.js';
import { memoryIo } from '../../helpers/cli.js';

/** Runs the CLI in-process with a target that must never be reached. */
async function hangar(args: string[], options: { tty?: boolean } = {}) {
  const memory = memoryIo({}, options);
  const resolveTarget = vi.fn(async (): Promise<Target> => {
    throw new Error('the target was resolved');
  });
  const code = await runCli(args, memory.io, { registry, resolveTarget });
  return {
    code,
    stdout: memory.stdout(),
    stderr: memory.stderr(),
    resolved: resolveTarget.mock.calls.length,
  };
}

describe('Function: runCli', () => {
  it('prints help with the exit codes and exits 0', async () => {
    // Act
    const run = await hangar(['--help']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: hangar [options] [command]');
    expect(run.stdout).toContain(
      '3  target unreachable: endpoint down, stack or queue missing, no credentials',
    );
  });

  it('prints the package version', async () => {
    // Act
    const run = await hangar(['--version']);

    // Assess
    expect(run).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('prints help on stderr and exits 2 without a command', async () => {
    // Act
    const run = await hangar([]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: hangar [options] [command]');
  });

  it.each([
    [['frobnicate'], "hangar: error: unknown command 'frobnicate'"],
    [['queues', '--verbose'], "hangar: error: unknown option '--verbose'"],
    [['status'], "hangar: error: missing required argument 'id'"],
    [
      ['dlq', 'peek', 'email.nope'],
      'hangar: error: Unknown job "email.nope"; jobs: email.send, sync.run, cleanup.run',
    ],
    [
      ['dlq', 'peek', 'email.send', '--limit', 'all'],
      '--limit must be a whole number from 1 to 1000; got "all"',
    ],
    [
      ['dlq', 'discard', 'email.send', '--yes'],
      'Give either --ids <id...> (message ids or job ids) or --all',
    ],
    [['dlq', 'discard', 'email.send', '--all', '--ids', 'x', '--yes'], 'Give either --ids'],
    [
      ['dlq', 'discard', 'email.send', '--all'],
      'dlq discard deletes messages for good: pass --yes to confirm when no terminal is attached',
    ],
    [['redrive', 'email.send', '--older-than', 'yesterday'], '--older-than must be a duration such as 30m'],
    [['redrive', 'email.send', '--max', '0'], '--max must be a whole number from 1 to 1000000'],
    [['redrive', 'email.send', '--rate', '-1'], '--rate must be a number above 0'],
    [['redrive', 'nope'], 'Unknown job "nope"'],
    [['queues', '--stage', 'no such'], '"no such" is not a stage name'],
  ])('exits 2 for %j before reaching any target', async (args, message) => {
    // Act
    const run = await hangar(args);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.resolved).toBe(0);
  });
});

describe('Function: exitCodeOf', () => {
  it.each([
    [new UsageError('x'), EXIT_CODES.usage],
    [new UnknownJobError('a.b', []), EXIT_CODES.usage],
    [new JobValidationError('bad', []), EXIT_CODES.usage],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }),
      EXIT_CODES.unreachable,
    ],
    [
      new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) }),
      EXIT_CODES.unreachable,
    ],
    [
      Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }),
      EXIT_CODES.unreachable,
    ],
    [new Error('AccessDenied'), EXIT_CODES.failed],
  ])('maps %s to %i', (error, code) => {
    expect(exitCodeOf(error)).toBe(code);
  });

  it('does not mistake an ordinary error for a connection failure', () => {
    expect(isConnectionError(new Error('ECONNREFUSED in the message only'))).toBe(false);
  });
});

describe('Argument parsers', () => {
  const now = new Date('2026-11-23T12:00:00.000Z');

  it.each([
    ['90s', '2026-11-23T11:58:30.000Z'],
    ['30m', '2026-11-23T11:30:00.000Z'],
    ['2h', '2026-11-23T10:00:00.000Z'],
    ['1.5d', '2026-11-22T00:00:00.000Z'],
    ['2026-11-20T08:00:00+01:00', '2026-11-20T07:00:00.000Z'],
  ])('reads --older-than %s as the cut-off %s', (raw, cutoff) => {
    expect(parseOlderThan(raw, now).toISOString()).toBe(cutoff);
  });

  it.each(['', '10', '2w', 'yesterday', '2026-13-45T00:00:00Z'])('rejects --older-than %j', (raw) => {
    expect(() => parseOlderThan(raw, now)).toThrow(UsageError);
  });

  it('reads whole numbers within bounds only', () => {
    expect(parseInteger('--limit', '25', 1, 100)).toBe(25);
    expect(() => parseInteger('--limit', '2.5', 1, 100)).toThrow(
      '--limit must be a whole number from 1 to 100; got "2.5"',
    );
    expect(() => parseInteger('--limit', '101', 1, 100)).toThrow(UsageError);
  });

  it('reads positive rates, fractions included', () => {
    expect(parsePositiveNumber('--rate', '0.5')).toBe(0.5);
    expect(() => parsePositiveNumber('--rate', '0')).toThrow('--rate must be a number above 0; got "0"');
  });

  it('splits repeated and comma-separated list options', () => {
    expect(splitList(['a,b', ' c ', ''])).toEqual(['a', 'b', 'c']);
    expect(splitList([','])).toBeUndefined();
    expect(splitList(undefined)).toBeUndefined();
  });
});

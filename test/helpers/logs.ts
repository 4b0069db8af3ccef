import { vi } from 'vitest';

/**
 * Captures what Powertools loggers print (one JSON object per line; warnings and errors on stderr,
 * the rest on stdout) until `restore()`. Use with a Logger created with an explicit `logLevel`:
 * the test setup silences the default one.
 */
export function captureLogs() {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  return {
    /** Everything printed so far, raw. */
    text: () => chunks.join(''),
    /** Every log line printed so far, parsed, in order. */
    entries: (): Record<string, unknown>[] =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim().startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

import { vi } from 'vitest';

/**
 * Captures what Powertools loggers print (one JSON object per line on stdout) until `restore()`.
 * Use with a Logger created with an explicit `logLevel`: the test setup silences the default one.
 */
export function captureLogs() {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  return {
    /** Every line printed so far, raw. */
    text: () => chunks.join(''),
    /** Every line printed so far, parsed. */
    entries: (): Record<string, unknown>[] =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim().startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => spy.mockRestore(),
  };
}

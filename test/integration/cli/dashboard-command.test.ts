/** `hangar dashboard`: serves until Ctrl-C, prints its URL, `--read-only` and `--port` as given. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/program.js';
import { resolveTarget } from '../../../cli/target.js';
import { API_PATHS } from '../../../dashboard/shared/api.js';
import { dashboardTestRegistry } from '../../fixtures/dashboard/jobs.js';
import { memoryIo } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/wait.js';

describe('Command: hangar dashboard', () => {
  it('serves on 127.0.0.1 until Ctrl-C, then stops listening', async () => {
    // Prepare
    const memory = memoryIo();
    const interrupt = new AbortController();

    // Act
    const exit = runCli(['dashboard', '--port', '0', '--read-only'], memory.io, {
      registry: dashboardTestRegistry,
      resolveTarget: (options) => resolveTarget({ ...options, registry: dashboardTestRegistry }),
      signal: interrupt.signal,
    });
    const url = await waitFor('the URL', () => /: (http:\/\/127\.0\.0\.1:\d+)/.exec(memory.stdout())?.[1]);
    const config = (await (await fetch(`${url}${API_PATHS.config}`)).json()) as { readOnly: boolean };
    interrupt.abort();
    const code = await exit;
    const after = await fetch(url).then(
      () => 'answered',
      () => 'refused',
    );

    // Assess
    expect(memory.stdout()).toMatch(
      /^Hangar dashboard for local \(.*\): http:\/\/127\.0\.0\.1:\d+ \(read-only\)\n$/,
    );
    expect(memory.stderr()).toBe('Ctrl-C stops it.\n');
    expect(config.readOnly).toBe(true);
    expect(code).toBe(130);
    expect(after).toBe('refused');
  });

  it('refuses a port that is not one (exit 2)', async () => {
    // Prepare
    const memory = memoryIo();

    // Act
    const code = await runCli(['dashboard', '--port', '70000'], memory.io, {
      registry: dashboardTestRegistry,
    });

    // Assess
    expect(code).toBe(2);
    expect(memory.stderr()).toBe(
      'hangar: error: --port must be a whole number from 0 to 65535; got "70000"\n',
    );
  });
});

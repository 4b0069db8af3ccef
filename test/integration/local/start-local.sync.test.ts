/**
 * `sync.run` works out of the box: a fresh runtime configures one source, the sample source, and
 * the real sync worker pulls it page by page into the table.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { registry } from '../../../lib/jobs/builtin/index.js';
import { SAMPLE_SOURCE_DEFAULTS } from '../../../local/sample-source.js';
import { LOCAL_DEFAULTS, type LocalRuntime, startLocal } from '../../../local/start-local.js';
import { BUILTIN_FUNCTIONS } from '../../helpers/local.js';
import { waitFor } from '../../helpers/wait.js';

let local: LocalRuntime | undefined;
afterEach(async () => {
  await local?.stop();
  local = undefined;
});

describe('startLocal: sync.run and the sample source', () => {
  it('syncs every item of the sample source, page by page, with no configuration', async () => {
    // Prepare
    local = await startLocal({ ports: 'free', registry, functionsDir: BUILTIN_FUNCTIONS });
    const api = local.endpoints.api;
    if (api === undefined) throw new Error(`The API is not served: ${local.warnings.join('; ')}`);

    // Act
    const response = await fetch(`${api}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'sync.run', payload: { sourceId: LOCAL_DEFAULTS.sampleSource.id } }),
    });
    const { jobId } = (await response.json()) as { jobId: string };
    const record = await waitFor('the sync to succeed', async () => {
      const job = (await (await fetch(`${api}/jobs/${jobId}`)).json()) as { status: string };
      return job.status === 'succeeded' || job.status === 'dead' ? job : undefined;
    });

    // Assess
    expect(response.status).toBe(202);
    expect(record).toMatchObject({
      status: 'succeeded',
      result: {
        items: SAMPLE_SOURCE_DEFAULTS.items,
        pages: Math.ceil(SAMPLE_SOURCE_DEFAULTS.items / LOCAL_DEFAULTS.sampleSource.pageSize),
      },
    });
  });
});

/**
 * Entry point of the `sync.run` worker: sources from `HANGAR_SYNC_SOURCES`, items and cursors in
 * the ledger table, wired once per cold start.
 */
import * as z from 'zod/mini';
import { ENV_VARS } from '../../lib/deploy/index.js';
import { syncRun, syncSourcesSchema } from '../../lib/jobs/builtin/index.js';
import { createWorker, handle } from '../../lib/worker/index.js';
import { ledgerFromEnv } from '../shared/ledger-from-env.js';
import { DynamoSyncStore } from './item-store.js';
import { createSyncHandler } from './run-sync.js';
import { resolveSources } from './sources.js';

const sourcesJson = z.pipe(
  z.string().check(z.minLength(1)),
  z.transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.issues.push({ code: 'custom', message: 'is not JSON', input: text });
      return z.NEVER;
    }
  }),
);
const { env, tableName, doc, ledger } = ledgerFromEnv({
  [ENV_VARS.syncSources]: z.pipe(sourcesJson, syncSourcesSchema),
});

export const handler = createWorker({
  jobs: [
    handle(
      syncRun,
      createSyncHandler({
        resolve: resolveSources(env[ENV_VARS.syncSources] as z.output<typeof syncSourcesSchema>),
        store: new DynamoSyncStore({ doc, tableName }),
      }),
    ),
  ],
  ledger,
});

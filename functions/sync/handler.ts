/**
 * Entry point of the `sync.run` worker: sources from `HANGAR_SYNC_SOURCES`, items and cursors in
 * the ledger table, wired once per cold start.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod/mini';
import {
  createWorker,
  DynamoJobLedger,
  ENV_VARS,
  handle,
  readEnv,
  syncRun,
  syncSourcesSchema,
} from '../../lib/index.js';
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

const env = readEnv({
  [ENV_VARS.tableName]: z.string().check(z.minLength(1)),
  [ENV_VARS.syncSources]: z.pipe(sourcesJson, syncSourcesSchema),
});
const tableName = String(env[ENV_VARS.tableName]);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
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
  ledger: new DynamoJobLedger({ tableName, client: doc }),
});

/**
 * Entry point of the `cleanup.run` worker: deletes expired job records, idempotency keys and
 * stale synced items from the ledger table, wired once per cold start.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod/mini';
import {
  CLEANUP_DEFAULTS,
  cleanupRun,
  createWorker,
  DynamoJobLedger,
  ENV_VARS,
  handle,
  METRICS_NAMESPACE,
  readEnv,
} from '../../lib/index.js';
import { DynamoExpiryStore } from './expiry-store.js';
import { CLEANUP_KINDS } from './kinds.js';
import { createCleanupHandler } from './run-cleanup.js';

const env = readEnv({ [ENV_VARS.tableName]: z.string().check(z.minLength(1)) });
const tableName = String(env[ENV_VARS.tableName]);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

export const handler = createWorker({
  jobs: [
    handle(
      cleanupRun,
      createCleanupHandler({
        store: new DynamoExpiryStore({ doc, tableName }),
        kinds: CLEANUP_KINDS,
        pageSize: CLEANUP_DEFAULTS.pageSize,
        metrics: new Metrics({
          namespace: METRICS_NAMESPACE,
          serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hangar',
        }),
      }),
    ),
  ],
  ledger: new DynamoJobLedger({ tableName, client: doc }),
});

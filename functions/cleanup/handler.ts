/**
 * Entry point of the `cleanup.run` worker: deletes expired job records, idempotency keys and
 * stale synced items from the ledger table, wired once per cold start.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from '../../lib/deploy/index.js';
import { CLEANUP_DEFAULTS, cleanupRun } from '../../lib/jobs/builtin/index.js';
import { createWorker, handle } from '../../lib/worker/index.js';
import { ledgerFromEnv } from '../shared/ledger-from-env.js';
import { DynamoExpiryStore } from './expiry-store.js';
import { CLEANUP_KINDS } from './kinds.js';
import { createCleanupHandler } from './run-cleanup.js';

const { tableName, indexes, doc, ledger } = ledgerFromEnv();

export const handler = createWorker({
  jobs: [
    handle(
      cleanupRun,
      createCleanupHandler({
        store: new DynamoExpiryStore({ doc, tableName, indexes }),
        kinds: CLEANUP_KINDS,
        pageSize: CLEANUP_DEFAULTS.pageSize,
        metrics: new Metrics({
          namespace: METRICS_NAMESPACE,
          serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hangar',
        }),
      }),
    ),
  ],
  ledger,
});

/**
 * The wiring every worker entry point shares: its environment read once — the ledger table's
 * name plus the function's own variables, so a cold start names every missing one at once — one
 * document client (with the explicit timeouts of `AWS_CLIENT_TIMEOUTS`), and the ledger over it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { $ZodType, output } from 'zod/v4/core';
import { awsClientConfig } from '../../lib/config/aws-client.js';
import { ENV_VARS } from '../../lib/deploy/index.js';
import {
  DynamoJobLedger,
  DynamoLimitStore,
  LEDGER_INDEX_SETS,
  type LedgerIndexSet,
} from '../../lib/ledger/index.js';
import { readEnv } from '../../lib/worker/index.js';

export function ledgerFromEnv<S extends Record<string, $ZodType<unknown, string | undefined>>>(
  shape: S = {} as S,
) {
  const env = readEnv({
    [ENV_VARS.tableName]: z.string().check(z.minLength(1)),
    [ENV_VARS.ledgerIndexes]: z.optional(z.enum(LEDGER_INDEX_SETS)),
    ...shape,
  });
  const tableName = env[ENV_VARS.tableName];
  const indexes: LedgerIndexSet = env[ENV_VARS.ledgerIndexes] === 'legacy' ? 'legacy' : 'current';
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig()), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    env: env as { [K in keyof S]: output<S[K]> },
    tableName,
    indexes,
    doc,
    ledger: new DynamoJobLedger({ tableName, client: doc, indexes }),
    /** Limit state (same table), for workers of jobs that declare limits. */
    limits: new DynamoLimitStore({ tableName, client: doc }),
  };
}

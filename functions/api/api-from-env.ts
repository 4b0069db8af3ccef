/**
 * The HTTP API function's wiring for a registry: the job service over the ledger and the client,
 * from the environment the stack (or the local runtime) sets, once per cold start. The deployed
 * entry point (./handler.ts) passes the application's registry; tests pass a fixture registry.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { queueAddressSchema } from '../../lib/client/scheduler-port.js';
import { awsClientConfig, sqsClientConfig } from '../../lib/config/aws-client.js';
import { ENV_VARS } from '../../lib/deploy/index.js';
import { AwsScheduler, JobClient, type JobRegistry, type QueueAddress } from '../../lib/index.js';
import { DynamoJobLedger, DynamoLimitStore, JobService, LEDGER_INDEX_SETS } from '../../lib/ledger/index.js';
import { readEnv } from '../../lib/worker/index.js';
import { type ApiHandler, createApiHandler } from './create-api-handler.js';

const queuesSchema = z.record(z.string(), queueAddressSchema);

/** `HANGAR_QUEUES`: JSON `{ "<job name>": { "url": "…", "arn": "…" } }`; absent locally, where names are derived. */
function parseQueues(value: string): Record<string, QueueAddress> | undefined {
  try {
    const result = queuesSchema.safeParse(JSON.parse(value));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @example
 * export const handler = createApiFromEnv(registry);
 */
export function createApiFromEnv(registry: JobRegistry): ApiHandler {
  const nonEmpty = z.string().check(z.minLength(1));
  const env = readEnv({
    [ENV_VARS.tableName]: nonEmpty,
    [ENV_VARS.queues]: z.optional(
      z
        .string()
        .check(
          z.refine(
            (v) => parseQueues(v) !== undefined,
            'must be JSON {"<job name>": {"url": "…", "arn": "…"}}',
          ),
        ),
    ),
    [ENV_VARS.scheduleGroupName]: z.optional(nonEmpty),
    [ENV_VARS.schedulerRoleArn]: z.optional(nonEmpty),
    [ENV_VARS.ledgerIndexes]: z.optional(z.enum(LEDGER_INDEX_SETS)),
  });

  const queuesJson = env[ENV_VARS.queues];
  const groupName = env[ENV_VARS.scheduleGroupName];
  const roleArn = env[ENV_VARS.schedulerRoleArn];
  const tableName = env[ENV_VARS.tableName];
  const dynamodb = new DynamoDBClient(awsClientConfig());
  const ledger = new DynamoJobLedger({
    tableName,
    client: dynamodb,
    ...(env[ENV_VARS.ledgerIndexes] === 'legacy' ? { indexes: 'legacy' } : {}),
  });
  const client = new JobClient({
    registry,
    // Jobs with a unique key or a debounce answer from their limit state, in the same table.
    limits: new DynamoLimitStore({ tableName, client: dynamodb }),
    sqs: new SQSClient(sqsClientConfig()),
    ...(typeof queuesJson === 'string' ? { queues: parseQueues(queuesJson) ?? {} } : {}),
    // Run-at times beyond 15 minutes, delayed FIFO jobs and cancels of scheduled jobs need it.
    ...(typeof groupName === 'string' && typeof roleArn === 'string'
      ? {
          scheduler: new AwsScheduler({ groupName, roleArn, client: new SchedulerClient(awsClientConfig()) }),
        }
      : {}),
  });

  return createApiHandler({ service: new JobService({ client, store: ledger }), registry });
}

/**
 * The HTTP API function's wiring: the job service over the ledger and the client, for a registry,
 * from the environment the stack (or the local runtime) sets. `handler.ts` calls it once per cold
 * start with the application's registry; tests call it with a registry of their own.
 */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { awsClientConfig } from '../../lib/config/aws-client.js';
import { ENV_VARS } from '../../lib/deploy/index.js';
import { AwsScheduler, JobClient, type JobRegistry, type QueueAddress } from '../../lib/index.js';
import { DynamoJobLedger, JobService } from '../../lib/ledger/index.js';
import { readEnv } from '../../lib/worker/index.js';
import { createApiHandler } from './create-api-handler.js';

const queuesSchema = z.record(z.string(), z.strictObject({ url: z.url(), arn: z.optional(z.string()) }));

/** `HANGAR_QUEUES`: JSON `{ "<job name>": { "url": "…", "arn": "…" } }`; absent locally, where names are derived. */
function parseQueues(value: string): Record<string, QueueAddress> | undefined {
  try {
    const result = queuesSchema.safeParse(JSON.parse(value));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

const nonEmpty = z.string().check(z.minLength(1));

/**
 * @throws {ConfigError} naming each missing or malformed variable.
 * @example
 * export const handler = apiHandlerFromEnv(registry);
 */
export function apiHandlerFromEnv(registry: JobRegistry) {
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
  });

  const queuesJson = env[ENV_VARS.queues];
  const groupName = env[ENV_VARS.scheduleGroupName];
  const roleArn = env[ENV_VARS.schedulerRoleArn];
  const ledger = new DynamoJobLedger({ tableName: env[ENV_VARS.tableName] });
  const client = new JobClient({
    registry,
    sqs: new SQSClient(awsClientConfig()),
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

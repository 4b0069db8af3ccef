/**
 * A deployed stage's CloudFormation outputs: the keys the stack writes (from constants here, so
 * the stack, the CLI and a producer service agree on them) and a `JobClient` built from them.
 */

import { JobClient, type JobClientOptions } from '../client/job-client.js';
import { AwsScheduler, type AwsSchedulerOptions, type QueueAddress } from '../client/scheduler-port.js';
import { ConfigError } from '../errors.js';
import { pascalName } from '../jobs/names.js';

/** Stack-wide CloudFormation output keys. */
export const OUTPUT_KEYS = {
  apiUrl: 'ApiUrl',
  schedulerRoleArn: 'SchedulerRoleArn',
  scheduleGroupName: 'ScheduleGroupName',
  tableName: 'LedgerTableName',
  /** `legacy` while the stage steps to the ledger's current indexes (`LEDGER_INDEX_STEPS`); absent after. */
  ledgerIndexes: 'LedgerIndexes',
  producerPolicyArn: 'ProducerPolicyArn',
  /** What `hangar` and `hangar dashboard --read-only` need on the stage. */
  operatorReadOnlyPolicyArn: 'OperatorReadOnlyPolicyArn',
  /** What every `hangar` command and the dashboard need, actions included. */
  operatorPolicyArn: 'OperatorPolicyArn',
} as const;

/** Per-job CloudFormation output key suffixes; the key is `<PascalJobName><suffix>` (see `jobOutputKey`). */
export const JOB_OUTPUT_SUFFIXES = {
  queueUrl: 'QueueUrl',
  queueArn: 'QueueArn',
  dlqUrl: 'DlqUrl',
  dlqArn: 'DlqArn',
} as const;
export type JobOutput = keyof typeof JOB_OUTPUT_SUFFIXES;

/** The CloudFormation output key of one of a job's resources: `email.send`, `queueUrl` → `EmailSendQueueUrl`. */
export function jobOutputKey(jobName: string, output: JobOutput): string {
  return pascalName(jobName) + JOB_OUTPUT_SUFFIXES[output];
}

/** Outputs as `DescribeStacks` returns them, or already as a key → value map. */
export type StackOutputs =
  | Readonly<Record<string, string>>
  | readonly { readonly OutputKey?: string; readonly OutputValue?: string }[];

/**
 * Builds a client from a deployed stack's outputs (CloudFormation `DescribeStacks` → `Outputs`):
 * every job's queue, and the scheduler for run-at times beyond 15 minutes.
 *
 * @throws {ConfigError} naming each missing output.
 * @example
 * const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'Hangar-prod' }));
 * const client = clientFromStackOutputs(Stacks?.[0]?.Outputs ?? [], { registry });
 */
export function clientFromStackOutputs(
  outputs: StackOutputs,
  options: Omit<JobClientOptions, 'queues' | 'scheduler'> & {
    readonly schedulerClient?: AwsSchedulerOptions['client'];
  },
): JobClient {
  const values: Record<string, string> = Array.isArray(outputs)
    ? Object.fromEntries(
        (outputs as Extract<StackOutputs, readonly unknown[]>).flatMap((o) =>
          o.OutputKey && o.OutputValue !== undefined ? [[o.OutputKey, o.OutputValue]] : [],
        ),
      )
    : { ...(outputs as Readonly<Record<string, string>>) };
  const missing: string[] = [];
  const read = (key: string): string => {
    const value = values[key];
    if (value === undefined || value === '') missing.push(key);
    return value ?? '';
  };
  const queues: Record<string, QueueAddress> = {};
  for (const job of options.registry.jobs) {
    queues[job.name] = {
      url: read(jobOutputKey(job.name, 'queueUrl')),
      arn: read(jobOutputKey(job.name, 'queueArn')),
      dlqArn: read(jobOutputKey(job.name, 'dlqArn')),
    };
  }
  const groupName = read(OUTPUT_KEYS.scheduleGroupName);
  const roleArn = read(OUTPUT_KEYS.schedulerRoleArn);
  if (missing.length > 0) {
    throw new ConfigError(
      `Stack outputs are missing ${missing.join(', ')} (expected per-job keys ending in ${Object.values(JOB_OUTPUT_SUFFIXES).join('/')})`,
    );
  }
  const { schedulerClient, ...rest } = options;
  return new JobClient({
    ...rest,
    queues,
    scheduler: new AwsScheduler({
      groupName,
      roleArn,
      ...(schedulerClient ? { client: schedulerClient } : {}),
    }),
  });
}

/**
 * What each function is told through its environment — one derivation for the stack (whose
 * values are CloudFormation tokens) and the local runtime (whose values are loopback URLs), so a
 * handler that reads something the stack does not give it fails locally too.
 */

import { ENV_VARS } from '../constants.js';
import { ConfigError } from '../errors.js';
import { resourceStem } from '../jobs/names.js';
import type { JobSettings } from './settings.js';

/** The HTTP API's function: its folder under `functions/`, timeout and memory. */
export const API_FUNCTION = {
  dir: 'api',
  /** API Gateway gives an integration at most 30 s; the handler only validates, writes and enqueues. */
  timeoutSeconds: 10,
  memoryMiB: 512,
} as const;

/** `POWERTOOLS_SERVICE_NAME` of a function: `hangar-<stage>-<job stem>`, or `hangar-<stage>-api`. */
export function serviceName(stage: string, jobName: string | typeof API_FUNCTION.dir): string {
  return `hangar-${stage}-${resourceStem(jobName)}`;
}

/** Whether a job's worker reads or writes the ledger table (job records, or limit state). */
export function usesLedger(settings: Pick<JobSettings, 'useLedger' | 'resources' | 'limited'>): boolean {
  return settings.useLedger || settings.limited || settings.resources.includes('ledger');
}

/** Where the job queues are, as the API (and FIFO workers) read them from `HANGAR_QUEUES`. */
export type QueueDirectory = Readonly<
  Record<string, { readonly url: string; readonly arn: string; readonly dlqArn: string }>
>;

export interface DeploymentValues {
  readonly stage: string;
  readonly tableName?: string;
  readonly senderEmail?: string;
  /** The stage's `emailSendRate`, for the workers that send e-mail. */
  readonly emailSendRate?: number;
  readonly scheduleGroupName?: string;
  readonly schedulerRoleArn?: string;
  /** Serializes the queue directory: `JSON.stringify` locally, `Stack.toJsonString` in CDK (tokens). */
  readonly toJson: (value: QueueDirectory) => string;
}

function required(value: string | undefined, what: string, owner: string): string {
  if (value === undefined) throw new ConfigError(`${owner} needs ${what}`);
  return value;
}

/**
 * A worker's variables: its job, queue and DLQ, and what its declaration needs — the table when it
 * uses the ledger (or declares limits), the sender (and the stage's e-mail rate) when it declares `ses`, and for FIFO jobs the one-time schedule
 * group, role and its own queue (a delayed FIFO continuation goes through a schedule).
 *
 * @throws {ConfigError} naming a value the job needs that the deployment did not give.
 */
export function workerEnvironment(
  settings: JobSettings,
  queue: { readonly url: string; readonly arn: string; readonly dlqUrl: string; readonly dlqArn: string },
  values: DeploymentValues,
): Record<string, string> {
  const owner = `Worker of job "${settings.jobName}"`;
  const environment: Record<string, string> = {
    [ENV_VARS.jobName]: settings.jobName,
    [ENV_VARS.queueUrl]: queue.url,
    [ENV_VARS.dlqUrl]: queue.dlqUrl,
    [ENV_VARS.stage]: values.stage,
  };
  if (usesLedger(settings))
    environment[ENV_VARS.tableName] = required(values.tableName, 'the ledger table', owner);
  if (settings.resources.includes('ses')) {
    environment[ENV_VARS.senderEmail] = required(
      values.senderEmail,
      'a sender (the job declares "ses")',
      owner,
    );
    if (values.emailSendRate !== undefined)
      environment[ENV_VARS.emailSendRate] = String(values.emailSendRate);
  }
  if (settings.fifo) {
    environment[ENV_VARS.scheduleGroupName] = required(
      values.scheduleGroupName,
      'a schedule group (FIFO jobs continue with delays through it)',
      owner,
    );
    environment[ENV_VARS.schedulerRoleArn] = required(values.schedulerRoleArn, 'the scheduler role', owner);
    environment[ENV_VARS.queues] = values.toJson({
      [settings.jobName]: { url: queue.url, arn: queue.arn, dlqArn: queue.dlqArn },
    });
  }
  return environment;
}

/** The API's variables: every job queue, the ledger and the one-time schedule group. */
export function apiEnvironment(queues: QueueDirectory, values: DeploymentValues): Record<string, string> {
  const owner = 'The API';
  return {
    [ENV_VARS.queues]: values.toJson(queues),
    [ENV_VARS.tableName]: required(values.tableName, 'the ledger table', owner),
    [ENV_VARS.scheduleGroupName]: required(values.scheduleGroupName, 'a schedule group', owner),
    [ENV_VARS.schedulerRoleArn]: required(values.schedulerRoleArn, 'the scheduler role', owner),
    [ENV_VARS.stage]: values.stage,
  };
}

/**
 * The environment of each local function: the `ENV_VARS` the stack sets on the same function
 * (mirroring `infra/constructs/job-worker.ts` and `jobs-api.ts` variable for variable, so a handler
 * that reads something the stack does not give it fails here too), plus what makes the AWS SDK talk
 * to the emulators: the standard `AWS_ENDPOINT_URL_<SERVICE>` variables, a region and dummy
 * credentials. A thread's `process.env` is exactly this; nothing from the developer's shell leaks in.
 */
import {
  API_FUNCTION,
  type DeploymentValues,
  apiEnvironment as deriveApiEnvironment,
  workerEnvironment as deriveWorkerEnvironment,
  type JobSettings,
  METRICS_NAMESPACE,
  resourceStem,
  serviceName,
} from '../lib/deploy/index.js';
import { ConfigError } from '../lib/index.js';
import { LOCAL_IDENTITY } from './endpoints.js';
import type { JobQueues } from './resources.js';

export interface LocalAwsEndpoints {
  readonly sqs: string;
  readonly ses: string;
  readonly dynamodb: string;
  readonly scheduler: string;
  /** Lambda's event-source-mapping calls (pause and resume). */
  readonly lambda: string;
  /** Every other service: answers with an error naming it (see ./aws-api.ts). */
  readonly fallback: string;
}

export interface LocalStage {
  readonly stage: string;
  readonly region: string;
  readonly endpoints: LocalAwsEndpoints;
  readonly tableName: string;
  readonly scheduleGroupName: string;
  readonly schedulerRoleArn: string;
  readonly senderEmail: string;
  readonly queues: Readonly<Record<string, JobQueues>>;
  /** A path that does not exist: the developer's `~/.aws` profiles must not redirect a local function. */
  readonly awsConfigFile: string;
}

/** Dummy credentials: the emulators accept any; these can never sign a real AWS request. */
export const LOCAL_CREDENTIALS = LOCAL_IDENTITY.credentials;

/** What any AWS SDK client needs to use the local runtime: region, credentials and endpoints. */
export function awsEnvironment(stage: Pick<LocalStage, 'region' | 'endpoints'>): Record<string, string> {
  return {
    AWS_REGION: stage.region,
    AWS_DEFAULT_REGION: stage.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: stage.endpoints.sqs,
    AWS_ENDPOINT_URL_SES: stage.endpoints.ses,
    AWS_ENDPOINT_URL_DYNAMODB: stage.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SCHEDULER: stage.endpoints.scheduler,
    AWS_ENDPOINT_URL_LAMBDA: stage.endpoints.lambda,
    AWS_ENDPOINT_URL: stage.endpoints.fallback,
  };
}

/** Variables the Lambda runtime itself sets, which libraries such as Powertools read. */
function lambdaEnvironment(stage: LocalStage, functionName: string, memoryMiB: number, serviceName: string) {
  return {
    ...awsEnvironment(stage),
    AWS_CONFIG_FILE: stage.awsConfigFile,
    AWS_SHARED_CREDENTIALS_FILE: stage.awsConfigFile,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMiB),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    // Set by the stack on every function.
    POWERTOOLS_SERVICE_NAME: serviceName,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  };
}

export function workerFunctionName(jobName: string): string {
  return `${resourceStem(jobName)}-worker`;
}

/** A worker's environment: its job, its queue and DLQ, and what its declared resources need. */
export function workerEnvironment(
  settings: JobSettings,
  stage: LocalStage,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const queues = stage.queues[settings.jobName];
  if (!queues) throw new ConfigError(`No queues were created for job "${settings.jobName}"`);
  const hangar = deriveWorkerEnvironment(
    settings,
    { url: queues.queue.url, arn: queues.queue.arn, dlqUrl: queues.dlq.url },
    deploymentValues(stage),
  );
  return merge(
    hangar,
    lambdaEnvironment(
      stage,
      workerFunctionName(settings.jobName),
      settings.function.memoryMiB,
      serviceName(stage.stage, settings.jobName),
    ),
    extra,
  );
}

/** The API's environment: every job queue, the ledger and the one-time schedule group. */
export function apiEnvironment(
  stage: LocalStage,
  memoryMiB: number,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const queues = Object.fromEntries(
    Object.values(stage.queues).map((q) => [q.jobName, { url: q.queue.url, arn: q.queue.arn }]),
  );
  return merge(
    deriveApiEnvironment(queues, deploymentValues(stage)),
    lambdaEnvironment(stage, API_FUNCTION.dir, memoryMiB, serviceName(stage.stage, API_FUNCTION.dir)),
    extra,
  );
}

function deploymentValues(stage: LocalStage): DeploymentValues {
  return {
    stage: stage.stage,
    tableName: stage.tableName,
    senderEmail: stage.senderEmail,
    scheduleGroupName: stage.scheduleGroupName,
    schedulerRoleArn: stage.schedulerRoleArn,
    toJson: (value) => JSON.stringify(value),
  };
}

/** Extra variables may add, never replace: a caller's value silently winning over a derived one hides bugs. */
function merge(
  hangar: Record<string, string>,
  runtime: Record<string, string>,
  extra: Readonly<Record<string, string>>,
): Record<string, string> {
  const clashes = Object.keys(extra).filter((name) => name in hangar || name in runtime);
  if (clashes.length > 0) {
    throw new ConfigError(`Function environment may not replace ${clashes.join(', ')}; they are derived`);
  }
  return { ...runtime, ...hangar, ...extra };
}

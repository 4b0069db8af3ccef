/**
 * What a command runs against: the local system (`npm run dev`) by default, or a deployed stage
 * (`--stage <name>`), whose queue URLs and API URL come from the outputs of stack `Hangar-<name>`.
 * AWS endpoints are the SDK's own business (`AWS_ENDPOINT_URL_<SERVICE>`); locally the CLI only
 * falls back to the documented local ports when those variables are unset.
 */

import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { registry as appRegistry } from '../jobs/index.js';
import { sqsClientConfig } from '../lib/config/aws-client.js';
import {
  clientFromStackOutputs,
  dlqName,
  ENV_VARS,
  type JobOutput,
  jobOutputKey,
  OUTPUT_KEYS,
  queueName,
} from '../lib/deploy/index.js';
import { errorMessage } from '../lib/errors.js';
import { AwsScheduler, JobClient, type JobDefinition, type JobRegistry } from '../lib/index.js';
import { DynamoJobLedger, JobService } from '../lib/ledger/index.js';
import { LOCAL_IDENTITY, LOCAL_PORTS, localUrl } from '../local/endpoints.js';
import { LOCAL_SCHEDULER_ROLE_ARN } from '../local/scheduler.js';
import {
  API_DEFAULTS,
  ApiClient,
  regionOfApiUrl,
  type SigningCredentials,
  sigV4Signer,
} from './api-client.js';
import { isConnectionError, UnreachableError, UsageError } from './errors.js';
import type { RedriveRecorder } from './redrive.js';
import type { ScheduleSource } from './schedules.js';

export interface QueueRef {
  readonly name: string;
  readonly url: string;
  /** Known on a stage (stack outputs); the native redrive needs it. */
  readonly arn: string | undefined;
}

export interface JobQueues {
  readonly queue: QueueRef;
  readonly dlq: QueueRef;
}

export interface Target {
  readonly kind: 'local' | 'aws';
  /** For messages: `local (SQS http://127.0.0.1:4566)` or `stage prod (stack Hangar-prod)`. */
  readonly label: string;
  readonly registry: JobRegistry;
  readonly sqs: SQSClient;
  /** AWS only: where the oldest-message ages come from. */
  readonly cloudwatch: CloudWatchClient | undefined;
  /** @throws {UnreachableError} when a queue does not exist or SQS cannot be reached. */
  queuesOf(job: JobDefinition): Promise<JobQueues>;
  api(): Promise<ApiClient>;
  /** The Scheduler API and the group the stage's recurring schedules live in. */
  scheduleSource(): ScheduleSource;
  /** Lambda's API, for the workers' event source mappings (pause and resume). */
  lambda(): LambdaClient;
  /** The ARN of a job's queue: a stack output on a stage, asked of SQS locally. */
  queueArn(job: JobDefinition): Promise<string>;
  /** Records redrives in the ledger, where the target has one the CLI can reach. */
  readonly recorder: RedriveRecorder | undefined;
  /** The target's job ledger, read directly (listings, lookups, counts). */
  readonly ledger: DynamoJobLedger | undefined;
  /**
   * Where that ledger is and what named it, for the message of a command that cannot reach it:
   * `table hangar-jobs (HANGAR_TABLE_NAME) at http://127.0.0.1:8000 (AWS_ENDPOINT_URL_DYNAMODB)`.
   */
  readonly ledgerSource: string | undefined;
  /**
   * The job service over the target's ledger and queues — what the HTTP API runs — for tools that
   * enqueue and cancel with the operator's own credentials (the dashboard).
   */
  jobService(): Promise<JobService>;
  destroy(): void;
}

/** PRODUCT.md, "Local endpoints". */
export const LOCAL_DEFAULTS = {
  sqsEndpoint: localUrl(LOCAL_PORTS.sqs),
  /** The local runtime's EventBridge-Scheduler-compatible API. */
  schedulerEndpoint: localUrl(LOCAL_PORTS.scheduler),
  /** The local runtime's Lambda event-source-mapping API: the same server as the scheduler's. */
  lambdaEndpoint: localUrl(LOCAL_PORTS.scheduler),
  dynamodbEndpoint: localUrl(LOCAL_PORTS.dynamodb),
  /** The local runtime's schedule group and ledger table. */
  scheduleGroupName: LOCAL_IDENTITY.scheduleGroupName,
  tableName: LOCAL_IDENTITY.tableName,
  region: LOCAL_IDENTITY.region,
  /** Emulators sign-check nothing; the SDK still wants something to sign with. */
  credentials: LOCAL_IDENTITY.credentials,
  hint: 'is `npm run dev` running?',
} as const;

/** `Hangar-<stage>` (PRODUCT.md: one stack per stage). */
export function stackName(stage: string): string {
  return `Hangar-${stage}`;
}

const STAGE_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

/** @throws {UsageError} unless `stage` can be part of a stack name. */
export function checkStageName(stage: string): string {
  if (!STAGE_PATTERN.test(stage)) {
    throw new UsageError(`"${stage}" is not a stage name (letters, digits and "-", starting with a letter)`);
  }
  return stage;
}

export interface TargetOptions {
  readonly stage?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default the application's registry (`jobs/index.ts`) */
  readonly registry?: JobRegistry;
  /** Injected by tests; built from the SDK's standard configuration otherwise. */
  readonly sqs?: SQSClient;
  readonly cloudFormation?: CloudFormationClient;
  readonly cloudwatch?: CloudWatchClient;
  readonly scheduler?: SchedulerClient;
  readonly lambda?: LambdaClient;
  readonly dynamodb?: DynamoDBClient;
  readonly credentials?: SigningCredentials;
}

/** Resolves `--stage` (or its absence) into clients and addresses. */
export async function resolveTarget(options: TargetOptions = {}): Promise<Target> {
  const env = options.env ?? process.env;
  const registry = options.registry ?? appRegistry;
  return options.stage === undefined
    ? localTarget(env, registry, options)
    : stageTarget(options.stage, registry, options);
}

function localTarget(
  env: Readonly<Record<string, string | undefined>>,
  registry: JobRegistry,
  options: TargetOptions,
): Target {
  const endpoint = env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL ?? LOCAL_DEFAULTS.sqsEndpoint;
  const local = {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? LOCAL_DEFAULTS.region,
    credentials: LOCAL_DEFAULTS.credentials,
    // A local emulator that is down stays down: fail fast instead of retrying.
    maxAttempts: 1,
  };
  const sqs = options.sqs ?? new SQSClient({ ...local, endpoint });
  let scheduler: SchedulerClient | undefined = options.scheduler;
  let lambda: LambdaClient | undefined = options.lambda;
  const urls = new Map<string, Promise<string>>();
  const urlOf = (name: string) => {
    let url = urls.get(name);
    if (!url) {
      url = sqs.send(new GetQueueUrlCommand({ QueueName: name })).then(
        (out) => out.QueueUrl ?? '',
        (cause: unknown) => {
          if (isConnectionError(cause))
            throw new UnreachableError(`Cannot reach SQS at ${endpoint}; ${LOCAL_DEFAULTS.hint}`, { cause });
          throw new UnreachableError(
            `Queue "${name}" does not exist at ${endpoint}; ${LOCAL_DEFAULTS.hint}`,
            { cause },
          );
        },
      );
      urls.set(name, url);
    }
    return url;
  };
  const apiUrl = env.HANGAR_API_URL ?? API_DEFAULTS.url;
  const table = fromEnv(env, [ENV_VARS.tableName], LOCAL_DEFAULTS.tableName);
  const dynamodbEndpoint = fromEnv(
    env,
    ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL'],
    LOCAL_DEFAULTS.dynamodbEndpoint,
  );
  const ledger = new DynamoJobLedger({
    tableName: table.value,
    client: new DynamoDBClient({ ...local, endpoint: dynamodbEndpoint.value }),
  });
  let service: Promise<JobService> | undefined;
  return {
    kind: 'local',
    label: `local (SQS ${endpoint}, API ${apiUrl})`,
    registry,
    sqs,
    cloudwatch: undefined,
    async queuesOf(job) {
      const [url, dlqUrl] = await Promise.all([urlOf(queueName(job)), urlOf(dlqName(job))]);
      return {
        queue: { name: queueName(job), url, arn: undefined },
        dlq: { name: dlqName(job), url: dlqUrl, arn: undefined },
      };
    },
    async api() {
      return new ApiClient({ baseUrl: apiUrl, hint: `${LOCAL_DEFAULTS.hint} (HANGAR_API_URL)` });
    },
    scheduleSource() {
      scheduler ??= new SchedulerClient({
        ...local,
        endpoint: env.AWS_ENDPOINT_URL_SCHEDULER ?? env.AWS_ENDPOINT_URL ?? LOCAL_DEFAULTS.schedulerEndpoint,
      });
      return {
        client: scheduler,
        groupName: env[ENV_VARS.scheduleGroupName] ?? LOCAL_DEFAULTS.scheduleGroupName,
      };
    },
    lambda() {
      lambda ??= new LambdaClient({
        ...local,
        endpoint: env.AWS_ENDPOINT_URL_LAMBDA ?? env.AWS_ENDPOINT_URL ?? LOCAL_DEFAULTS.lambdaEndpoint,
      });
      return lambda;
    },
    async queueArn(job) {
      const { queue } = await this.queuesOf(job);
      const out = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['QueueArn'] }),
      );
      return out.Attributes?.QueueArn ?? '';
    },
    recorder: ledger,
    ledger,
    ledgerSource: `table ${table.value} (${table.from}) at ${dynamodbEndpoint.value} (${dynamodbEndpoint.from})`,
    jobService() {
      const { client, groupName } = this.scheduleSource();
      service ??= (async () => {
        // One-time schedules (run-at beyond 15 minutes) target a queue by its ARN, as on a stage.
        const queues = Object.fromEntries(
          await Promise.all(
            registry.jobs.map(async (job) => {
              const { queue } = await this.queuesOf(job);
              return [job.name, { url: queue.url, arn: await this.queueArn(job) }] as const;
            }),
          ),
        );
        return new JobService({
          client: new JobClient({
            registry,
            sqs,
            queues,
            scheduler: new AwsScheduler({ groupName, roleArn: LOCAL_SCHEDULER_ROLE_ARN, client }),
          }),
          store: ledger,
        });
      })();
      service.catch(() => {
        service = undefined;
      });
      return service;
    },
    destroy() {
      if (!options.sqs) sqs.destroy();
      if (!options.scheduler) scheduler?.destroy();
      if (!options.lambda) lambda?.destroy();
    },
  };
}

/** A setting read from the first of `names` that is set, or its default; `from` says which, for messages. */
function fromEnv(
  env: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
  fallback: string,
): { readonly value: string; readonly from: string } {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { value, from: name };
  }
  return { value: fallback, from: `the local default; ${names.join(' or ')} unset` };
}

/**
 * The target's ledger, once it has answered: a command that must write it (a redrive records each
 * job it moves) checks first, and fails naming where it looked, before it changes anything.
 * @throws {UnreachableError} naming the table, the endpoint and the variable or stack output they came from.
 */
export async function reachLedger(target: Target): Promise<void> {
  const { ledger } = target;
  if (ledger === undefined) return;
  try {
    // Any read will do; a job id no job has costs one small GetItem.
    await ledger.getJob(LEDGER_PROBE_JOB_ID);
  } catch (cause) {
    throw new UnreachableError(
      `Cannot reach the job ledger: ${target.ledgerSource ?? 'its table'}: ${errorMessage(cause)}${target.kind === 'local' ? `; ${LOCAL_DEFAULTS.hint}` : ''}`,
      { cause },
    );
  }
}

/** The job id `reachLedger` reads: valid, and never one Hangar makes (ULIDs are 26 characters). */
const LEDGER_PROBE_JOB_ID = 'hangar-cli-probe';

/** The outputs of stack `Hangar-<stage>`. @throws {UnreachableError} when the stack or the credentials are missing. */
export async function readStackOutputs(
  cloudFormation: CloudFormationClient,
  stage: string,
): Promise<Map<string, string>> {
  const name = stackName(stage);
  try {
    const out = await cloudFormation.send(new DescribeStacksCommand({ StackName: name }));
    const stack = out.Stacks?.[0];
    if (!stack) throw new UnreachableError(`Stack ${name} was not found`);
    return new Map(
      (stack.Outputs ?? []).flatMap((o) =>
        o.OutputKey && o.OutputValue !== undefined ? [[o.OutputKey, o.OutputValue] as const] : [],
      ),
    );
  } catch (cause) {
    if (cause instanceof UnreachableError) throw cause;
    const region = await cloudFormation.config.region().catch(() => '(no region)');
    if (cause instanceof Error && /does not exist/.test(cause.message)) {
      throw new UnreachableError(
        `Stack ${name} does not exist in ${region}; check --stage and AWS_REGION / AWS_PROFILE`,
        { cause },
      );
    }
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new UnreachableError(`Cannot read stack ${name} in ${region}: ${reason}`, { cause });
  }
}

async function stageTarget(stage: string, registry: JobRegistry, options: TargetOptions): Promise<Target> {
  checkStageName(stage);
  const cloudFormation = options.cloudFormation ?? new CloudFormationClient({});
  const outputs = await readStackOutputs(cloudFormation, stage);
  const name = stackName(stage);
  const output = (key: string): string => {
    const value = outputs.get(key);
    if (value === undefined || value === '') {
      throw new UnreachableError(`Stack ${name} has no output "${key}"; was it deployed from this version?`);
    }
    return value;
  };
  const jobOutput = (job: JobDefinition, kind: JobOutput) => output(jobOutputKey(job.name, kind));
  const sqs = options.sqs ?? new SQSClient(sqsClientConfig());
  const cloudwatch = options.cloudwatch ?? new CloudWatchClient({});
  let scheduler: SchedulerClient | undefined;
  let lambda: LambdaClient | undefined;
  let service: JobService | undefined;
  const ledger = new DynamoJobLedger({
    tableName: output(OUTPUT_KEYS.tableName),
    ...(options.dynamodb ? { client: options.dynamodb } : {}),
    // A stage on its way to the current indexes says so; listings read the legacy ones meanwhile.
    ...(outputs.get(OUTPUT_KEYS.ledgerIndexes) === 'legacy' ? { indexes: 'legacy' } : {}),
  });
  const ref = (job: JobDefinition, url: JobOutput, arn: JobOutput): QueueRef => {
    const queueUrl = jobOutput(job, url);
    return {
      name: new URL(queueUrl).pathname.split('/').pop() ?? queueUrl,
      url: queueUrl,
      arn: jobOutput(job, arn),
    };
  };
  return {
    kind: 'aws',
    label: `stage ${stage} (stack ${name})`,
    registry,
    sqs,
    cloudwatch,
    async queuesOf(job) {
      return { queue: ref(job, 'queueUrl', 'queueArn'), dlq: ref(job, 'dlqUrl', 'dlqArn') };
    },
    scheduleSource() {
      scheduler ??= options.scheduler ?? new SchedulerClient({});
      return { client: scheduler, groupName: output(OUTPUT_KEYS.scheduleGroupName) };
    },
    lambda() {
      lambda ??= options.lambda ?? new LambdaClient({});
      return lambda;
    },
    async queueArn(job) {
      return jobOutput(job, 'queueArn');
    },
    async api() {
      const baseUrl = output(OUTPUT_KEYS.apiUrl);
      const region = regionOfApiUrl(baseUrl) ?? (await cloudFormation.config.region());
      const credentials = options.credentials ?? defaultProvider();
      return new ApiClient({ baseUrl, signer: sigV4Signer({ region, credentials }) });
    },
    recorder: ledger,
    ledger,
    ledgerSource: `table ${output(OUTPUT_KEYS.tableName)} (output ${OUTPUT_KEYS.tableName} of stack ${name}), with the SDK's region and credentials`,
    async jobService() {
      scheduler ??= options.scheduler ?? new SchedulerClient({});
      service ??= new JobService({
        client: clientFromStackOutputs(Object.fromEntries(outputs), {
          registry,
          sqs,
          schedulerClient: scheduler,
        }),
        store: ledger,
      });
      return service;
    },
    destroy() {
      if (!options.sqs) sqs.destroy();
      if (!options.cloudwatch) cloudwatch.destroy();
      if (!options.cloudFormation) cloudFormation.destroy();
      if (!options.scheduler) scheduler?.destroy();
      if (!options.lambda) lambda?.destroy();
    },
  };
}

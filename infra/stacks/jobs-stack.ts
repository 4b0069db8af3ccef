import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { registry as appRegistry } from '../../jobs/index.js';
import {
  deriveStageSettings,
  functionDir,
  functionEntry,
  jobOutputKey,
  OUTPUT_KEYS,
  pascalName,
  type Settings,
  type StageConfig,
  stageConfigError,
} from '../../lib/deploy/index.js';
import { ConfigError, type JobRegistry } from '../../lib/index.js';
import { displayPath, PROJECT_ROOT } from '../constructs/hangar-function.js';
import { JobQueue } from '../constructs/job-queue.js';
import { JobSchedules } from '../constructs/job-schedules.js';
import { JobWorker } from '../constructs/job-worker.js';
import { JobsApi } from '../constructs/jobs-api.js';
import { LedgerTable } from '../constructs/ledger-table.js';
import { Monitoring } from '../constructs/monitoring.js';
import { OperatorPolicy } from '../constructs/operator-policy.js';
import { ProducerPolicy } from '../constructs/producer-policy.js';
import { SenderIdentity } from '../constructs/sender-identity.js';
import { StageParameters } from '../constructs/stage-parameters.js';

/** Where function folders live: `functions/<dir>/handler.ts`. */
export const FUNCTIONS_DIR = join(PROJECT_ROOT, 'functions');
/** The API's function folder. */
export const API_FUNCTION_DIR = 'api';

/** `Hangar-<stage>` (PRODUCT.md: one stack per stage, directly under the App). */
export function hangarStackName(stage: string): string {
  return `Hangar-${stage}`;
}

export interface JobsStackProps extends StackProps {
  readonly config: StageConfig;
  /** The jobs to deploy. @default the application's registry (`jobs/index.ts`) */
  readonly registry?: JobRegistry;
  /** The folder holding `<dir>/handler.ts` per function. @default FUNCTIONS_DIR */
  readonly functionsDir?: string;
}

/**
 * Everything one stage runs, derived from the job registry: per job a queue pair, a worker,
 * its schedules, alarms and permissions; once per stage the ledger table, the scheduler, the
 * HTTP API, the sender identity, the producer and operator policies, the alarm topic and the dashboard.
 * A new job declaration adds its resources with no edit here.
 */
export class JobsStack extends Stack {
  readonly config: StageConfig;
  readonly settings: Settings;
  readonly ledger: LedgerTable;
  /** Only when a job sends e-mail (declares the `ses` resource). */
  readonly sender: SenderIdentity | undefined;
  readonly parameters: StageParameters;
  readonly schedules: JobSchedules;
  /** Per job name. */
  readonly queues: ReadonlyMap<string, JobQueue>;
  /** Per job name. */
  readonly workers: ReadonlyMap<string, JobWorker>;
  readonly api: JobsApi;
  readonly producerPolicy: ProducerPolicy;
  readonly operatorPolicy: OperatorPolicy;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: JobsStackProps) {
    super(scope, id, {
      description: `Hangar background jobs, stage ${props.config.stage}`,
      ...props,
    });
    const { config } = props;
    const registry = props.registry ?? appRegistry;
    const functionsDir = props.functionsDir ?? FUNCTIONS_DIR;
    this.config = config;
    const stageSettings = deriveStageSettings(config, registry);
    this.settings = stageSettings.settings;

    // All missing entry files in one message: the functions land with other issues, and a
    // reader should see every folder still to write, not one per synth.
    const jobs = this.settings.jobs.map((settings) => ({
      settings,
      entry: functionEntry(functionsDir, functionDir(settings.jobName)),
    }));
    const apiEntry = functionEntry(functionsDir, API_FUNCTION_DIR);
    const missing = [
      ...jobs.map(({ entry, settings }) => ({ entry, what: `job ${settings.jobName}` })),
      { entry: apiEntry, what: 'the HTTP API' },
    ].filter(({ entry }) => !existsSync(entry));
    if (missing.length > 0) {
      throw new ConfigError(
        `Missing function entry files (each exports "handler"):\n${missing.map(({ entry, what }) => `  - ${displayPath(entry)} (${what})`).join('\n')}`,
      );
    }

    Tags.of(this).add('hangar:stage', config.stage);
    const removalPolicy = config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.ledger = new LedgerTable(this, 'Ledger', {
      spec: this.settings.table,
      indexes: stageSettings.ledgerIndexStep.indexes,
      production: config.production,
    });
    // A stack whose jobs send no e-mail needs no sender: no identity, no address to configure.
    const senders = this.settings.jobs.filter((job) => job.resources.includes('ses'));
    if (senders.length > 0 && config.senderEmail === undefined) {
      throw stageConfigError([
        `senderEmail: is required: ${senders.map((job) => `"${job.jobName}"`).join(', ')} ${senders.length === 1 ? 'sends' : 'send'} e-mail (resource "ses"); -c senderEmail=<verified address>`,
      ]);
    }
    this.sender =
      senders.length > 0 && config.senderEmail !== undefined
        ? new SenderIdentity(this, 'Sender', {
            email: config.senderEmail,
            create: config.createSesIdentity,
            ...(config.emailSendRate === undefined ? {} : { sendRate: config.emailSendRate }),
          })
        : undefined;
    this.parameters = new StageParameters(this, 'Parameters', { stage: config.stage });

    const jobQueues = jobs.map(({ settings, entry }) => ({
      entry,
      queue: new JobQueue(this, `${pascalName(settings.jobName)}Queue`, { settings }),
    }));
    this.schedules = new JobSchedules(this, 'Schedules', {
      queues: jobQueues.map(({ queue }) => queue),
      pausedSchedules: config.pausedSchedules ?? [],
      removalPolicy,
    });
    const pausedJobs = new Set(config.pausedJobs ?? []);
    const unknownJobs = [...pausedJobs].filter((name) => !this.settings.jobs.some((j) => j.jobName === name));
    if (unknownJobs.length > 0) {
      throw stageConfigError([
        `pausedJobs: ${unknownJobs.map((n) => `"${n}"`).join(', ')} not registered; jobs: ${this.settings.jobs.map((j) => j.jobName).join(', ')}`,
      ]);
    }
    const jobWorkers = jobQueues.map(({ entry, queue }) => ({
      queue,
      worker: new JobWorker(this, `${pascalName(queue.settings.jobName)}Worker`, {
        queue,
        entry,
        stage: config.stage,
        ledger: this.ledger.table,
        ...(this.sender ? { sender: this.sender } : {}),
        parameters: this.parameters,
        schedules: this.schedules,
        environment: stageSettings.environment[queue.settings.jobName] ?? {},
        paused: pausedJobs.has(queue.settings.jobName),
        removalPolicy,
      }),
    }));
    this.queues = new Map(jobWorkers.map(({ queue }) => [queue.settings.jobName, queue]));
    this.workers = new Map(jobWorkers.map(({ queue, worker }) => [queue.settings.jobName, worker]));
    const allQueues = [...this.queues.values()];

    this.api = new JobsApi(this, 'Api', {
      entry: apiEntry,
      stage: config.stage,
      queues: allQueues,
      ledger: this.ledger.table,
      schedules: this.schedules,
      removalPolicy,
    });
    for (const [name, value] of Object.entries(stageSettings.apiEnvironment)) {
      this.api.handler.function.addEnvironment(name, value);
    }
    this.producerPolicy = new ProducerPolicy(this, 'Producer', {
      queues: allQueues,
      schedules: this.schedules,
      api: this.api,
    });
    this.operatorPolicy = new OperatorPolicy(this, 'Operator', {
      queues: allQueues,
      schedules: this.schedules,
      ledger: this.ledger.table,
      api: this.api,
      workers: [...this.workers.values()],
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: config.stage,
      workers: jobWorkers,
      scheduleDeadLetterQueue: this.schedules.deadLetterQueue,
      api: this.api.handler,
      ...(config.alarmEmail === undefined ? {} : { alarmEmail: config.alarmEmail }),
      removalPolicy,
    });

    // Output keys are lib constants: `JobClient.fromStackOutputs` and the CLI read them.
    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });
    output(OUTPUT_KEYS.apiUrl, this.api.url, 'Base URL of the job API (IAM/SigV4)');
    output(OUTPUT_KEYS.schedulerRoleArn, this.schedules.role.roleArn, 'Role one-time schedules pass');
    output(OUTPUT_KEYS.scheduleGroupName, this.schedules.group.scheduleGroupName, 'Schedule group');
    output(OUTPUT_KEYS.tableName, this.ledger.table.tableName, 'Job ledger table');
    if (stageSettings.ledgerIndexStep.reads === 'legacy') {
      output(
        OUTPUT_KEYS.ledgerIndexes,
        'legacy',
        'The ledger indexes operators read while the stage migrates',
      );
    }
    output(OUTPUT_KEYS.producerPolicyArn, this.producerPolicy.policy.managedPolicyArn, 'Attach to send jobs');
    output(
      OUTPUT_KEYS.operatorReadOnlyPolicyArn,
      this.operatorPolicy.readOnly.managedPolicyArn,
      'Attach to run hangar and hangar dashboard read-only',
    );
    output(
      OUTPUT_KEYS.operatorPolicyArn,
      this.operatorPolicy.full.managedPolicyArn,
      'Attach to operate: every hangar command and the dashboard',
    );
    for (const [jobName, { queue, deadLetterQueue }] of this.queues) {
      output(jobOutputKey(jobName, 'queueUrl'), queue.queueUrl, `Queue of ${jobName}`);
      output(jobOutputKey(jobName, 'queueArn'), queue.queueArn, `Queue of ${jobName}`);
      output(jobOutputKey(jobName, 'dlqUrl'), deadLetterQueue.queueUrl, `DLQ of ${jobName}`);
      output(jobOutputKey(jobName, 'dlqArn'), deadLetterQueue.queueArn, `DLQ of ${jobName}`);
    }
  }
}

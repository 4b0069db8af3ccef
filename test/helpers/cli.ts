import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CliIo } from '../../cli/output.js';
import { REGISTRY_MODULE_VARIABLE } from '../../cli/registry-module.js';
import type { Target } from '../../cli/target.js';
import { deriveSettings, jobOutputKey, OUTPUT_KEYS, pascalName } from '../../lib/deploy/index.js';
import type { JobRegistry } from '../../lib/index.js';
import { registry } from '../../lib/jobs/builtin/index.js';
import { createJobQueues } from '../../local/resources.js';

/**
 * In-memory streams for running the CLI in-process; `tty` pretends a person is at the terminal,
 * who types `input` when a `[y/N]` prompt appears.
 */
export function memoryIo(
  env: Readonly<Record<string, string | undefined>> = {},
  options: { tty?: boolean; input?: string } = {},
) {
  let stdout = '';
  let stderr = '';
  const stdin = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  if (options.input === undefined) stdin.end();
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: options.tty ?? false },
    stderr: {
      write: (chunk: string) => {
        stderr += chunk;
        if (options.input !== undefined && chunk.includes('[y/N]')) stdin.end(options.input);
        return true;
      },
      isTTY: options.tty ?? false,
    },
    stdin,
    env: { NO_COLOR: '1', ...env },
  };
  return { io, stdout: () => stdout, stderr: () => stderr };
}

/** What `DescribeStacks` returns for a deployed stage: every output the stack declares. */
export function stackOutputs(region = 'eu-west-1', account = '123456789012', jobs: JobRegistry = registry) {
  const outputs: Record<string, string> = {
    [OUTPUT_KEYS.apiUrl]: `https://abc123.execute-api.${region}.amazonaws.com/`,
    [OUTPUT_KEYS.tableName]: 'Hangar-prod-Ledger',
    [OUTPUT_KEYS.scheduleGroupName]: 'Hangar-prod',
    [OUTPUT_KEYS.schedulerRoleArn]: `arn:aws:iam::${account}:role/scheduler`,
    [OUTPUT_KEYS.producerPolicyArn]: `arn:aws:iam::${account}:policy/producer`,
  };
  for (const job of jobs.jobs) {
    const physical = `Hangar-prod-${pascalName(job.name)}Queue-X1`;
    const suffix = job.fifo ? '.fifo' : '';
    const queue = `${physical}${suffix}`;
    const dlq = `Hangar-prod-${pascalName(job.name)}Dlq-X2${suffix}`;
    outputs[jobOutputKey(job.name, 'queueUrl')] = `https://sqs.${region}.amazonaws.com/${account}/${queue}`;
    outputs[jobOutputKey(job.name, 'queueArn')] = `arn:aws:sqs:${region}:${account}:${queue}`;
    outputs[jobOutputKey(job.name, 'dlqUrl')] = `https://sqs.${region}.amazonaws.com/${account}/${dlq}`;
    outputs[jobOutputKey(job.name, 'dlqArn')] = `arn:aws:sqs:${region}:${account}:${dlq}`;
  }
  return outputs;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const { bin } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { bin: { hangar: string } };
/** The file package.json's `bin.hangar` names: what `npx hangar` runs. */
export const HANGAR_BIN = `${root}${bin.hangar}`;

export interface HangarRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The registry the binary reads in tests: the built-in jobs' (through `HANGAR_JOBS`), never the
 * application's `jobs/index.ts`, so a team's registrations cannot change what these tests see.
 */
export const BINARY_TEST_REGISTRY = { [REGISTRY_MODULE_VARIABLE]: `${root}lib/jobs/builtin/index.ts` };

/**
 * Runs the real `hangar` binary as a child process (under this Node, which is the project's
 * Node 24), with only the environment given plus PATH, HOME and `BINARY_TEST_REGISTRY`.
 */
export function runHangar(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  timeoutMs = 60_000,
): Promise<HangarRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [HANGAR_BIN, ...args],
      {
        cwd: root,
        timeout: timeoutMs,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          NO_COLOR: '1',
          ...BINARY_TEST_REGISTRY,
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Creates every registered job's queue and DLQ under the derived names with the local runtime's
 * own code, so the CLI's local mode (which looks queues up by name) finds them.
 * @returns by job name, the queue and DLQ URLs.
 */
export async function createLocalQueues(sqs: SQSClient, jobs: JobRegistry = registry) {
  const created = await createJobQueues(sqs, deriveSettings(jobs));
  return new Map(Object.values(created).map((q) => [q.jobName, { url: q.queue.url, dlqUrl: q.dlq.url }]));
}

/** A local-kind target over test queues (unique names), for running commands in-process. */
export function fixedTarget(
  sqs: SQSClient,
  jobs: JobRegistry,
  queues: Readonly<Record<string, { readonly url: string; readonly dlqUrl: string }>>,
): Target {
  const name = (url: string) => url.split('/').pop() ?? url;
  return {
    kind: 'local',
    label: 'test queues',
    registry: jobs,
    sqs,
    cloudwatch: undefined,
    async queuesOf(job) {
      const found = queues[job.name];
      if (!found) throw new Error(`no test queues for ${job.name}`);
      return {
        queue: { name: name(found.url), url: found.url, arn: undefined },
        dlq: { name: name(found.dlqUrl), url: found.dlqUrl, arn: undefined },
      };
    },
    async api() {
      throw new Error('no API in this test');
    },
    scheduleSource() {
      throw new Error('no scheduler in this test');
    },
    lambda() {
      throw new Error('no Lambda in this test');
    },
    async queueArn() {
      throw new Error('no queue ARNs in this test');
    },
    recorder: undefined,
    ledger: undefined,
    ledgerSource: undefined,
    async jobService() {
      throw new Error('no job service in this test');
    },
    destroy() {},
  };
}

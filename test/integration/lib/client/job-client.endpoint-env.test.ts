/**
 * Issue 13, defect 6: on a stage, SQS clients built from the environment honour
 * `AWS_ENDPOINT_URL_SQS` (and `AWS_ENDPOINT_URL`). The SDK sends an SQS call to its queue URL's
 * host unless told otherwise (`useQueueUrlAsEndpoint: false`, `sqsClientConfig()`), which would
 * bypass a VPC interface endpoint, a FIPS endpoint or a proxy named in the environment. Shown for the
 * `JobClient`, the CLI on a stage and the worker, each with its default client: both the endpoint
 * and the queue URL's host are loopback servers here, recording what reaches them.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveTarget } from '../../../../cli/target.js';
import { jobOutputKey, OUTPUT_KEYS } from '../../../../lib/deploy/index.js';
import { createRegistry, JobClient, RetryableJobError } from '../../../../lib/index.js';
import { createWorker, handle } from '../../../../lib/worker/index.js';
import { noteJob } from '../../../helpers/jobs.js';
import { fakeContext } from '../../../helpers/lambda-context.js';
import { jobRecord, sqsEvent } from '../../../helpers/sqs-records.js';

/** A loopback SQS stand-in that records the operations it receives and answers each plausibly. */
async function startRecorder() {
  const operations: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      operations.push(String(req.headers['x-amz-target']));
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { MessageBody?: string };
      const md5 = createHash('md5')
        .update(input.MessageBody ?? '')
        .digest('hex');
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ MessageId: 'm-1', MD5OfMessageBody: md5, Attributes: {} }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    operations,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// No ledger: the test is about where SQS calls go.
const job = noteJob({ retry: { maxAttempts: 3, baseDelaySeconds: 1, maxDelaySeconds: 1 }, useLedger: false });
const jobs = createRegistry([job]);
const cloudFormation = mockClient(CloudFormationClient);
let endpoint: Awaited<ReturnType<typeof startRecorder>>;
let queueHost: Awaited<ReturnType<typeof startRecorder>>;

beforeAll(async () => {
  [endpoint, queueHost] = await Promise.all([startRecorder(), startRecorder()]);
});
beforeEach(() => {
  endpoint.operations.splice(0);
  queueHost.operations.splice(0);
  vi.stubEnv('AWS_ENDPOINT_URL_SQS', endpoint.url);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/aws-config');
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws-credentials');
});
afterEach(() => {
  vi.unstubAllEnvs();
  cloudFormation.reset();
});
afterAll(async () => {
  await Promise.all([endpoint.stop(), queueHost.stop()]);
});

/** A queue URL as a stage's outputs give it, on a host that is not the endpoint. */
const queueUrl = () => `${queueHost.url}/123456789012/Hangar-prod-TestNoteQueue-X1`;

describe('Defect 6 (issue 13): AWS_ENDPOINT_URL_SQS on a stage', () => {
  it("is where the JobClient's own SQS client sends", async () => {
    const client = new JobClient({ registry: jobs, queues: { [job.name]: { url: queueUrl() } } });

    await client.enqueue(job, { text: 'hello' });

    expect({ endpoint: endpoint.operations, queueHost: queueHost.operations }).toEqual({
      endpoint: ['AmazonSQS.SendMessage'],
      queueHost: [],
    });
  });

  it("is where the CLI's SQS client sends on a stage", async () => {
    const outputs = {
      [OUTPUT_KEYS.apiUrl]: 'https://abc123.execute-api.eu-west-1.amazonaws.com/',
      [OUTPUT_KEYS.tableName]: 'Hangar-prod-Ledger',
      [OUTPUT_KEYS.scheduleGroupName]: 'Hangar-prod',
      [jobOutputKey(job.name, 'queueUrl')]: queueUrl(),
      [jobOutputKey(job.name, 'queueArn')]: 'arn:aws:sqs:eu-west-1:123456789012:Hangar-prod-TestNoteQueue-X1',
      [jobOutputKey(job.name, 'dlqUrl')]: queueUrl(),
      [jobOutputKey(job.name, 'dlqArn')]: 'arn:aws:sqs:eu-west-1:123456789012:Hangar-prod-TestNoteQueue-X1',
    };
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Hangar-prod',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
    const target = await resolveTarget({
      stage: 'prod',
      registry: jobs,
      cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
    });

    const { queue } = await target.queuesOf(job);
    await target.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['All'] }));
    target.destroy();

    expect({ endpoint: endpoint.operations, queueHost: queueHost.operations }).toEqual({
      endpoint: ['AmazonSQS.GetQueueAttributes'],
      queueHost: [],
    });
  });

  it("is where the worker's own SQS client sends its retry", async () => {
    const worker = createWorker({
      jobs: [
        handle(job, async () => {
          throw new RetryableJobError('again');
        }),
      ],
      queue: { url: queueUrl(), dlqUrl: queueUrl() },
      random: () => 0.5,
    });

    await worker(sqsEvent(jobRecord(job, { text: 'hello' })), fakeContext(30_000));

    expect(endpoint.operations).toContain('AmazonSQS.SendMessage');
    expect(queueHost.operations).toEqual([]);
  });
});

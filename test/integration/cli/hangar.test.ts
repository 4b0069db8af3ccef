/**
 * The real `hangar` binary (package.json `bin`) as a child process, in local mode, against a
 * fresh fauxqs per test whose queues carry the derived names, as the local runtime creates them.
 * The full acceptance run against `startLocal` (workers, ledger, API) is in local-runtime.test.ts.
 */
import { spawn } from 'node:child_process';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEnvelope, deriveSettings, ENV_VARS } from '../../../lib/deploy/index.js';
import { cleanupRun, emailSend, registry } from '../../../lib/jobs/builtin/index.js';
import {
  BINARY_TEST_REGISTRY,
  createLocalQueues,
  HANGAR_BIN,
  type HangarRun,
  runHangar,
} from '../../helpers/cli.js';
import { deadLetter } from '../../helpers/dead-letters.js';
import { createLedgerTable, dynamoClient, startDynamo } from '../../helpers/dynamodb.js';
import { startFakeApi } from '../../helpers/fake-api.js';
import { sqsClient, startSqs } from '../../helpers/sqs.js';
import { waitFor } from '../../helpers/wait.js';

let emulator: Awaited<ReturnType<typeof startSqs>>;
let sqs: SQSClient;
let queues: Awaited<ReturnType<typeof createLocalQueues>>;
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let ddb: DynamoDBClient;
let table: Awaited<ReturnType<typeof createLedgerTable>>;

beforeEach(async () => {
  emulator = await startSqs();
  sqs = sqsClient(emulator.endpoint);
  queues = await createLocalQueues(sqs);
  dynamo = await startDynamo();
  ddb = dynamoClient(dynamo.endpoint);
  table = await createLedgerTable(ddb);
});
afterEach(async () => {
  sqs.destroy();
  await emulator.stop();
  ddb.destroy();
  await dynamo.stop();
});

const environment = () => ({
  AWS_ENDPOINT_URL_SQS: emulator.endpoint,
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  [ENV_VARS.tableName]: table.tableName,
  HANGAR_API_URL: 'http://127.0.0.1:9',
  // No local runtime here: whether a queue is paused cannot be known.
  AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:9',
});
const hangar = (...args: string[]): Promise<HangarRun> => runHangar(args, environment());

const mail = (to: string) => ({ to: [to], subject: 'Hi', text: 'Hello' });

async function deadMail() {
  const email = queues.get('email.send') ?? { url: '', dlqUrl: '' };
  const envelopes = await deadLetter(sqs, emailSend, email, [
    { payload: mail('a@example.com'), code: 'MESSAGE_REJECTED' },
    { payload: mail('b@example.com'), code: 'THROTTLED' },
    { payload: mail('c@example.com'), code: 'MESSAGE_REJECTED' },
  ]);
  return { email, ids: envelopes.map((e) => e.jobId) };
}

async function bodies(url: string) {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 30,
      WaitTimeSeconds: 0,
    }),
  );
  return (out.Messages ?? []).map((m) => decodeEnvelope(m.Body ?? ''));
}

describe('Binary: hangar (local mode, SQS commands)', () => {
  it('dlq peek shows dead jobs with their reason and consumes nothing', async () => {
    // Prepare
    const { email, ids } = await deadMail();

    // Act
    const text = await hangar('dlq', 'peek', 'email.send');
    const json = await hangar('dlq', 'peek', 'email.send', '--json');

    // Assess
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^JOB ID +NAME +ATTEMPTS +FAILED AT +MESSAGE ID +REASON$/);
    for (const id of ids) expect(text.stdout).toContain(id);
    expect(text.stdout).toContain('MESSAGE_REJECTED: rejected by the test (MESSAGE_REJECTED)');
    expect(text.stderr).toBe('3 dead message(s) shown from email-send-dlq; nothing was consumed.\n');
    const dead = JSON.parse(json.stdout) as {
      jobId: string;
      name: string;
      attempt: number;
      errorCode: string;
    }[];
    expect(dead.map((d) => d.jobId).sort()).toEqual([...ids].sort());
    expect(dead.every((d) => d.name === 'email.send' && d.attempt === 1)).toBe(true);
    expect((await bodies(email.dlqUrl)).length).toBe(3);
  });

  it('redrive --dry-run moves nothing; a selective redrive moves exactly the selection', async () => {
    // Prepare
    const { email, ids } = await deadMail();

    // Act
    const dry = await hangar('redrive', 'email.send', '--error-code', 'MESSAGE_REJECTED', '--dry-run');
    const afterDry = (await bodies(email.url)).length;
    const real = await hangar('redrive', 'email.send', '--error-code', 'MESSAGE_REJECTED');

    // Assess
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      'Dry run (email-send-dlq → email-send): would move 2, skip 1; nothing was moved.',
    );
    expect(afterDry).toBe(0);
    expect(real.code).toBe(0);
    expect(real.stdout).toBe('Redrive email-send-dlq → email-send: moved 2, skipped 1, failed 0.\n');
    const moved = await bodies(email.url);
    expect(moved.map((e) => e.jobId).sort()).toEqual([ids[0], ids[2]].sort());
    expect(moved.every((e) => e.attempt === 1)).toBe(true);
    expect((await bodies(email.dlqUrl)).map((e) => e.jobId)).toEqual([ids[1]]);
  });

  it('redrive exits 4 when its selectors match nothing, and names missing ids', async () => {
    // Prepare
    await deadMail();

    // Act
    const none = await hangar('redrive', 'email.send', '--error-code', 'NO_SUCH_CODE');
    const missing = await hangar('redrive', 'email.send', '--ids', 'not-a-job', '--json');

    // Assess
    expect(none.code).toBe(4);
    expect(none.stderr).toBe('hangar: error: No message in email-send-dlq matched\n');
    expect(missing.code).toBe(4);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      summary: { moved: 0, skipped: 3, failed: 0 },
      notFound: ['not-a-job'],
    });
  });

  it('dlq discard refuses without a terminal or --yes, then deletes only what it was told', async () => {
    // Prepare
    const { email, ids } = await deadMail();

    // Act
    const refused = await hangar('dlq', 'discard', 'email.send', '--ids', ids[1] ?? '');
    const done = await hangar('dlq', 'discard', 'email.send', '--ids', ids[1] ?? '', '--yes');

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'hangar: error: dlq discard deletes messages for good: pass --yes to confirm when no terminal is attached\n',
    );
    expect(done.code).toBe(0);
    expect(done.stdout).toBe(`Deleted 1 message(s) from email-send-dlq: ${ids[1]}\n`);
    expect((await bodies(email.dlqUrl)).map((e) => e.jobId).sort()).toEqual([ids[0], ids[2]].sort());
  });

  it('queues shows each queue and its DLQ depth', async () => {
    // Prepare
    await deadMail();

    // Act
    const run = await hangar('queues', '--json');

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      {
        job: 'email.send',
        queue: 'email-send',
        visible: 0,
        inFlight: 0,
        delayed: 0,
        dlq: 'email-send-dlq',
        dlqDepth: 3,
        oldestAgeSeconds: null,
        dlqOldestAgeSeconds: null,
        state: null,
      },
      {
        job: 'sync.run',
        queue: 'sync-run.fifo',
        visible: 0,
        inFlight: 0,
        delayed: 0,
        dlq: 'sync-run-dlq.fifo',
        dlqDepth: 0,
        oldestAgeSeconds: null,
        dlqOldestAgeSeconds: null,
        state: null,
      },
      {
        job: 'cleanup.run',
        queue: 'cleanup-run',
        visible: 0,
        inFlight: 0,
        delayed: 0,
        dlq: 'cleanup-run-dlq',
        dlqDepth: 0,
        oldestAgeSeconds: null,
        dlqOldestAgeSeconds: null,
        state: null,
      },
    ]);
  });

  it('schedules and run read the schedule group through the Scheduler API, and run puts the rendered firing on the queue', async () => {
    // Prepare: a stand-in for the local runtime's Scheduler endpoint, serving the declared cleanup schedule.
    const [cleanup] = deriveSettings(registry).job(cleanupRun.name).schedules;
    const scheduler = await startFakeApi((request) => {
      if (request.path === '/schedules') {
        const names = request.query.NamePrefix === 'cleanup-run' ? [{ Name: cleanup?.name }] : [];
        return { status: 200, body: { Schedules: names } };
      }
      return {
        status: 200,
        body: {
          Name: cleanup?.name,
          GroupName: request.query.groupName,
          ScheduleExpression: cleanup?.expression,
          ScheduleExpressionTimezone: cleanup?.timeZone,
          State: 'ENABLED',
          Target: {
            Arn: 'arn:aws:sqs:us-east-1:000000000000:cleanup-run',
            RoleArn: 'r',
            Input: cleanup?.input,
          },
        },
      };
    });
    const env = { AWS_ENDPOINT_URL_SQS: emulator.endpoint, AWS_ENDPOINT_URL_SCHEDULER: scheduler.url };

    // Act
    const list = await runHangar(['schedules'], env);
    const run = await runHangar(['run', 'cleanup-run', '--json'], env);
    await scheduler.stop();

    // Assess
    expect(list.code).toBe(0);
    expect(list.stdout).toBe(
      [
        'SCHEDULE     JOB          EXPRESSION         TIME ZONE  STATE    PAYLOAD',
        'cleanup-run  cleanup.run  cron(0 3 * * ? *)  UTC        ENABLED  {}',
        '',
      ].join('\n'),
    );
    expect(scheduler.requests.find((r) => r.path === '/schedules/cleanup-run')?.query.groupName).toBe(
      'hangar-local',
    );
    expect(run.code).toBe(0);
    const firing = JSON.parse(run.stdout) as {
      jobId: string;
      schedule: string;
      jobName: string;
      queue: string;
    };
    expect(firing).toMatchObject({ schedule: 'cleanup-run', jobName: cleanupRun.name, queue: 'cleanup-run' });
    const [envelope] = await bodies(queues.get('cleanup.run')?.url ?? '');
    expect(envelope).toMatchObject({
      jobId: firing.jobId,
      name: 'cleanup.run',
      payload: {},
      attempt: 1,
      continuation: 0,
    });
  });

  it('on Ctrl-C stops a slow redrive, gives back what it held, and exits 130', async () => {
    // Prepare: one message per 100 s, longer than any test may run.
    const RATE = 0.01;
    const { email } = await deadMail();
    const child = spawn(process.execPath, [HANGAR_BIN, 'redrive', 'email.send', '--rate', String(RATE)], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...BINARY_TEST_REGISTRY, ...environment() },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // 'close', not 'exit': the process can exit before its last output is read from the pipe.
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

    // Act: the first message goes at once, the next one not before the test would time out;
    // interrupt in between.
    await waitFor('the first message to move', async () =>
      (await bodies(email.url)).length > 0 ? true : undefined,
    );
    child.kill('SIGINT');
    const code = await exited;

    // Assess
    expect(code).toBe(130);
    expect(stdout).toBe('Redrive email-send-dlq → email-send: moved 1, skipped 2, failed 0.\n');
    expect(stderr).toContain('hangar: error: Interrupted; everything not moved is back in the DLQ.');
    expect((await bodies(email.dlqUrl)).length).toBe(2);
  });

  it('exits 3 with a hint when local SQS is not running', async () => {
    // Prepare
    const endpoint = emulator.endpoint;
    sqs.destroy();
    await emulator.stop();
    emulator = await startSqs();
    sqs = sqsClient(emulator.endpoint);

    // Act
    const run = await runHangar(['dlq', 'peek', 'email.send'], { AWS_ENDPOINT_URL_SQS: endpoint });

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`hangar: error: Cannot reach SQS at ${endpoint}; is \`npm run dev\` running?\n`);
  });

  it('redrive exits 3 before moving anything when the ledger cannot be reached, naming where it looked', async () => {
    // Prepare: nothing listens on the port the variable names.
    const { email } = await deadMail();
    await dynamo.stop();
    dynamo = await startDynamo();
    const refused = `http://127.0.0.1:${new URL(dynamo.endpoint).port}`;
    await dynamo.stop();
    dynamo = { endpoint: refused, stop: async () => undefined };

    // Act
    const run = await hangar('redrive', 'email.send');

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      new RegExp(
        `^hangar: error: Cannot reach the job ledger: table ${table.tableName} \\(${ENV_VARS.tableName}\\) at ${refused} \\(AWS_ENDPOINT_URL_DYNAMODB\\): .*ECONNREFUSED.*; is \`npm run dev\` running\\?\n$`,
      ),
    );
    expect(run.stdout).toBe('');
    expect((await bodies(email.dlqUrl)).length).toBe(3);
  });

  it('exits 3 when the queues do not exist there', async () => {
    // Prepare: a fresh emulator with no queues.
    sqs.destroy();
    await emulator.stop();
    emulator = await startSqs();
    sqs = sqsClient(emulator.endpoint);

    // Act
    const run = await hangar('redrive', 'email.send');

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('does not exist at');
  });
});

import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, regionOfApiUrl, sigV4Signer } from '../../../../cli/api-client.js';
import { NotFoundError, OperationFailedError, UnreachableError, UsageError } from '../../../../cli/errors.js';
import { runCli } from '../../../../cli/program.js';
import { IDEMPOTENT_REPLAYED_HEADER } from '../../../../lib/deploy/index.js';
import { registry } from '../../../../lib/jobs/builtin/index.js';
import { memoryIo } from '../../../helpers/cli.js';
import { type FakeResponse, type RecordedRequest, startFakeApi } from '../../../helpers/fake-api.js';

let api: Awaited<ReturnType<typeof startFakeApi>> | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

const deadRecord = {
  jobId: '01KDEAD0000000000000000000',
  name: 'email.send',
  status: 'dead',
  attempts: 1,
  claims: 1,
  continuation: 0,
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:01.000Z',
  lastError: { code: 'MESSAGE_REJECTED', message: 'Address blacklisted', at: '2026-11-23T10:00:01.000Z' },
  expiresAt: '2026-12-23T10:00:01.000Z',
};

async function hangar(args: string[], respond: (request: RecordedRequest) => FakeResponse) {
  api = await startFakeApi(respond);
  const memory = memoryIo({ HANGAR_API_URL: api.url });
  const code = await runCli(args, memory.io, { registry });
  return { code, stdout: memory.stdout(), stderr: memory.stderr(), requests: api.requests };
}

describe('Command: hangar send', () => {
  it('posts the job with its options and prints the job id', async () => {
    // Act
    const run = await hangar(
      [
        'send',
        'email.send',
        '{"to":["ada@example.com"],"subject":"Hi","text":"Hello"}',
        '--delay',
        '120',
        '--idempotency-key',
        'welcome-ada',
      ],
      () => ({
        status: 202,
        body: { jobId: '01KSENT000000000000000000', status: 'queued', runAt: '2026-11-23T10:02:00.000Z' },
      }),
    );

    // Assess
    expect(run.code).toBe(0);
    expect(run.requests).toHaveLength(1);
    expect(run.requests[0]).toMatchObject({ method: 'POST', path: '/jobs' });
    expect(run.requests[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(run.requests[0]?.body ?? '')).toEqual({
      name: 'email.send',
      payload: { to: ['ada@example.com'], subject: 'Hi', text: 'Hello' },
      delaySeconds: 120,
      idempotencyKey: 'welcome-ada',
    });
    expect(run.stdout).toBe(
      'Accepted job 01KSENT000000000000000000 (email.send): queued, runs at 2026-11-23T10:02:00.000Z\n',
    );
  });

  it('says so when the idempotency key answered with an earlier job', async () => {
    // Act
    const run = await hangar(
      ['send', 'email.send', '{"to":["a@b.co"],"subject":"s","text":"t"}', '--idempotency-key', 'k-1'],
      () => ({
        status: 202,
        body: { jobId: '01KFIRST00000000000000000', status: 'succeeded' },
        headers: { [IDEMPOTENT_REPLAYED_HEADER]: 'true' },
      }),
    );

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'Job 01KFIRST00000000000000000 (email.send) already has idempotency key "k-1": succeeded; nothing was sent\n',
    );
  });

  it.each([
    [['send', 'email.nope', '{}'], 'Unknown job "email.nope"; jobs: email.send, sync.run, cleanup.run'],
    [['send', 'email.send', '{"to":'], 'the payload argument is not JSON'],
    [['send', 'email.send', '@/no/such/file.json'], 'Cannot read payload file "/no/such/file.json"'],
    [
      ['send', 'email.send', '{"to":[],"subject":"s","text":"t"}'],
      'Invalid payload for email.send: payload.to',
    ],
    [
      [
        'send',
        'email.send',
        '{"to":["a@b.co"],"subject":"s","text":"t"}',
        '--delay',
        '5',
        '--run-at',
        '2026-11-23T10:00:00Z',
      ],
      'Give --delay or --run-at, not both',
    ],
    [
      ['send', 'email.send', '{"to":["a@b.co"],"subject":"s","text":"t"}', '--delay', 'soon'],
      '--delay must be a whole number',
    ],
  ])('exits 2 without calling the API for %j', async (args, message) => {
    // Act
    const run = await hangar(args, () => ({ status: 500 }));

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.requests).toEqual([]);
  });

  it("maps the API's 400 to exit 2 with the field details", async () => {
    // Act
    const run = await hangar(['send', 'email.send', '{"to":["a@b.co"],"subject":"s","text":"t"}'], () => ({
      status: 400,
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'Invalid job',
          details: [{ path: 'payload.to.0', message: 'Invalid email' }],
        },
      },
    }));

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'hangar: error: Invalid job\n  payload.to.0: Invalid email (HTTP 400 VALIDATION_FAILED)\n',
    );
  });
});

describe('Command: hangar status', () => {
  it("prints the job's ledger record", async () => {
    // Act
    const run = await hangar(['status', deadRecord.jobId], () => ({ status: 200, body: deadRecord }));

    // Assess
    expect(run.code).toBe(0);
    expect(run.requests[0]).toMatchObject({ method: 'GET', path: `/jobs/${deadRecord.jobId}` });
    expect(run.stdout).toBe(
      [
        `Job ${deadRecord.jobId}`,
        '  name          email.send',
        '  status        dead',
        '  attempts      1',
        '  created       2026-11-23T10:00:00.000Z',
        '  updated       2026-11-23T10:00:01.000Z',
        '  last error    MESSAGE_REJECTED: Address blacklisted (at 2026-11-23T10:00:01.000Z)',
        '',
      ].join('\n'),
    );
  });

  it('prints the record as JSON with --json', async () => {
    // Act
    const run = await hangar(['status', deadRecord.jobId, '--json'], () => ({
      status: 200,
      body: deadRecord,
    }));

    // Assess
    expect(JSON.parse(run.stdout)).toEqual(deadRecord);
  });

  it('exits 4 for an unknown job id', async () => {
    // Act
    const run = await hangar(['status', 'nope'], () => ({
      status: 404,
      body: { error: { code: 'JOB_NOT_FOUND', message: 'No job "nope"' } },
    }));

    // Assess
    expect(run.code).toBe(4);
    expect(run.stderr).toBe('hangar: error: No job "nope" (HTTP 404 JOB_NOT_FOUND)\n');
  });
});

describe('Command: hangar cancel', () => {
  it('deletes the job and prints its new status', async () => {
    // Act
    const run = await hangar(['cancel', 'j1'], () => ({
      status: 200,
      body: { ...deadRecord, jobId: 'j1', status: 'cancelled' },
    }));

    // Assess
    expect(run.requests[0]).toMatchObject({ method: 'DELETE', path: '/jobs/j1' });
    expect(run.stdout).toBe('Cancelled job j1 (email.send): cancelled\n');
    expect(run.code).toBe(0);
  });

  it('exits 1 when the job already started', async () => {
    // Act
    const run = await hangar(['cancel', 'j1'], () => ({
      status: 409,
      body: { error: { code: 'JOB_ALREADY_STARTED', message: 'Job "j1" is running' } },
    }));

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Job "j1" is running (HTTP 409 JOB_ALREADY_STARTED)');
  });
});

describe('Command: hangar jobs', () => {
  it('passes the filters as query parameters, prints a table and the next-page hint', async () => {
    // Act
    const run = await hangar(['jobs', '--status', 'dead', '--name', 'email.send', '--limit', '1'], () => ({
      status: 200,
      body: { jobs: [deadRecord], cursor: 'abc' },
    }));

    // Assess
    expect(run.requests[0]).toMatchObject({
      method: 'GET',
      path: '/jobs',
      query: { status: 'dead', name: 'email.send', limit: '1' },
    });
    expect(run.stdout).toBe(
      [
        'JOB ID                      NAME        STATUS  ATTEMPTS  UPDATED                   LAST ERROR',
        `${deadRecord.jobId}  email.send  dead    1         2026-11-23T10:00:01.000Z  MESSAGE_REJECTED: Address blacklisted`,
        '',
      ].join('\n'),
    );
    expect(run.stderr).toBe('More: hangar jobs --status dead --name email.send --limit 1 --cursor abc\n');
  });

  it.each([
    [
      ['jobs', '--status', 'lost'],
      '--status must be one of scheduled, queued, running, succeeded, retrying, dead, cancelled',
    ],
    [['jobs', '--name', 'nope'], 'Unknown job "nope"'],
    [['jobs', '--limit', '0'], '--limit must be a whole number from 1 to 100'],
  ])('exits 2 for %j', async (args, message) => {
    // Act
    const run = await hangar(args, () => ({ status: 500 }));

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.requests).toEqual([]);
  });
});

describe('Class: ApiClient', () => {
  it('maps each kind of answer to its error class', async () => {
    // Prepare
    const answers: FakeResponse[] = [
      { status: 413, body: { error: { code: 'TOO_LARGE', message: 'too large' } } },
      { status: 404, body: { error: { code: 'NOT_FOUND', message: 'gone' } } },
      { status: 409, body: { error: { code: 'CONFLICT', message: 'conflict' } } },
      { status: 403, body: { message: 'Forbidden' } },
      { status: 502, body: { message: 'Bad gateway' } },
    ];
    api = await startFakeApi(() => answers.shift() ?? { status: 500 });
    const client = new ApiClient({ baseUrl: api.url });

    // Act + Assess
    await expect(client.get('a')).rejects.toThrow(UsageError);
    await expect(client.get('a')).rejects.toThrow(NotFoundError);
    await expect(client.get('a')).rejects.toThrow(OperationFailedError);
    await expect(client.get('a')).rejects.toThrow(UnreachableError);
    await expect(client.get('a')).rejects.toThrow(OperationFailedError);
  });

  it('says where it tried and what to check when nothing listens', async () => {
    // Prepare: a port that was just free.
    api = await startFakeApi(() => ({ status: 200 }));
    const url = api.url;
    await api.stop();
    api = undefined;
    const memory = memoryIo({ HANGAR_API_URL: url });

    // Act
    const code = await runCli(['status', 'x'], memory.io, { registry });

    // Assess
    expect(code).toBe(3);
    expect(memory.stderr()).toBe(
      `hangar: error: Cannot reach the Hangar API at ${url}/ (connect ECONNREFUSED ${url.slice(7)}); is \`npm run dev\` running? (HANGAR_API_URL)\n`,
    );
  });

  it('signs requests with SigV4 for execute-api, verifiably', async () => {
    // Prepare
    const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
    api = await startFakeApi(() => ({ status: 202, body: { jobId: 'j', status: 'queued' } }));
    const client = new ApiClient({
      baseUrl: api.url,
      signer: sigV4Signer({ region: 'eu-west-1', credentials }),
    });

    // Act
    await client.send({ name: 'email.send', payload: { a: 1 } });

    // Assess: re-sign what the server received with the same key and time; the signatures agree.
    const received = api.requests[0];
    const amzDate = String(received?.headers['x-amz-date']);
    expect(String(received?.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=.*host.*, Signature=[0-9a-f]{64}$/,
    );
    const signer = new SignatureV4({
      service: 'execute-api',
      region: 'eu-west-1',
      credentials,
      sha256: Sha256,
    });
    const signedHeaders =
      /SignedHeaders=([^,]+)/.exec(String(received?.headers.authorization))?.[1]?.split(';') ?? [];
    const expected = await signer.sign(
      {
        method: received?.method ?? '',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: api.port,
        path: received?.path ?? '',
        query: received?.query ?? {},
        headers: Object.fromEntries(signedHeaders.map((h) => [h, String(received?.headers[h])])),
        body: received?.body,
      },
      {
        signingDate: new Date(
          `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
        ),
      },
    );
    expect(received?.headers.authorization).toBe(expected.headers.authorization);
  });

  it("keeps a stage's base path and encodes the job id", async () => {
    // Prepare
    api = await startFakeApi(() => ({ status: 200, body: deadRecord }));
    const client = new ApiClient({ baseUrl: `${api.url}/prod` });

    // Act
    await client.get('a/b c');

    // Assess
    expect(api.requests[0]?.path).toBe('/prod/jobs/a%2Fb%20c');
  });

  it('reads the region of an API Gateway URL', () => {
    expect(regionOfApiUrl('https://abc123.execute-api.eu-west-1.amazonaws.com/')).toBe('eu-west-1');
    expect(regionOfApiUrl('http://127.0.0.1:3000')).toBeUndefined();
  });
});

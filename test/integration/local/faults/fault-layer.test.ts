import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig } from '../../../../lib/config/aws-client.js';
import { DynamoJobLedger } from '../../../../lib/ledger/index.js';
import {
  type Emulator,
  startDynamoEmulator,
  startSesEmulator,
  startSqsEmulator,
} from '../../../../local/emulators.js';
import { type FaultLayer, startFaultLayer } from '../../../../local/faults/fault-layer.js';
import type { FaultKind, FaultService, Injection } from '../../../../local/faults/fault-plan.js';
import { isLedgerWrite, ledgerWriteOf } from '../../../../local/faults/ledger-write.js';
import { createLedgerTable } from '../../../helpers/dynamodb.js';
import { noteJob, orderJob } from '../../../helpers/jobs.js';
import { createTestQueues, queueDepth } from '../../../helpers/queues.js';
import { LOCAL_AWS } from '../../../helpers/sqs.js';
import { waitFor } from '../../../helpers/wait.js';

let emulators: Record<FaultService, Emulator>;
let layer: FaultLayer;
let direct: { sqs: SQSClient; dynamodb: DynamoDBClient };
const injections: Injection[] = [];
const created: { destroy(): void }[] = [];

beforeAll(async () => {
  const [sqs, dynamodb, ses] = await Promise.all([
    startSqsEmulator(0),
    startDynamoEmulator(0),
    startSesEmulator(0),
  ]);
  emulators = { sqs, dynamodb, ses };
  direct = {
    sqs: new SQSClient({ ...LOCAL_AWS, endpoint: sqs.url }),
    dynamodb: new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamodb.url }),
  };
  layer = await startFaultLayer(
    { seed: 7, rules: [], onInjection: (injection) => injections.push(injection) },
    { sqs: sqs.url, dynamodb: dynamodb.url, ses: ses.url },
  );
  layer.arm();
});
afterEach(() => {
  layer.setRules([]);
  injections.splice(0);
  for (const client of created.splice(0)) client.destroy();
});
afterAll(async () => {
  await layer.stop();
  direct.sqs.destroy();
  direct.dynamodb.destroy();
  await Promise.all(Object.values(emulators).map((emulator) => emulator.stop()));
});

/** A client through the fault layer, configured as the functions' clients are, with `attempts`. */
function through<C extends { destroy(): void }>(
  Client: new (config: object) => C,
  service: FaultService,
  attempts: number,
  requestTimeoutMs?: number,
): C {
  const config = awsClientConfig();
  const client = new Client({
    ...config,
    ...(requestTimeoutMs === undefined
      ? {}
      : { requestHandler: { ...config.requestHandler, requestTimeout: requestTimeoutMs } }),
    maxAttempts: attempts,
    ...LOCAL_AWS,
    endpoint: layer.endpoints[service],
  });
  created.push(client);
  return client;
}

const sendNote = (client: SQSClient, queueUrl: string) =>
  client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' }));

describe('Fault layer', () => {
  describe.each([
    ['sqs', 'error500', 'InternalFailure', 500],
    ['sqs', 'error503', 'ServiceUnavailable', 503],
    ['sqs', 'throttling', 'RequestThrottled', 403],
    ['dynamodb', 'error500', 'InternalServerError', 500],
    ['dynamodb', 'error503', 'ServiceUnavailable', 503],
    ['dynamodb', 'throttling', 'ProvisionedThroughputExceededException', 400],
    ['ses', 'error500', 'InternalFailure', 500],
    ['ses', 'error503', 'ServiceUnavailable', 503],
    ['ses', 'throttling', 'Throttling', 400],
  ] as const)('%s %s', (service, kind, name, status) => {
    it(`answers ${name} (${status}) as the SDK reads it, and the SDK retries it`, async () => {
      // Prepare: one fault of this kind, for the one operation called.
      const queues = service === 'sqs' ? await createTestQueues(direct.sqs, noteJob()) : undefined;
      const table = service === 'dynamodb' ? await createLedgerTable(direct.dynamodb) : undefined;
      const act = (attempts: number) => {
        switch (service) {
          case 'sqs':
            return through(SQSClient, service, attempts).send(
              new SendMessageCommand({ QueueUrl: queues?.url, MessageBody: 'hello' }),
            );
          case 'dynamodb':
            return through(DynamoDBClient, service, attempts).send(
              new PutItemCommand({ TableName: table?.tableName, Item: { pk: { S: 'a' }, sk: { S: 'b' } } }),
            );
          case 'ses':
            return through(SESClient, service, attempts).send(
              new SendEmailCommand({
                Source: 'hangar@example.com',
                Destination: { ToAddresses: ['ada@example.com'] },
                Message: { Subject: { Data: 'hi' }, Body: { Text: { Data: 'hello' } } },
              }),
            );
        }
      };
      const rule = { service, rate: 1, kinds: [kind], limit: 1 } as const;
      layer.setRules([rule]);

      // Act: once with no retry, once with one.
      const failure = await act(1).catch((error: unknown) => error);
      layer.setRules([rule]);
      const retried = await act(2);

      // Assess
      expect(failure).toMatchObject({ name, $metadata: { httpStatusCode: status } });
      expect(retried.$metadata.attempts).toBe(2);
      await queues?.remove();
      await table?.drop();
    });
  });

  it("fails every attempt the SDK makes of a call decided to fail, with per: 'call'", async () => {
    // Prepare
    const queues = await createTestQueues(direct.sqs, noteJob());
    layer.setRules([
      { service: 'sqs', operation: 'SendMessage', rate: 1, kinds: ['error503'], per: 'call', limit: 1 },
    ]);

    // Act: the first call fails through its three attempts; the next one is not decided to fail.
    const failure = await sendNote(through(SQSClient, 'sqs', 3), queues.url).catch((error: unknown) => error);
    const next = await sendNote(through(SQSClient, 'sqs', 3), queues.url);

    // Assess
    expect(failure).toMatchObject({ name: 'ServiceUnavailable', $metadata: { attempts: 3 } });
    expect(next.$metadata.attempts).toBe(1);
    expect(injections.map((i) => i.kind)).toEqual(['error503', 'error503', 'error503']);
    await queues.remove();
  });

  it('drops a connection before the call reaches the emulator', async () => {
    // Prepare
    const queues = await createTestQueues(direct.sqs, noteJob());
    layer.setRules([{ service: 'sqs', operation: 'SendMessage', rate: 1, kinds: ['dropped'] }]);

    // Act
    const failure = await sendNote(through(SQSClient, 'sqs', 1), queues.url).catch((e: unknown) => e);

    // Assess: the SDK sees a reset connection; nothing was sent.
    expect(failure).toMatchObject({ code: 'ECONNRESET' });
    expect(await queueDepth(direct.sqs, queues.url)).toBe(0);
    expect(injections.map((i) => i.kind)).toEqual(['dropped']);
    await queues.remove();
  });

  it('carries a call out and loses its answer: the SDK retries, and the message is sent twice', async () => {
    // Prepare
    const queues = await createTestQueues(direct.sqs, noteJob());
    layer.setRules([{ service: 'sqs', operation: 'SendMessage', rate: 1, kinds: ['answerLost'], limit: 1 }]);

    // Act
    const sent = await sendNote(through(SQSClient, 'sqs', 2), queues.url);

    // Assess: what the emulator answered the lost attempt is reported with the injection.
    expect(sent.$metadata.attempts).toBe(2);
    expect(await queueDepth(direct.sqs, queues.url)).toBe(2);
    expect(injections).toHaveLength(1);
    expect(JSON.parse(injections[0]?.answerBody ?? '{}')).toHaveProperty('MessageId');
    await queues.remove();
  });

  it("carries a call out and holds its answer until the client's request timeout gives up", async () => {
    // Prepare: a hold limit far beyond the client's own timeout; only the client ends the wait.
    const queues = await createTestQueues(direct.sqs, noteJob());
    layer.setRules([{ service: 'sqs', operation: 'SendMessage', rate: 1, kinds: ['timeout'] }]);

    // Act
    const failure = await sendNote(through(SQSClient, 'sqs', 1, 300), queues.url).catch(
      (error: unknown) => error,
    );

    // Assess: the emulator's answer arrives (and is reported) whenever the emulator gets to it.
    await waitFor('the held call to be carried out', () => (injections.length > 0 ? true : undefined));
    expect(failure).toMatchObject({
      name: 'TimeoutError',
      message:
        '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 300 ms requestTimeout.',
    });
    expect(await queueDepth(direct.sqs, queues.url)).toBe(1);
    expect(injections.map((i) => i.kind)).toEqual(['timeout']);
    await queues.remove();
  });

  it('fails the calls of FIFO queues too: send, receive, change visibility, delete', async () => {
    // Prepare: every call of the FIFO flow fails once with a 500; the clients retry once.
    const queues = await createTestQueues(direct.sqs, orderJob());
    const kinds: FaultKind[] = ['error500'];
    layer.setRules(
      ['SendMessage', 'ReceiveMessage', 'ChangeMessageVisibility', 'DeleteMessage'].map((operation) => ({
        service: 'sqs' as const,
        operation,
        rate: 1,
        kinds,
        limit: 1,
      })),
    );
    const sqs = through(SQSClient, 'sqs', 2);
    const before = layer.counts().sqs;

    // Act
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.url,
        MessageBody: 'order',
        MessageGroupId: 'customer-1',
        MessageDeduplicationId: 'order-1',
      }),
    );
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.url, WaitTimeSeconds: 1 }));
    const handle = received.Messages?.[0]?.ReceiptHandle;
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queues.url,
        ReceiptHandle: handle,
        VisibilityTimeout: 30,
      }),
    );
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queues.url, ReceiptHandle: handle }));

    // Assess
    expect(received.Messages?.map((m) => m.Body)).toEqual(['order']);
    expect(await queueDepth(direct.sqs, queues.url)).toBe(0);
    const after = layer.counts().sqs;
    for (const operation of ['SendMessage', 'ReceiveMessage', 'ChangeMessageVisibility', 'DeleteMessage']) {
      const requests = (after[operation]?.requests ?? 0) - (before[operation]?.requests ?? 0);
      const failed = (after[operation]?.error500 ?? 0) - (before[operation]?.error500 ?? 0);
      expect({ operation, requests, failed }).toEqual({ operation, requests: 2, failed: 1 });
    }
    await queues.remove();
  });

  it("names its own address in the queue URLs it answers with, so the SDK's next call comes back to it", async () => {
    // Prepare
    const queues = await createTestQueues(direct.sqs, noteJob());
    const name = queues.url.slice(queues.url.lastIndexOf('/') + 1);

    // Act
    const looked = await through(SQSClient, 'sqs', 1).send(new GetQueueUrlCommand({ QueueName: name }));

    // Assess
    expect(looked.QueueUrl).toBe(`${layer.endpoints.sqs}/000000000000/${name}`);
    await queues.remove();
  });

  it('gives the same faults to the same calls from the same seed', async () => {
    // Prepare: a second layer with the same seed over the same emulators.
    const table = await createLedgerTable(direct.dynamodb);
    const twin = await startFaultLayer(
      { seed: 7, rules: [{ rate: 0.3, kinds: ['error500', 'throttling'] }] },
      { sqs: emulators.sqs.url, dynamodb: emulators.dynamodb.url, ses: emulators.ses.url },
    );
    twin.arm();
    layer.setRules([{ rate: 0.3, kinds: ['error500', 'throttling'] }]);
    const run = async (endpoint: string) => {
      const client = new DynamoDBClient({ ...awsClientConfig(), maxAttempts: 1, ...LOCAL_AWS, endpoint });
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) {
        const key = { pk: { S: `job#${i}` }, sk: { S: 'job' } };
        outcomes.push(
          await client.send(new GetItemCommand({ TableName: table.tableName, Key: key })).then(
            () => 'ok',
            (error: Error) => error.name,
          ),
        );
      }
      client.destroy();
      return outcomes;
    };

    // Act
    const first = await run(layer.endpoints.dynamodb);
    const second = await run(twin.endpoints.dynamodb);
    await twin.stop();

    // Assess
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(
      new Set(['ok', 'InternalServerError', 'ProvisionedThroughputExceededException']),
    );
    await table.drop();
  });

  it("fails one of the ledger's writes and no other, told apart by the status it sets", async () => {
    // Prepare: the real ledger through the layer; its succeed write always fails.
    const table = await createLedgerTable(direct.dynamodb);
    layer.setRules([
      {
        service: 'dynamodb',
        operation: 'UpdateItem',
        match: isLedgerWrite('succeed'),
        rate: 1,
        kinds: ['error500'],
      },
    ]);
    const ledger = new DynamoJobLedger({
      tableName: table.tableName,
      client: through(DynamoDBClient, 'dynamodb', 1),
    });
    const ref = {
      jobId: '01KAJOB0000000000000000001',
      jobName: 'test.note',
      attempt: 1,
      continuation: 0,
      enqueuedAt: '2026-11-23T09:59:00.000Z',
      messageId: 'm-1',
      leaseMs: 10_000,
    };

    // Act
    const claim = await ledger.claim(ref);
    const token = claim.outcome === 'claimed' ? claim.token : '';
    const succeed = await ledger.succeed(ref, token, { ok: true }).catch((error: unknown) => error);
    await ledger.fail(ref, token, {
      status: 'retrying',
      errorCode: 'E',
      errorMessage: 'm',
      retryAt: '2026-11-23T10:00:00Z',
    });

    // Assess
    expect(claim.outcome).toBe('claimed');
    expect(succeed).toMatchObject({ name: 'InternalServerError' });
    expect((await ledger.getJob(ref.jobId))?.status).toBe('retrying');
    expect(injections.map((i) => ledgerWriteOf(i.requestBody))).toEqual(['succeed']);
    await table.drop();
  });

  it('lets calls pass untouched and uncounted until it is armed', async () => {
    // Prepare
    const idle = await startFaultLayer(
      { seed: 1, rules: [{ rate: 1 }] },
      { sqs: emulators.sqs.url, dynamodb: emulators.dynamodb.url, ses: emulators.ses.url },
    );
    const client = new DynamoDBClient({
      ...awsClientConfig(),
      ...LOCAL_AWS,
      endpoint: idle.endpoints.dynamodb,
    });
    const table = await createLedgerTable(direct.dynamodb);

    // Act
    const described = await client.send(new DescribeTableCommand({ TableName: table.tableName }));

    // Assess
    expect(described.Table?.TableName).toBe(table.tableName);
    expect(idle.totals().requests).toBe(0);
    client.destroy();
    await idle.stop();
    await table.drop();
  });
});

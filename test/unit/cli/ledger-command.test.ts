import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../../cli/errors.js';
import { runCli } from '../../../cli/program.js';
import type { Target } from '../../../cli/target.js';
import { LEDGER_INDEX_STEPS } from '../../../lib/deploy/index.js';
import { DynamoJobLedger } from '../../../lib/ledger/index.js';
import { memoryIo } from '../../helpers/cli.js';

const ddbMock = mockClient(DynamoDBDocumentClient);
afterEach(() => ddbMock.reset());

/** Runs `hangar ledger migrate` in-process against a target whose ledger DynamoDB is mocked. */
async function migrate(...flags: string[]) {
  const memory = memoryIo({});
  const ledger = new DynamoJobLedger({
    tableName: 'ledger',
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
  });
  const target = { label: 'stage test', ledger, destroy: () => {} } as Pick<
    Target,
    'label' | 'ledger' | 'destroy'
  >;
  const code = await runCli(['ledger', 'migrate', ...flags], memory.io, {
    resolveTarget: async () => target as Target,
  });
  return { code, stdout: memory.stdout(), stderr: memory.stderr() };
}

describe('Command: hangar ledger migrate', () => {
  it('gives each old job record its status partition through the legacy status index', async () => {
    // Prepare: one old dead record; every other status partition is empty.
    ddbMock.on(QueryCommand).resolves({ Items: [] });
    ddbMock
      .on(QueryCommand, { ExpressionAttributeValues: { ':v0': 'dead' } })
      .resolves({ Items: [{ pk: 'job#a', sk: 'job', status: 'dead' }] });
    ddbMock.on(UpdateCommand).resolves({});

    // Act
    const run = await migrate('--json');

    // Assess
    expect(run.code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(run.stdout)).toEqual({ updated: 1, skipped: 0 });
    expect(ddbMock.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      IndexName: 'by-status',
      FilterExpression: 'attribute_not_exists(#shelf)',
    });
    expect(ddbMock.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      Key: { pk: 'job#a', sk: 'job' },
      UpdateExpression: 'SET #shelf = :v0',
      ExpressionAttributeValues: { ':v0': 'dead', ':v1': 'dead' },
    });
  });

  it('says which step to run it at when the legacy status index is gone', async () => {
    // Prepare
    const gone = new Error('The table does not have the specified index: by-status');
    gone.name = 'ValidationException';
    ddbMock.on(QueryCommand).rejects(gone);

    // Act
    const run = await migrate();

    // Assess
    expect(run.code).toBe(EXIT_CODES.failed);
    const lastLegacyStep = LEDGER_INDEX_STEPS.filter((step) => step.reads === 'legacy').at(-1)?.step;
    expect(run.stderr).toContain(
      `The ledger table has no index "by-status" to migrate from: run this after step ${lastLegacyStep} of the deploy sequence (ledgerIndexStep), before the next one`,
    );
  });
});

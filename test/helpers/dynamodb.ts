import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { TABLE_SPEC, type TableSpec } from '../../lib/deploy/index.js';
import { LOCAL_AWS } from './sqs.js';

/** An embedded, in-memory dynalite on a free loopback port; tables are ACTIVE at once. */
export async function startDynamo() {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

export function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ ...LOCAL_AWS, endpoint });
}

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * A fresh ledger table, created from TABLE_SPEC (keys, indexes, projections) as the stack and the
 * local runtime create it — or with the indexes of a step of `LEDGER_INDEX_STEPS`; returns its
 * name and a function that deletes it.
 */
export async function createLedgerTable(
  client: DynamoDBClient,
  indexSpecs: TableSpec['indexes'] = TABLE_SPEC.indexes,
) {
  const tableName = `ledger-${randomUUID()}`;
  const attributes = new Map<string, 'S' | 'N'>();
  const keySchema = (spec: {
    partitionKey: { name: string; type: 'S' | 'N' };
    sortKey: { name: string; type: 'S' | 'N' };
  }): KeySchemaElement[] => {
    attributes.set(spec.partitionKey.name, spec.partitionKey.type);
    attributes.set(spec.sortKey.name, spec.sortKey.type);
    return [
      { AttributeName: spec.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: spec.sortKey.name, KeyType: 'RANGE' },
    ];
  };
  const tableKeys = keySchema(TABLE_SPEC);
  const indexes = indexSpecs.map((index) => ({
    IndexName: index.name,
    KeySchema: keySchema(index),
    Projection: { ProjectionType: index.projection },
  }));
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: TABLE_SPEC.billingMode,
      KeySchema: tableKeys,
      AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
        AttributeName,
        AttributeType,
      })),
      GlobalSecondaryIndexes: indexes,
    }),
  );
  return {
    tableName,
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
    },
  };
}

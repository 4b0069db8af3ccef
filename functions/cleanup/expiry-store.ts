/** Reads expired records through the `by-expiry` index and deletes them in batches. */
import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_ATTRIBUTES as A, indexLayout, type LedgerIndexSet } from '../../lib/ledger/table.js';
import { backoffDelay } from '../../lib/retry/backoff.js';

export type RecordKey = Readonly<Record<string, string>>;

export interface ExpiredPage {
  readonly keys: readonly RecordKey[];
  /** Where the next page starts; undefined after the last one. */
  readonly next: Record<string, unknown> | undefined;
}

export interface ExpiryStore {
  /** Records of `kind` whose `expiresAt` (epoch seconds) is at or before `cutoff`. */
  expired(
    kind: string,
    cutoff: number,
    limit: number,
    start: Record<string, unknown> | undefined,
  ): Promise<ExpiredPage>;
  delete(keys: readonly RecordKey[]): Promise<void>;
}

const BATCH_WRITE_LIMIT = 25;
const UNPROCESSED_ROUNDS = 8;

export class DynamoExpiryStore implements ExpiryStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #indexName: string;

  /** @param options.indexes the ledger's index set (`current` unless a stage is migrating). */
  constructor(options: { doc: DynamoDBDocumentClient; tableName: string; indexes?: LedgerIndexSet }) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
    this.#indexName = indexLayout(options.indexes ?? 'current').byExpiry.name;
  }

  async expired(
    kind: string,
    cutoff: number,
    limit: number,
    start: Record<string, unknown> | undefined,
  ): Promise<ExpiredPage> {
    const out = await this.#doc.send(
      new QueryCommand({
        TableName: this.#tableName,
        IndexName: this.#indexName,
        KeyConditionExpression: '#kind = :kind AND #expiresAt <= :cutoff',
        ExpressionAttributeNames: {
          '#kind': A.kind,
          '#expiresAt': A.expiresAt,
          '#pk': A.partitionKey,
          '#sk': A.sortKey,
        },
        ExpressionAttributeValues: { ':kind': kind, ':cutoff': cutoff },
        ProjectionExpression: '#pk, #sk',
        Limit: limit,
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      }),
    );
    const keys = (out.Items ?? []).map((item) => ({
      [A.partitionKey]: String(item[A.partitionKey]),
      [A.sortKey]: String(item[A.sortKey]),
    }));
    return { keys, next: out.LastEvaluatedKey };
  }

  async delete(keys: readonly RecordKey[]): Promise<void> {
    for (let i = 0; i < keys.length; i += BATCH_WRITE_LIMIT) {
      let pending: unknown[] = keys
        .slice(i, i + BATCH_WRITE_LIMIT)
        .map((Key) => ({ DeleteRequest: { Key } }));
      for (let round = 1; pending.length > 0; round++) {
        const out = await this.#doc.send(
          new BatchWriteCommand({
            RequestItems: { [this.#tableName]: pending as { DeleteRequest: { Key: RecordKey } }[] },
          }),
        );
        pending = out.UnprocessedItems?.[this.#tableName] ?? [];
        if (pending.length === 0) break;
        if (round >= UNPROCESSED_ROUNDS)
          throw new Error(`DynamoDB left ${pending.length} delete(s) unprocessed after ${round} rounds`);
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(round, 50, 2_000)));
      }
    }
  }
}

/**
 * The ledger's one table as its writes see it: conditional puts, updates and deletes that answer
 * whether the condition held (instead of throwing), strongly consistent reads, the clock, and the
 * expiry every write refreshes. Every module of the ledger goes through it.
 */
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { backoffDelay } from '../retry/backoff.js';
import type { Expression } from './expressions.js';
import { epochSeconds, type RecordKey, type StoredItem } from './records.js';

/** Rounds of asking again for the keys a BatchGetItem left unprocessed (throttling). */
const BATCH_GET_ROUNDS = 8;

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

export class RecordTable {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #retentionSeconds: number;
  readonly now: () => Date;

  constructor(options: {
    readonly client: DynamoDBDocumentClient;
    readonly tableName: string;
    readonly retentionSeconds: number;
    readonly now: () => Date;
  }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#retentionSeconds = options.retentionSeconds;
    this.now = options.now;
  }

  /**
   * The `expiresAt` of a job record written at `from`. Creation, failures, continuations, cancels
   * and redrives start the retention again; a claim and a success, which follow one of those within
   * an attempt's timeout, keep it (the expiry index's key then stays put).
   */
  expiry(from: Date): number {
    return epochSeconds(from) + this.#retentionSeconds;
  }

  /** One conditional update; false when the condition did not hold. */
  async update(key: RecordKey, e: Expression, condition: string): Promise<boolean> {
    return (await this.#update(key, e, condition, 'NONE')) !== undefined;
  }

  /** One conditional update returning the item as written; undefined when the condition did not hold. */
  updateReturning(key: RecordKey, e: Expression, condition: string): Promise<StoredItem | undefined> {
    return this.#update(key, e, condition, 'ALL_NEW');
  }

  async #update(
    key: RecordKey,
    e: Expression,
    condition: string,
    returnValues: 'NONE' | 'ALL_NEW',
  ): Promise<StoredItem | undefined> {
    try {
      const out = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: key,
          UpdateExpression: e.updateExpression(),
          ConditionExpression: condition,
          ...(returnValues === 'NONE' ? {} : { ReturnValues: returnValues }),
          ...e.attributes(),
        }),
      );
      return out.Attributes ?? {};
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** One conditional put; false when the condition did not hold. */
  async put(item: Record<string, unknown>, condition: string, e: Expression): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: item,
          ConditionExpression: condition,
          ...e.attributes(),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** One conditional delete; false when the condition did not hold. */
  async delete(key: RecordKey, e: Expression, condition: string): Promise<boolean> {
    try {
      await this.#client.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: key,
          ConditionExpression: condition,
          ...e.attributes(),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async get(key: RecordKey): Promise<StoredItem | undefined> {
    const out = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }

  /**
   * The records of `keys` (at most 100), eventually consistent (listings read an index that lags
   * anyway); keys without a record are left out. Keys DynamoDB leaves unprocessed are asked again.
   */
  async getMany(keys: readonly RecordKey[]): Promise<StoredItem[]> {
    const items: StoredItem[] = [];
    let pending: RecordKey[] = [...keys];
    if (pending.length === 0) return items;
    for (let round = 1; pending.length > 0; round++) {
      const out = await this.#client.send(
        new BatchGetCommand({ RequestItems: { [this.#tableName]: { Keys: pending } } }),
      );
      items.push(...(out.Responses?.[this.#tableName] ?? []));
      pending = (out.UnprocessedKeys?.[this.#tableName]?.Keys ?? []) as RecordKey[];
      if (pending.length > 0 && round >= BATCH_GET_ROUNDS) {
        throw new Error(`DynamoDB left ${pending.length} read(s) unprocessed after ${round} rounds`);
      }
      if (pending.length > 0)
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(round, 50, 2_000)));
    }
    return items;
  }

  query(input: Omit<QueryCommandInput, 'TableName'>): Promise<QueryCommandOutput> {
    return this.#client.send(new QueryCommand({ ...input, TableName: this.#tableName }));
  }
}

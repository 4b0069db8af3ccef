/**
 * Where a sync writes: items (one record per source item, upserted) and the sync's state (its
 * cursor, saved after every page), both in the ledger table.
 */
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { SYNC_ITEM_KIND } from '../../lib/jobs/builtin/index.js';
import { TABLE_ATTRIBUTES as A } from '../../lib/ledger/table.js';
import { backoffDelay } from '../../lib/retry/backoff.js';
import type { SyncItem } from './source.js';

export interface SyncState {
  /** The job that wrote this state; a later sync of the source starts afresh. */
  readonly jobId: string;
  /** Where the next page starts; null once the last page is stored. */
  readonly cursor: string | null;
  readonly pages: number;
  readonly items: number;
  readonly completed: boolean;
  readonly updatedAt: string;
}

export interface SyncStore {
  upsertItems(
    sourceId: string,
    items: readonly SyncItem[],
    seenAt: Date,
    staleAfterDays: number,
  ): Promise<void>;
  loadState(sourceId: string): Promise<SyncState | undefined>;
  saveState(sourceId: string, state: SyncState): Promise<void>;
}

/** DynamoDB allows 25 writes per BatchWriteItem. */
const BATCH_WRITE_LIMIT = 25;
/** Rounds of re-sending the items DynamoDB left unprocessed (throttling) before giving up. */
const UNPROCESSED_ROUNDS = 8;

export const itemKey = (sourceId: string, itemId: string) => ({
  [A.partitionKey]: `item#${sourceId}`,
  [A.sortKey]: itemId,
});
export const syncStateKey = (sourceId: string) => ({
  [A.partitionKey]: `sync#${sourceId}`,
  [A.sortKey]: 'state',
});

export class DynamoSyncStore implements SyncStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: {
    doc: DynamoDBDocumentClient;
    tableName: string;
    sleep?: (ms: number) => Promise<void>;
  }) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async upsertItems(
    sourceId: string,
    items: readonly SyncItem[],
    seenAt: Date,
    staleAfterDays: number,
  ): Promise<void> {
    const expiresAt = Math.floor(seenAt.getTime() / 1000) + staleAfterDays * 86_400;
    // An item seen twice in one page keeps its last version; BatchWriteItem rejects duplicate keys.
    const latest = new Map(items.map((item) => [item.id, item]));
    const requests = [...latest.values()].map((item) => ({
      PutRequest: {
        Item: {
          ...itemKey(sourceId, item.id),
          [A.kind]: SYNC_ITEM_KIND,
          [A.expiresAt]: expiresAt,
          sourceId,
          itemId: item.id,
          seenAt: seenAt.toISOString(),
          // Stored as JSON text: DynamoDB maps cannot nest deeper than 32 levels or hold empty keys.
          data: JSON.stringify(item.data),
        },
      },
    }));
    for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
      let pending: typeof requests = requests.slice(i, i + BATCH_WRITE_LIMIT);
      for (let round = 1; pending.length > 0; round++) {
        const out = await this.#doc.send(
          new BatchWriteCommand({ RequestItems: { [this.#tableName]: pending } }),
        );
        pending = (out.UnprocessedItems?.[this.#tableName] ?? []) as typeof requests;
        if (pending.length === 0) break;
        if (round >= UNPROCESSED_ROUNDS)
          throw new Error(`DynamoDB left ${pending.length} item(s) unprocessed after ${round} rounds`);
        await this.#sleep(backoffDelay(round, 50, 2_000));
      }
    }
  }

  async loadState(sourceId: string): Promise<SyncState | undefined> {
    const out = await this.#doc.send(
      new GetCommand({ TableName: this.#tableName, Key: syncStateKey(sourceId), ConsistentRead: true }),
    );
    const item = out.Item;
    if (!item) return undefined;
    return {
      jobId: String(item.jobId),
      cursor: typeof item.cursor === 'string' ? item.cursor : null,
      pages: Number(item.pages ?? 0),
      items: Number(item.items ?? 0),
      completed: item.completed === true,
      updatedAt: String(item.updatedAt),
    };
  }

  async saveState(sourceId: string, state: SyncState): Promise<void> {
    await this.#doc.send(
      new PutCommand({ TableName: this.#tableName, Item: { ...syncStateKey(sourceId), ...state } }),
    );
  }
}

/**
 * Which of the ledger's writes (`lib/ledger/`) a DynamoDB `UpdateItem` request is, told by the job
 * status its update expression sets — so a fault rule can fail the `succeed` write and nothing
 * else, and a report can name the write a fault met.
 */
import { JOB_STATUSES, type JobStatus } from '../../lib/index.js';
import { JOB_ATTRIBUTES } from '../../lib/ledger/records.js';
import type { FaultRequest } from './fault-plan.js';

/** The ledger's writes, by the status each sets. */
export const LEDGER_WRITES = {
  running: 'claim',
  succeeded: 'succeed',
  retrying: 'fail: retrying',
  dead: 'fail: dead',
  queued: 'continued',
} as const satisfies Partial<Record<JobStatus, string>>;
export type LedgerWrite = (typeof LEDGER_WRITES)[keyof typeof LEDGER_WRITES];

/** The ledger write an `UpdateItem` request body makes, if it is one. */
export function ledgerWriteOf(body: string): LedgerWrite | undefined {
  let request: {
    UpdateExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, { S?: string }>;
  };
  try {
    request = JSON.parse(body) as typeof request;
  } catch {
    return undefined;
  }
  const name = Object.entries(request.ExpressionAttributeNames ?? {}).find(
    ([, attribute]) => attribute === JOB_ATTRIBUTES.status,
  )?.[0];
  if (name === undefined) return undefined;
  const value = new RegExp(`${name} = (:\\w+)`).exec(request.UpdateExpression ?? '')?.[1];
  const status = JOB_STATUSES.find(
    (s) => value !== undefined && s === request.ExpressionAttributeValues?.[value]?.S,
  );
  return status !== undefined && status in LEDGER_WRITES
    ? LEDGER_WRITES[status as keyof typeof LEDGER_WRITES]
    : undefined;
}

/**
 * A rule's `match` for one ledger write.
 * @example
 * { service: 'dynamodb', operation: 'UpdateItem', match: isLedgerWrite('succeed'), rate: 1, kinds: ['error500'] }
 */
export function isLedgerWrite(write: LedgerWrite): (request: FaultRequest) => boolean {
  return (request) => request.operation === 'UpdateItem' && ledgerWriteOf(request.body) === write;
}

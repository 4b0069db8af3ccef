/**
 * Listing cursors: opaque to callers, a base64url JSON of where each index query stopped. A
 * cursor is bound to its filter, and its keys are checked against the partitions they may start
 * in, so a cursor from another listing (or a forged one) is a validation error, never a query
 * DynamoDB refuses.
 */
import { JobValidationError } from '../errors.js';
import { JOB_ATTRIBUTES } from './records.js';
import type { TableIndexSpec } from './table.js';

/** Where one index partition's query resumes: from its start, after a key, or nowhere (exhausted). */
export type StreamPosition =
  | { readonly state: 'start' }
  | { readonly state: 'after'; readonly key: Readonly<Record<string, string>> }
  | { readonly state: 'done' };

/** One index partition a listing reads, newest first. */
export interface Stream {
  readonly index: TableIndexSpec;
  readonly partition: string;
}

/** The longest cursor accepted (a listing over every status carries one key per status). */
export const CURSOR_MAX_LENGTH = 4_096;

const CURSOR_VERSION = 1;

export function encodeCursor(filter: string, positions: readonly StreamPosition[]): string | undefined {
  if (positions.every((p) => p.state === 'done')) return undefined;
  const streams = positions.map((p) => (p.state === 'after' ? p.key : p.state));
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, f: filter, s: streams })).toString('base64url');
}

function invalid(reason: string): JobValidationError {
  return new JobValidationError(`Invalid cursor: ${reason}`, [{ path: 'cursor', message: reason }]);
}

/**
 * @throws {JobValidationError} (path `cursor`) when the cursor is not one this listing returned.
 */
export function decodeCursor(cursor: string, filter: string, streams: readonly Stream[]): StreamPosition[] {
  if (cursor.length > CURSOR_MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw invalid('is not a cursor this listing returned');
  }
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not a cursor this listing returned');
  }
  if (
    typeof data !== 'object' ||
    data === null ||
    !('v' in data) ||
    data.v !== CURSOR_VERSION ||
    !('s' in data) ||
    !Array.isArray(data.s) ||
    data.s.length !== streams.length
  ) {
    throw invalid('is not a cursor this listing returned');
  }
  if (!('f' in data) || data.f !== filter) throw invalid('belongs to a listing with other filters');
  return data.s.map((entry: unknown, i): StreamPosition => {
    const stream = streams[i];
    if (entry === 'start' || entry === 'done') return { state: entry };
    if (stream && isStartKey(entry, stream)) return { state: 'after', key: entry };
    throw invalid('is not a cursor this listing returned');
  });
}

/** A start key of `stream`: exactly the table and index key attributes, in the stream's partition. */
function isStartKey(entry: unknown, stream: Stream): entry is Record<string, string> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return false;
  const expected = keyAttributes(stream.index);
  const record = entry as Record<string, unknown>;
  const keys = Object.keys(record);
  return (
    keys.length === expected.length &&
    expected.every((name) => typeof record[name] === 'string' && (record[name] as string).length > 0) &&
    record[stream.index.partitionKey.name] === stream.partition &&
    String(record[JOB_ATTRIBUTES.partitionKey]).startsWith('job#')
  );
}

/** The attributes of an index's start key: the table's keys and the index's keys. */
export function keyAttributes(index: TableIndexSpec): string[] {
  return [JOB_ATTRIBUTES.partitionKey, JOB_ATTRIBUTES.sortKey, index.partitionKey.name, index.sortKey.name];
}

/**
 * What a ledger write costs in DynamoDB write units, from the item before and after it and the
 * table's index definitions (`LEDGER_TABLE`). dynalite does not account index writes, so the
 * ledger's cost is computed, not measured; the rules are DynamoDB's:
 *
 * - the table: one unit per KB of the larger of the item before and after (a put, an update, a
 *   delete, and a conditional write whose condition failed alike);
 * - each index: nothing when the item is in it neither before nor after, or when nothing the
 *   index projects changed; one unit per KB of the projected item when it enters, leaves, or
 *   changes a projected attribute; a key change is a delete and a put (two writes).
 *
 * An item is in an index when it carries both of the index's key attributes (sparse indexes).
 */
import type { LedgerTable, TableIndexSpec } from './table.js';

export type Item = Readonly<Record<string, unknown>>;

/** Write units of one write: the table's, each index's by name, and their sum. */
export interface WriteUnits {
  readonly table: number;
  readonly indexes: Readonly<Record<string, number>>;
  readonly total: number;
}

const KB = 1024;
const units = (bytes: number) => Math.max(1, Math.ceil(bytes / KB));

/**
 * An item's size as DynamoDB counts it: per attribute, the UTF-8 bytes of its name plus its value
 * (strings in UTF-8 bytes, numbers one byte per two significant digits plus one, booleans
 * and nulls one byte, maps and lists three bytes plus one per element plus their elements).
 */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value !== undefined) size += Buffer.byteLength(name, 'utf8') + valueSize(value);
  }
  return size;
}

function valueSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') {
    // Significant digits: leading and trailing zeros do not count.
    const digits = String(Math.abs(value))
      .replace(/e.*$/, '')
      .replace('.', '')
      .replace(/^0+|0+$/g, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueSize(v), 0);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + valueSize(v), 0);
  if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return 3 + entries.reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k, 'utf8') + valueSize(v), 0);
  }
  return 0;
}

/** The index's entry for an item, or undefined when the item is not in the index. */
export function indexEntry(
  table: LedgerTable,
  index: TableIndexSpec,
  item: Item | undefined,
): Item | undefined {
  if (item === undefined) return undefined;
  const keys = [index.partitionKey.name, index.sortKey.name];
  if (keys.some((name) => item[name] === undefined)) return undefined;
  if (index.projection === 'ALL') return item;
  const projected = [table.partitionKey.name, table.sortKey.name, ...keys];
  return Object.fromEntries(projected.map((name) => [name, item[name]]));
}

/**
 * The write units of one write that turned `before` into `after` (undefined: no item), the index
 * definitions taken from `table`.
 *
 * @example
 * writeUnits(LEDGER_TABLE, undefined, record).total; // a new job record: the table and each index it enters
 */
export function writeUnits(
  table: LedgerTable,
  before: Item | undefined,
  after: Item | undefined,
): WriteUnits {
  const tableUnits = units(Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0));
  const indexes: Record<string, number> = {};
  for (const index of table.indexes) {
    indexes[index.name] = indexUnits(
      index,
      indexEntry(table, index, before),
      indexEntry(table, index, after),
    );
  }
  const total = tableUnits + Object.values(indexes).reduce((sum, n) => sum + n, 0);
  return { table: tableUnits, indexes, total };
}

function indexUnits(index: TableIndexSpec, before: Item | undefined, after: Item | undefined): number {
  if (before === undefined && after === undefined) return 0;
  if (before === undefined) return units(itemSize(after ?? {}));
  if (after === undefined) return units(itemSize(before));
  const keys = [index.partitionKey.name, index.sortKey.name];
  if (keys.some((name) => !sameValue(before[name], after[name]))) {
    return units(itemSize(before)) + units(itemSize(after));
  }
  return sameValue(before, after) ? 0 : units(itemSize(after));
}

/** Deep equality of stored values (attribute order does not matter). */
function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

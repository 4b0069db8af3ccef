import { describe, expect, it } from 'vitest';
import { LEDGER_TABLE, type LedgerTable } from '../../../../lib/ledger/table.js';
import { itemSize, writeUnits } from '../../../../lib/ledger/write-units.js';

/** One index of each projection over the same keys, to show what a projection changes. */
const TABLE: LedgerTable = {
  ...LEDGER_TABLE,
  indexes: [
    {
      name: 'keys',
      partitionKey: { name: 'g', type: 'S' },
      sortKey: { name: 'at', type: 'S' },
      projection: 'KEYS_ONLY',
    },
    {
      name: 'all',
      partitionKey: { name: 'g', type: 'S' },
      sortKey: { name: 'at', type: 'S' },
      projection: 'ALL',
    },
  ],
};
const item = (overrides: Record<string, unknown> = {}) => ({
  pk: 'p',
  sk: 's',
  g: 'a',
  at: 't',
  note: 'x',
  ...overrides,
});

describe('Function: itemSize', () => {
  it.each([
    ['a string: name and UTF-8 bytes', { ab: 'héllo' }, 2 + 6],
    ['a number: one byte per two significant digits, plus one', { n: 1798538400 }, 1 + 5],
    ['a number with a fraction', { n: 0.125 }, 1 + 3],
    ['a boolean and a null', { t: true, z: null }, 2 + 2],
    ['a map: 3 bytes, plus one per entry with its name and value', { m: { k: 'v' } }, 1 + 3 + 1 + 1 + 1],
    ['a list: 3 bytes, plus one per element', { l: ['a', 'b'] }, 1 + 3 + 2 + 2],
  ])('counts %s', (_case, value, bytes) => {
    expect(itemSize(value)).toBe(bytes);
  });
});

describe('Function: writeUnits', () => {
  it('puts a new item into every index whose keys it carries, one unit each', () => {
    expect(writeUnits(TABLE, undefined, item())).toEqual({
      table: 1,
      indexes: { keys: 1, all: 1 },
      total: 3,
    });
  });

  it('writes no index for an item without their key attributes (sparse)', () => {
    expect(writeUnits(TABLE, undefined, { pk: 'limit#x', sk: 'state', tokens: 3 })).toEqual({
      table: 1,
      indexes: { keys: 0, all: 0 },
      total: 1,
    });
  });

  it('charges a projected attribute change to ALL only, and a key change as a delete and a put', () => {
    expect(writeUnits(TABLE, item(), item({ note: 'y' })).indexes).toEqual({ keys: 0, all: 1 });
    expect(writeUnits(TABLE, item(), item({ g: 'b' })).indexes).toEqual({ keys: 2, all: 2 });
    expect(writeUnits(TABLE, item(), item()).indexes).toEqual({ keys: 0, all: 0 });
  });

  it('charges an item leaving an index one write, and a delete the table and each index it was in', () => {
    expect(writeUnits(TABLE, item(), item({ g: undefined })).indexes).toEqual({ keys: 1, all: 1 });
    expect(writeUnits(TABLE, item(), undefined)).toEqual({
      table: 1,
      indexes: { keys: 1, all: 1 },
      total: 3,
    });
  });

  it('charges one unit per started KB of the larger item, in the table and in a projection that holds it', () => {
    const large = item({ note: 'x'.repeat(1_500) });

    expect(writeUnits(TABLE, item(), large)).toEqual({ table: 2, indexes: { keys: 0, all: 2 }, total: 4 });
    expect(writeUnits(TABLE, large, item()).table).toBe(2);
  });

  it('takes the indexes from the table definition it is given', () => {
    expect(Object.keys(writeUnits(LEDGER_TABLE, undefined, item()).indexes)).toEqual(
      LEDGER_TABLE.indexes.map((index) => index.name),
    );
  });
});

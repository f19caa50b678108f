import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellsFor, type GatheredColumn, type PackedUtf8 } from '../../../src/buffering/column-cells.js';
import { RowValues } from '../../../src/buffering/row-values.js';
import type { CellValue } from '../../../src/core/records.js';
import type { ResolvedColumn } from '../../../src/core/resolved-schema.js';
import { rowBatchToArrowTable } from '../../../src/writing/parquet/arrow-columns.js';
import { ColumnValueError } from '../../../src/writing/parquet/flat-vectors.js';

function column(name: string, type: ResolvedColumn['type'], nullable = true): ResolvedColumn {
  return { name, type, nullable, description: '', path: [name] };
}

function packed(gathered: GatheredColumn): PackedUtf8 {
  assert.ok(!Array.isArray(gathered), 'a text column gathers packed');
  return gathered;
}

/** The strings (or nulls) a packed column holds, read back from its bytes, offsets and validity. */
function unpack(p: PackedUtf8): Array<string | null> {
  const out: Array<string | null> = [];
  for (let k = 0; k + 1 < p.offsets.length; k++) {
    const valid = p.validity === null || ((p.validity[k >> 3] as number) & (1 << (k & 7))) !== 0;
    out.push(valid ? Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength).toString('utf8', p.offsets[k], p.offsets[k + 1]) : null);
  }
  return out;
}

test('text cells give back every row in the asked order: multi-byte text, long values, nulls, past their first sizes', () => {
  const cells = cellsFor(column('s', 'string'));
  const values: Array<string | null> = [];
  for (let i = 0; i < 3000; i++) {
    const v = i % 7 === 3 ? null : i % 5 === 0 ? `long ${'é'.repeat(i % 200)} ${i} 🚀` : i % 11 === 0 ? '' : `v${i}`;
    values.push(v);
    cells.push(v);
  }
  assert.equal(cells.length, 3000);
  const order = new Uint32Array(3000);
  for (let k = 0; k < order.length; k++) order[k] = (k * 7919) % 3000; // a permutation (7919 is prime)
  const p = packed(cells.gather(order, 'buffer 1'));
  assert.deepEqual(unpack(p), Array.from(order, (i) => values[i]));
  assert.equal(p.nullCount, values.filter((v) => v === null).length);
  assert.equal(p.offsets[3000], p.bytes.byteLength);
});

test('a json column keeps a structured value as its JSON text, bigints as digits', () => {
  const cells = cellsFor(column('_extra', 'json'));
  cells.push('{"a":1}');
  cells.push({ n: 2n ** 60n, list: [1, 'x'] });
  cells.push(null);
  assert.deepEqual(unpack(packed(cells.gather(Uint32Array.of(1, 0, 2), 'buffer 1'))), [`{"n":"${2n ** 60n}","list":[1,"x"]}`, '{"a":1}', null]);
});

test('a value a text column should not hold still fails encoding as before, naming the row', () => {
  const values = new RowValues([column('s', 'string')]);
  values.hold(1, [['a'], [42], ['b']]);
  values.place(1, Int32Array.of(0, 0, 0));
  const gathered = values.rows(0, Uint32Array.of(2, 1, 0));
  assert.deepEqual(gathered[0], ['b', 42, 'a']);
  const batch = { columns: [column('s', 'string')], values: gathered, rowCount: 3, lineage: lineage(3) };
  assert.throws(() => rowBatchToArrowTable(batch), (err: unknown) => err instanceof ColumnValueError && /row 1: expected a string, got number 42/.test(err.message));
  // Rows without the odd value still come packed.
  assert.ok(!Array.isArray(values.rows(0, Uint32Array.of(0, 2))[0]));
});

test('a null in a non-nullable text column fails encoding with its row', () => {
  const values = new RowValues([column('s', 'string', false)]);
  values.hold(1, [['a'], [null]]);
  values.place(1, Int32Array.of(5, 5));
  const batch = { columns: [column('s', 'string', false)], values: values.rows(5, Uint32Array.of(0, 1)), rowCount: 2, lineage: lineage(2) };
  assert.throws(() => rowBatchToArrowTable(batch), (err: unknown) => err instanceof ColumnValueError && /row 1: expected a non-null string/.test(err.message));
});

test('packed and unpacked columns build the same Arrow table', () => {
  const columns = [column('s', 'string'), column('n', 'float64'), column('j', 'json')];
  const rows: CellValue[][] = [
    ['x', 1.5, '{}'],
    [null, null, null],
    ['ÿ€𝄞', -2, { k: [true] }],
  ];
  const values = new RowValues(columns);
  values.hold(7, rows);
  values.place(7, Int32Array.of(3, 3, 3));
  const order = Uint32Array.of(2, 0, 1);
  const fromStore = rowBatchToArrowTable({ columns, values: values.rows(3, order), rowCount: 3, lineage: lineage(3) });
  const plain = rowBatchToArrowTable({ columns, values: columns.map((_, c) => Array.from(order, (i) => (rows[i] as CellValue[])[c] as CellValue)), rowCount: 3, lineage: lineage(3) });
  assert.deepEqual(fromStore.toArray().map((r) => r.toJSON()), plain.toArray().map((r) => r.toJSON()));
  assert.equal(fromStore.getChild('s')?.get(0), 'ÿ€𝄞');
  assert.equal(fromStore.getChild('j')?.get(0), '{"k":[true]}');
});

test('a row never placed is a RangeError, which the stores report as a rows failure', () => {
  const values = new RowValues([column('s', 'string'), column('n', 'int32')]);
  values.hold(1, [['a', 1]]);
  values.place(1, Int32Array.of(0));
  assert.throws(() => values.rows(0, Uint32Array.of(0, 1)), (err: unknown) => err instanceof RangeError && /buffer 0 holds 1 rows, not row 1/.test(err.message));
  assert.throws(() => values.rows(9, Uint32Array.of(0)), RangeError);
});

function lineage(n: number): { eventId: string[]; eventTimeMs: number[]; topic: string; partition: number[]; offset: number[]; receivedAtMs: number[] } {
  return { eventId: Array.from({ length: n }, (_, i) => `e${i}`), eventTimeMs: new Array<number>(n).fill(0), topic: 't', partition: new Array<number>(n).fill(0), offset: Array.from({ length: n }, (_, i) => i), receivedAtMs: new Array<number>(n).fill(0) };
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateDay, Int64, List, Struct, TimestampMillisecond, Type, Utf8, tableFromIPC } from 'apache-arrow';
import type { CellValue } from '../../../src/core/records.js';
import { LINEAGE_COLUMNS } from '../../../src/core/records.js';
import type { ResolvedColumn } from '../../../src/core/resolved-schema.js';
import { rowBatchToArrowTable, rowBatchToIPC } from '../../../src/writing/parquet/arrow-columns.js';
import { RowBatchBuilder, type RowBatch } from '../../../src/buffering/row-batch.js';
import { SAMPLE_COLUMNS, canonical, sampleBatch, sampleRow } from './fixtures/sample-batch.js';

function col(name: string, type: ResolvedColumn['type'], nullable = true, extra: Partial<ResolvedColumn> = {}): ResolvedColumn {
  return { name, type, nullable, description: '', path: [name], ...extra };
}

function batchOf(column: ResolvedColumn, values: CellValue[]): RowBatch {
  const builder = new RowBatchBuilder([column], 'topic');
  values.forEach((v, i) => builder.add([v], `e${i}`, i, 0, i, i));
  return builder.build();
}

test('columns come in schema order, then the lineage columns, with the expected Arrow types', () => {
  const table = rowBatchToArrowTable(sampleBatch(5));
  assert.deepEqual(
    table.schema.fields.map((f) => f.name),
    [...SAMPLE_COLUMNS.map((c) => c.name), ...Object.values(LINEAGE_COLUMNS)],
  );
  const typeOf = (name: string) => table.schema.fields.find((f) => f.name === name)?.type;
  assert.ok(typeOf('id') instanceof Utf8);
  assert.ok(typeOf('big') instanceof Int64);
  assert.ok(typeOf('day') instanceof DateDay);
  const at = typeOf('at');
  assert.ok(at instanceof TimestampMillisecond);
  assert.equal(at.timezone, 'UTC');
  assert.ok(typeOf('address') instanceof Struct);
  const tags = typeOf('tags');
  assert.ok(tags instanceof List);
  assert.equal(tags.children[0]?.name, 'element');
  assert.equal(typeOf(LINEAGE_COLUMNS.offset)?.typeId, Type.Int);
  assert.ok(typeOf(LINEAGE_COLUMNS.receivedAt) instanceof TimestampMillisecond);
  assert.equal(table.schema.fields.find((f) => f.name === 'id')?.metadata.get('description'), 'The order id.');
  assert.equal(table.schema.fields.find((f) => f.name === 'id')?.nullable, false);
  assert.equal(table.schema.fields.find((f) => f.name === LINEAGE_COLUMNS.eventId)?.nullable, false);
});

test('values survive the Arrow IPC round trip, nulls included', () => {
  const rows = 40;
  const table = tableFromIPC(rowBatchToIPC(sampleBatch(rows)));
  assert.equal(table.numRows, rows);
  for (const [c, column] of SAMPLE_COLUMNS.entries()) {
    const vector = table.getChild(column.name);
    for (let r = 0; r < rows; r++) {
      const read = vector?.get(r);
      let plain = read !== null && typeof read === 'object' && 'toJSON' in read ? (read as { toJSON(): unknown }).toJSON() : read;
      // Arrow JS reads DateDay back as epoch milliseconds.
      if (column.type === 'date' && typeof plain === 'number') plain = plain / 86_400_000;
      assert.deepEqual(canonical(column, plain), canonical(column, sampleRow(r)[c]), `row ${r}, column ${column.name}`);
    }
  }
  assert.equal(table.getChild(LINEAGE_COLUMNS.topic)?.get(39), 'shop.orders');
  assert.equal(table.getChild(LINEAGE_COLUMNS.offset)?.get(39), 1_000_039n);
  assert.equal(table.getChild(LINEAGE_COLUMNS.eventTime)?.get(2), 1_700_000_002_000);
});

test('UTF-8 text longer than its UTF-16 length grows the buffer without truncation', () => {
  const values = ['a', '🙂'.repeat(500), 'ü'.repeat(1000), '', null, '末尾'];
  const table = rowBatchToArrowTable(batchOf(col('s', 'string'), values));
  assert.deepEqual(table.getChild('s')?.toArray(), values);
  assert.equal(table.getChild('s')?.nullCount, 1);
});

test('int64 and timestamps accept numbers (negative and large) and bigints', () => {
  const values = [0, -1, -(2 ** 53) + 1, 2 ** 53 - 1, 2 ** 62, -(2 ** 63), 123n, -(2n ** 63n), 2n ** 63n - 1n, null];
  const int64 = rowBatchToArrowTable(batchOf(col('n', 'int64'), values)).getChild('n');
  assert.deepEqual(
    Array.from({ length: values.length }, (_, i) => int64?.get(i)),
    values.map((v) => (v === null ? null : BigInt(v))),
  );
  const stamps = [-1, 0, 1_700_000_000_123, null];
  const ts = rowBatchToArrowTable(batchOf(col('t', 'timestamp'), stamps)).getChild('t');
  assert.deepEqual(
    Array.from({ length: stamps.length }, (_, i) => ts?.get(i)),
    stamps,
  );
});

test('a json column serializes structured values it is given', () => {
  const table = rowBatchToArrowTable(batchOf(col('j', 'json'), ['{"a":1}', { b: [1, 2n] }, null]));
  assert.deepEqual(table.getChild('j')?.toArray(), ['{"a":1}', '{"b":[1,"2"]}', null]);
});

test('values that do not fit their column are refused with the column and row', () => {
  const cases: Array<[ResolvedColumn, CellValue, RegExp]> = [
    [col('i', 'int32'), 1.5, /column "i", row 1: expected an int32/],
    [col('i', 'int32'), 2 ** 31, /expected an int32/],
    [col('n', 'int64'), 0.5, /expected an int64/],
    [col('n', 'int64'), 2n ** 63n, /expected an int64/],
    [col('s', 'string'), 5, /expected a string, got number 5/],
    [col('b', 'boolean'), 'true', /expected a boolean/],
    [col('f', 'float64'), '1.0', /expected a float64/],
    [col('d', 'date'), 1.5, /expected a date/],
    [col('t', 'timestamp'), '2024-01-01', /expected a timestamp/],
    [col('r', 'string', false), null, /expected a non-null string/],
    [col('st', 'struct', true, { fields: [col('x', 'int32')] }), [1], /expected an object/],
    [col('st', 'struct', true, { fields: [col('x', 'int32', false)] }), {}, /column "st.x", row 1: expected a non-null value/],
    [col('l', 'list', true, { items: col('x', 'int32') }), 'nope', /expected an array/],
    [col('l', 'list', true, { items: col('x', 'int32', false) }), [1, null], /column "l\[\]"/],
  ];
  for (const [column, bad, message] of cases) {
    const good = column.type === 'list' ? [] : column.type === 'struct' ? { x: 1 } : sampleOf(column.type);
    assert.throws(() => rowBatchToArrowTable(batchOf(column, [good, bad])), message, `${column.name}: ${String(bad)}`);
  }
});

function sampleOf(type: ResolvedColumn['type']): CellValue {
  return type === 'string' ? 'ok' : type === 'boolean' ? true : 1;
}

test('required struct fields may be null where the whole struct is null', () => {
  const column = col('st', 'struct', true, { fields: [col('x', 'int32', false)] });
  const table = rowBatchToArrowTable(batchOf(column, [{ x: 1 }, null]));
  assert.deepEqual(table.getChild('st')?.get(0)?.toJSON(), { x: 1 });
  assert.equal(table.getChild('st')?.get(1), null);
});

test('mismatched lengths in a hand-made batch are refused', () => {
  const batch = sampleBatch(3);
  batch.values[0] = ['only one'];
  assert.throws(() => rowBatchToArrowTable(batch), /column "id" has 1 values for 3 rows/);
  const other = sampleBatch(3);
  other.lineage.eventId.pop();
  assert.throws(() => rowBatchToArrowTable(other), /lineage.eventId has 2 entries for 3 rows/);
});

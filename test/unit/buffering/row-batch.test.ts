import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResolvedColumn } from '../../../src/core/resolved-schema.js';
import { RowBatchBuilder } from '../../../src/buffering/row-batch.js';

const COLUMNS: ResolvedColumn[] = [
  { name: 'a', type: 'string', nullable: true, description: '', path: ['a'] },
  { name: 'b', type: 'int32', nullable: true, description: '', path: ['b'] },
];

test('the builder lays rows out column-major and grows past its expected size', () => {
  const builder = new RowBatchBuilder(COLUMNS, 'topic-a', 2);
  for (let r = 0; r < 100; r++) builder.add([`v${r}`, r], `e${r}`, 1000 + r, r % 4, 5000 + r, 2000 + r);
  assert.equal(builder.rowCount, 100);
  const batch = builder.build();
  assert.equal(batch.rowCount, 100);
  assert.equal(batch.columns, COLUMNS);
  assert.equal(batch.values.length, 2);
  assert.equal(batch.values[0]?.[42], 'v42');
  assert.equal(batch.values[1]?.[99], 99);
  assert.equal(batch.lineage.topic, 'topic-a');
  assert.equal(batch.lineage.eventId.length, 100);
  assert.equal(batch.lineage.eventTimeMs.length, 100);
  assert.equal(batch.lineage.eventTimeMs[99], 1099);
  assert.equal(batch.lineage.partition[7], 3);
  assert.equal(batch.lineage.offset[0], 5000);
  assert.equal(batch.lineage.receivedAtMs[50], 2050);
});

test('build hands the arrays over and leaves the builder empty and reusable', () => {
  const builder = new RowBatchBuilder(COLUMNS, 't');
  builder.add(['x', 1], 'e1', 1, 0, 1, 1);
  const first = builder.build();
  assert.equal(builder.rowCount, 0);
  builder.add(['y', 2], 'e2', 2, 0, 2, 2);
  const second = builder.build();
  assert.deepEqual(first.values, [['x'], [1]]);
  assert.deepEqual(second.values, [['y'], [2]]);
  assert.deepEqual(first.lineage.eventId, ['e1']);
});

test('a row with the wrong number of values is refused at once', () => {
  const builder = new RowBatchBuilder(COLUMNS, 't');
  assert.throws(() => builder.add(['only one'], 'e', 0, 0, 0, 0), /1 values but the schema has 2 columns/);
  assert.equal(builder.rowCount, 0);
});

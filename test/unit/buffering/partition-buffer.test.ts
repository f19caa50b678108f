import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PartitionBuffer } from '../../../src/buffering/partition-buffer.js';

function bufferWith(offsets: number[]): PartitionBuffer {
  const b = new PartitionBuffer('k', 'p', 0, 0, offsets[0] ?? 0, 0);
  for (const o of offsets) b.add({ eventId: `e${o}`, eventTimeMs: 1000 - o }, o, 0, 10);
  return b;
}

test('segments skip rows other writers committed and never straddle a committed range', () => {
  const b = bufferWith([10, 11, 12, 15, 16, 20, 21]);
  assert.deepEqual(b.segmentsExcluding([]), [{ rows: [0, 1, 2, 3, 4, 5, 6], first: 10, last: 21 }]);
  const segments = b.segmentsExcluding([{ first: 12, last: 16 }]);
  assert.deepEqual(segments.map((s) => [s.first, s.last]), [[10, 11], [20, 21]]);
  assert.deepEqual(b.segmentsExcluding([{ first: 0, last: 100 }]), []);
  assert.deepEqual(b.segmentsExcluding([{ first: 0, last: 10 }, { first: 21, last: 30 }]).map((s) => [s.first, s.last]), [[11, 20]]);
});

test('rows are sorted by event time, ties by offset', () => {
  const b = bufferWith([1, 2, 3]);
  const lineage = b.lineageOf(b.sortedRows(), 't');
  assert.deepEqual([...lineage.offset], [3, 2, 1]);
});

test('a buffer tracks rows, approximate bytes and the offset range it covers, dropped duplicates included', () => {
  const b = new PartitionBuffer('k', 'event_date=2026-11-21', 0, 3, 40, 1_000);
  assert.equal(b.rowCount, 0);
  assert.equal(b.lastOffset, 40);
  b.add({ eventId: 'a', eventTimeMs: 5 }, 40, 1_000, 100);
  b.add({ eventId: 'b', eventTimeMs: 2 }, 42, 1_001, 50);
  b.cover(45);
  b.cover(44);
  assert.equal(b.rowCount, 2);
  assert.equal(b.approxBytes, 150);
  assert.equal(b.lastOffset, 45, 'a duplicate dropped at 45 still belongs to the range; cover never moves back');
  assert.deepEqual(b.eventIds(), ['a', 'b']);
  assert.equal(b.eventIdAt(1), 'b');
  assert.deepEqual(b.minMaxEventTime(), { min: 2, max: 5 });
  assert.deepEqual(b.minMaxEventTime([0]), { min: 5, max: 5 });
  const order = b.sortedRows([1, 0]);
  const lineage = b.lineageOf(order, 'orders');
  assert.equal(order.length, 2);
  assert.deepEqual([...lineage.offset], [42, 40], 'sorted by event time');
  assert.deepEqual([...lineage.partition], [3, 3]);
});

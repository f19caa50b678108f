import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferTable } from '../../../src/buffering/buffer-table.js';
import type { PartitionBuffer } from '../../../src/buffering/partition-buffer.js';

function fill(buffer: PartitionBuffer, offsets: number[]): PartitionBuffer {
  for (const o of offsets) buffer.add({ eventId: `e${o}`, eventTimeMs: o }, o, 0, 100);
  return buffer;
}

test('committable offsets never pass an open buffer: each source partition stops at its first unflushed offset', () => {
  const table = new BufferTable();
  fill(table.openBuffer('h10', 0, 0, 5, 0), [5, 7]);
  fill(table.openBuffer('h11', 0, 0, 6, 0), [6, 8]);
  fill(table.openBuffer('h10', 0, 1, 40, 0), [40]);
  const offsets = table.committableOffsets(new Map([[0, 9], [1, 41], [2, 12]]));
  assert.deepEqual([...offsets].sort(), [[0, 5], [1, 40], [2, 12]]);
});

test('committable offsets never pass an in-flight buffer, and move on once it is released', () => {
  const table = new BufferTable();
  const early = fill(table.openBuffer('h10', 0, 0, 3, 0), [3, 4]);
  fill(table.openBuffer('h11', 0, 0, 5, 0), [5]);
  const sealed = table.seal(early);
  assert.equal(table.get(early.key), undefined, 'a sealed buffer takes no more rows');
  assert.deepEqual([...table.committableOffsets(new Map([[0, 6]]))], [[0, 3]], 'in flight: still held at 3');
  table.release(sealed.id);
  assert.deepEqual([...table.committableOffsets(new Map([[0, 6]]))], [[0, 5]], 'written: held by the open hour-11 buffer only');
});

test('a source partition not owned is not reported, whatever its buffers', () => {
  const table = new BufferTable();
  fill(table.openBuffer('h10', 0, 3, 0, 0), [0]);
  assert.deepEqual([...table.committableOffsets(new Map([[0, 2]]))], [[0, 2]]);
});

test('duplicates inside an open buffer extend its covered range and travel with it when sealed', () => {
  const table = new BufferTable();
  const buffer = fill(table.openBuffer('h10', 0, 0, 0, 0), [0, 1]);
  table.noteDuplicate(buffer.key, 4);
  table.noteDuplicate(BufferTable.keyOf('h12', 0), 5); // no such buffer: nothing to record
  assert.equal(buffer.lastOffset, 4);
  const sealed = table.seal(buffer);
  assert.equal(sealed.duplicateOffsets.length, 1);
  assert.equal(table.seal(fill(table.openBuffer('h10', 0, 0, 6, 0), [6])).duplicateOffsets.length, 0, 'the next buffer of the key starts from zero');
});

test('dropping source partitions removes their open buffers and returns the ids held, open and in flight', () => {
  const table = new BufferTable();
  const flying = fill(table.openBuffer('h10', 0, 0, 0, 0), [0, 1]);
  table.seal(flying);
  fill(table.openBuffer('h11', 0, 0, 2, 0), [2]);
  fill(table.openBuffer('h11', 0, 1, 0, 0), [0]);
  assert.deepEqual(table.dropSourcePartitions(new Set([0])).sort(), ['e0', 'e1', 'e2']);
  assert.deepEqual(table.openBuffers().map((b) => b.sourcePartition), [1]);
  assert.equal(table.openBytes(), 100);
  assert.equal(table.inFlightBytes(), 200, 'an in-flight buffer finishes (or stops) on its own');
  assert.deepEqual([...table.pendingPaths()].sort(), ['h10', 'h11']);
});

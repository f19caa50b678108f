import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitLog } from '../../../src/commit/commit-log.js';
import { isTukangError } from '../../../src/errors/catalogue.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { partitionStateSchema, sourceCheckpointSchema } from '../../../src/lake/metadata-schemas.js';
import { readMetadata } from '../../../src/lake/read-metadata.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';

const KEY = '_tukang/datasets/orders/sources/orders/00000.json';
const CHECKPOINT = { dataset: 'orders', topic: 'orders', partition: 0, flushed_through_ms: 10, max_event_time_ms: null, idle: false, updated_at: '2026-11-21T10:00:00Z' };

function corrupt(key: string, pattern: RegExp): (err: unknown) => boolean {
  return (err) => isTukangError(err, 'METADATA_CORRUPT') && err.message.includes(key) && pattern.test(err.message);
}

test('a valid document reads back typed, with its ETag; a missing one is undefined', async () => {
  const store = new MemoryObjectStore();
  const { etag } = await store.put(KEY, JSON.stringify({ ...CHECKPOINT, written_by_a_newer_version: 1 }));
  const read = await readMetadata(store, KEY, sourceCheckpointSchema);
  assert.equal(read?.etag, etag);
  assert.equal(read?.value.flushed_through_ms, 10);
  assert.equal((read?.value as unknown as Record<string, unknown>)['written_by_a_newer_version'], 1, 'unknown fields are kept, not stripped');
  assert.equal(await readMetadata(store, 'nothing.json', sourceCheckpointSchema), undefined);
});

test('bad JSON raises METADATA_CORRUPT naming the key, not a SyntaxError', async () => {
  const store = new MemoryObjectStore();
  await store.put(KEY, '{"dataset": "orders", ');
  await assert.rejects(readMetadata(store, KEY, sourceCheckpointSchema), corrupt(KEY, /not JSON/));
});

test('a wrong shape raises METADATA_CORRUPT naming the key and the field', async () => {
  const store = new MemoryObjectStore();
  await store.put(KEY, JSON.stringify({ ...CHECKPOINT, flushed_through_ms: 'ten' }));
  await assert.rejects(readMetadata(store, KEY, sourceCheckpointSchema), corrupt(KEY, /flushed_through_ms/));
  await store.put(KEY, '[]');
  await assert.rejects(readMetadata(store, KEY, sourceCheckpointSchema), corrupt(KEY, /expected shape/));
});

test('the commit log reports a corrupt partition state by its key', async () => {
  const store = new MemoryObjectStore();
  const layout = new LakeLayout('');
  const key = layout.partitionState('orders', 'event_date=2026-11-21/event_hour=10');
  await store.put(key, JSON.stringify({ dataset: 'orders', files: 'not a list' }));
  await assert.rejects(new CommitLog(store, layout, 'lake').readPartition('orders', 'event_date=2026-11-21/event_hour=10'), corrupt(key, /./));
  await assert.rejects(readMetadata(store, key, partitionStateSchema), corrupt(key, /expected shape/));
});

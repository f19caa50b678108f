import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PartitionUpdates } from '../../../src/commit/partition-update.js';
import { TukangError } from '../../../src/errors/catalogue.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import type { PartitionState } from '../../../src/lake/metadata-types.js';
import { CountingObjectStore } from '../../../src/storage/counting-object-store.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { getJson } from '../../../src/storage/object-store.js';

const layout = new LakeLayout('');
const PATH = 'event_date=2026-11-21/event_hour=06';
const addRow = (s: PartitionState): PartitionState => ({ ...s, rows: s.rows + 1 });

test('updates of one partition state asked for at once are written together: every one applied, two writes instead of sixteen', async () => {
  const store = new CountingObjectStore(new MemoryObjectStore());
  const updates = new PartitionUpdates(store, layout);
  const states = await Promise.all(Array.from({ length: 16 }, () => updates.update('orders', PATH, addRow)));
  const stored = await getJson<PartitionState>(store, layout.partitionState('orders', PATH));
  assert.equal(stored?.value.rows, 16, 'no update is lost');
  // The first goes alone; the fifteen asked for while it was being written go in one write.
  assert.equal(store.counts.get('put'), 2);
  for (const s of states) assert.ok(s.rows >= 1, 'each caller gets a state that holds its update');
  assert.equal(states.at(-1)?.rows, 16);
});

test('an update that refuses its change fails alone; the others of its group are written', async () => {
  const store = new MemoryObjectStore();
  const updates = new PartitionUpdates(store, layout);
  const refused = new TukangError('COMMIT_OVERLAP', 'overlaps');
  const results = await Promise.allSettled([
    updates.update('orders', PATH, addRow),
    updates.update('orders', PATH, addRow),
    updates.update('orders', PATH, () => {
      throw refused;
    }),
    updates.update('orders', PATH, addRow),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  assert.equal((results[2] as PromiseRejectedResult).reason, refused);
  assert.equal((await getJson<PartitionState>(store, layout.partitionState('orders', PATH)))?.value.rows, 3);
});

test('two processes (two PartitionUpdates on one bucket) still meet at the ETag: nothing is lost', async () => {
  const store = new MemoryObjectStore();
  const a = new PartitionUpdates(store, layout);
  const b = new PartitionUpdates(store, layout);
  await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).update('orders', PATH, addRow)));
  assert.equal((await getJson<PartitionState>(store, layout.partitionState('orders', PATH)))?.value.rows, 20);
});

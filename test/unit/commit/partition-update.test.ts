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

test('a process writes its next update of a state on the copy it wrote, without reading the state again', async () => {
  const store = new CountingObjectStore(new MemoryObjectStore());
  const updates = new PartitionUpdates(store, layout);
  for (let i = 0; i < 5; i++) await updates.update('orders', PATH, addRow);
  assert.equal((await getJson<PartitionState>(store, layout.partitionState('orders', PATH)))?.value.rows, 5);
  // One read (of no state yet) before the first write; before, every update read the state first.
  assert.deepEqual([store.counts.get('get'), store.counts.get('put')], [2, 5], 'a read before the first write, and the check above');
});

test('a copy another process made stale costs one refused write and a read: nothing is lost, nothing written twice', async () => {
  const store = new CountingObjectStore(new MemoryObjectStore());
  const a = new PartitionUpdates(store, layout);
  const b = new PartitionUpdates(store, layout);
  await a.update('orders', PATH, addRow);
  await b.update('orders', PATH, addRow);
  store.reset();
  const state = await a.update('orders', PATH, addRow);
  assert.deepEqual(store.log.map((l) => l.split(' ')[0]), ['put', 'get', 'put'], 'the refused write on the stale copy, a read, the write');
  assert.equal(state.rows, 3, 'a re-applied its update to the state b wrote');
  assert.equal((await getJson<PartitionState>(store, layout.partitionState('orders', PATH)))?.value.rows, 3);
});

test('an update that changes nothing is answered from the object, not from a stale copy', async () => {
  const store = new MemoryObjectStore();
  const a = new PartitionUpdates(store, layout);
  const b = new PartitionUpdates(store, layout);
  await a.update('orders', PATH, addRow);
  await b.update('orders', PATH, addRow);
  const seen = await a.update('orders', PATH, (s) => (s.rows >= 1 ? undefined : addRow(s)));
  assert.equal(seen.rows, 2, 'the state as b left it');
  const refused = await a.update('orders', PATH, (s) => {
    if (s.rows < 3) throw new TukangError('COMMIT_OVERLAP', `rows ${s.rows}`);
    return addRow(s);
  }).catch((err: unknown) => err);
  assert.ok(refused instanceof TukangError && refused.message === 'rows 2', 'a refusal is judged on the object too');
});

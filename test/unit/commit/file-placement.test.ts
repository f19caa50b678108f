import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitLog } from '../../../src/commit/commit-log.js';
import type { FileCommit } from '../../../src/lake/metadata-types.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { CountingObjectStore } from '../../../src/storage/counting-object-store.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { ordersFileCommit } from '../../helpers/file-commits.js';

const PATH = 'event_date=2026-11-21/event_hour=10';
const layout = new LakeLayout('lake/');

function fileCommit(name: string, first: number, last: number): FileCommit {
  return ordersFileCommit(layout, PATH, name, first, last, { bytes: 3 });
}

/** The data files a folder reader would glob in the partition. */
function folder(store: MemoryObjectStore): string[] {
  const dir = layout.partitionDir('orders', PATH);
  return store.keys().filter((k) => k.startsWith(dir) && layout.isFolderDataFile(k) && !k.slice(dir.length).includes('/'));
}

test('every location of a data file derives from its Hive key, outside every Hive folder, under a _ name', () => {
  const key = 'lake/orders/event_date=2026-11-21/event_hour=10/part-t-00000-1.zstd.parquet';
  const where = layout.fileLocations(key);
  assert.equal(where.current, key);
  assert.equal(where.staged, 'lake/_tukang/staging/orders/event_date=2026-11-21/event_hour=10/part-t-00000-1.zstd.parquet');
  assert.equal(where.superseded, 'lake/_tukang/superseded/orders/event_date=2026-11-21/event_hour=10/part-t-00000-1.zstd.parquet');
  assert.throws(() => layout.stagedFile('other/orders/x.parquet'), /outside the lake root/);
  assert.equal(layout.isFolderDataFile(`${layout.partitionDir('orders', PATH)}_SUCCESS`), false);
});

test('a staged upload is invisible in the folder until committed; the commit publishes it', async () => {
  const store = new MemoryObjectStore();
  const log = new CommitLog(store, layout, 'b');
  const a = fileCommit('a', 0, 9);
  await log.placement.stage(a.key, new Uint8Array([1, 2, 3]), 'application/vnd.apache.parquet');
  assert.deepEqual(folder(store), [], 'an upload in flight is not in the folder');
  await log.commitFile(a);
  assert.deepEqual(folder(store), [a.key]);
  assert.equal(await store.head(layout.stagedFile(a.key)), undefined, 'the staged copy is gone after publishing');
});

test('a replay switch leaves the folder with the new files only; the old ones are superseded and still readable', async () => {
  const store = new MemoryObjectStore();
  const log = new CommitLog(store, layout, 'b');
  const a = fileCommit('a', 0, 9);
  const b = fileCommit('b', 10, 19);
  for (const f of [a, b]) {
    await log.placement.stage(f.key, new Uint8Array([1]), 'x');
    await log.commitFile(f);
  }
  await log.completePartition('orders', PATH);
  const r = fileCommit('r', 0, 19);
  await log.placement.stage(r.key, new Uint8Array([2]), 'x');
  const state = await log.switchToReplay('orders', PATH, 1, [r], 'job');
  assert.equal(state.version, 2);
  assert.deepEqual(folder(store), [r.key]);
  for (const f of [a, b]) {
    assert.deepEqual(await log.placement.locate(f.key), { key: layout.supersededFile(f.key), size: 1 });
  }
});

test('a crash between the commit and the publish, and an orphan upload, are both repaired by the next reconciliation', async () => {
  const store = new MemoryObjectStore();
  const log = new CommitLog(store, layout, 'b');
  const a = fileCommit('a', 0, 9);
  await log.placement.stage(a.key, new Uint8Array([1]), 'x');
  await log.addToPartition(a); // committed, then "killed" before publish
  // An orphan written straight into the folder (as before staging existed, or by hand).
  const orphan = `${layout.partitionDir('orders', PATH)}part-t-00000-orphan.parquet`;
  await store.put(orphan, 'zz');
  assert.deepEqual(folder(store), [orphan]);
  await log.completePartition('orders', PATH);
  assert.deepEqual(folder(store), [a.key]);
  assert.ok(await store.head(layout.supersededFile(orphan)), 'the orphan is moved out, not deleted');
});

// Issue 14: a DeleteObjects per published file was one of the ~12 S3 requests of each file.
test('the service deletes the staged copies of published files together; until then the folder copy is what is found', async () => {
  const memory = new MemoryObjectStore();
  const store = new CountingObjectStore(memory);
  const log = new CommitLog(store, layout, 'b');
  log.placement.deferStagedDeletes();
  const files = Array.from({ length: 5 }, (_, i) => fileCommit(`f${i}`, i * 10, i * 10 + 9));
  for (const f of files) {
    await log.placement.stage(f.key, new Uint8Array([1, 2, 3]), 'application/vnd.apache.parquet');
    await log.commitFile(f);
  }
  assert.deepEqual(folder(memory).sort(), files.map((f) => f.key).sort(), 'all published');
  assert.equal(store.counts.get('delete') ?? 0, 0, 'no delete per file');
  assert.deepEqual(await log.placement.locate(files[0]!.key), { key: files[0]!.key, size: 3 }, 'the folder copy comes first');
  await log.placement.settle();
  assert.equal(store.counts.get('delete'), 1, 'one request for the five staged copies');
  for (const f of files) assert.equal(await store.head(layout.stagedFile(f.key)), undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitLog } from '../../../src/commit/commit-log.js';
import type { ChangeRecord } from '../../../src/lake/metadata-types.js';
import { getJson, listAll } from '../../../src/storage/object-store.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { CountingObjectStore } from '../../../src/storage/counting-object-store.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { DAY0, HOUR, commitFile, hourPath } from '../../helpers/catalog-fixture.js';

/** Dies (throws) at the first write under a prefix, as a SIGKILL would at that moment. */
class DyingStore extends MemoryObjectStore {
  constructor(private readonly dieAt: string) {
    super();
  }
  private died = false;
  override async put(key: string, body: Uint8Array | string, options = {}): Promise<{ etag: string }> {
    if (!this.died && key.includes(this.dieAt)) {
      this.died = true;
      throw new Error(`killed before writing ${key}`);
    }
    return super.put(key, body, options);
  }
}

async function changes(store: MemoryObjectStore): Promise<ChangeRecord[]> {
  const found: ChangeRecord[] = [];
  for await (const o of listAll(store, '_tukang/datasets/orders/changes/')) found.push((await getJson<ChangeRecord>(store, o.key))!.value);
  return found;
}

// Regression (issue 11, item 2): the open marker was deleted before the change record was
// written, so a process dying in between left a complete partition no "changed since" poller heard of.
test('a crash between completing a partition and writing its change record: the next completion pass writes it', async () => {
  const store = new DyingStore('/changes/');
  const log = new CommitLog(store, new LakeLayout(''), 'lake');
  await commitFile(store, log, { startMs: DAY0 + HOUR, partition: 0, first: 0, rows: 10 });
  const path = hourPath(DAY0 + HOUR);
  await assert.rejects(log.completePartition('orders', path), /killed before writing/);
  assert.equal((await log.readPartition('orders', path))?.value.status, 'complete', 'the commit point was passed');
  assert.deepEqual(await log.openPartitions('orders'), [path], 'the open marker stays until the change record is written');

  // The restarted process lists the open markers and completes again.
  assert.equal(await log.completePartition('orders', path), undefined);
  const written = await changes(store);
  assert.deepEqual(written.map((c) => [c.partition_path, c.version, c.change]), [[path, 1, 'complete']]);
  assert.deepEqual(await log.openPartitions('orders'), []);
  // Idempotent: another pass changes nothing.
  await log.completePartition('orders', path);
  assert.equal((await changes(store)).length, 1);
});

test('a crash between a late-data version and its manifest and change record: the next completion pass writes both', async () => {
  const store = new DyingStore('/manifests/v000002');
  const log = new CommitLog(store, new LakeLayout(''), 'lake');
  await commitFile(store, log, { startMs: DAY0, partition: 0, first: 0, rows: 10 });
  const path = hourPath(DAY0);
  await log.completePartition('orders', path);
  await assert.rejects(commitFile(store, log, { startMs: DAY0, partition: 0, first: 10, rows: 1 }), /killed before writing/);
  assert.equal((await log.readPartition('orders', path))?.value.version, 2);

  await log.completePartition('orders', path);
  assert.ok(await store.head('_tukang/datasets/orders/partitions/' + path + '/manifests/v000002.json'), 'manifest of version 2');
  assert.deepEqual((await changes(store)).map((c) => [c.version, c.change]).sort(), [[1, 'complete'], [2, 'late_data']]);
  assert.deepEqual(await log.openPartitions('orders'), []);
});

// Issue 14: every commit PUT the partition's open marker again (one of ~12 requests per file).
test('the open marker is written by the first commit of a partition and by the first after it completed, not by every commit', async () => {
  const store = new CountingObjectStore(new MemoryObjectStore());
  const log = new CommitLog(store, new LakeLayout(''), 'lake');
  const markerPuts = (): number => store.log.filter((l) => l.startsWith('put _tukang/datasets/orders/open/')).length;
  for (let i = 0; i < 4; i++) await commitFile(store, log, { startMs: DAY0, partition: i, first: 0, rows: 10 });
  assert.equal(markerPuts(), 1, 'one marker for four commits to an open partition');
  assert.deepEqual(await log.openPartitions('orders'), [hourPath(DAY0)]);
  await log.completePartition('orders', hourPath(DAY0));
  assert.deepEqual(await log.openPartitions('orders'), []);
  // A late file for the complete partition: its marker is written again before the new version.
  await commitFile(store, log, { startMs: DAY0, partition: 0, first: 10, rows: 5 });
  assert.equal(markerPuts(), 2);
  assert.deepEqual(await log.openPartitions('orders'), [hourPath(DAY0)], 'the late version is open for reconciliation and compaction');
  // Another process completed the partition behind this one's back: the copy says open, the
  // commit finds the state complete and writes the marker first.
  const other = new CommitLog(store, new LakeLayout(''), 'lake');
  await commitFile(store, log, { startMs: DAY0 + HOUR, partition: 0, first: 0, rows: 10 });
  await other.completePartition('orders', hourPath(DAY0 + HOUR));
  const before = markerPuts();
  await commitFile(store, log, { startMs: DAY0 + HOUR, partition: 1, first: 0, rows: 10 });
  assert.equal(markerPuts(), before + 1);
  assert.ok((await log.openPartitions('orders')).includes(hourPath(DAY0 + HOUR)));
});

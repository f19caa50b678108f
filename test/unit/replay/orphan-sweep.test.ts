import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitLog } from '../../../src/commit/commit-log.js';
import type { FileCommit } from '../../../src/lake/metadata-types.js';
import { silentLogger } from '../../../src/log/logger.js';
import { collectGarbage } from '../../../src/replay/garbage-collector.js';
import { GcService } from '../../../src/replay/gc-service.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { ordersFileCommit } from '../../helpers/file-commits.js';

const PATH = 'event_date=2026-11-21/event_hour=10';
const DAY = 86_400_000;
const layout = new LakeLayout('');

function file(name: string, first: number, last: number): FileCommit {
  return ordersFileCommit(layout, PATH, name, first, last, { max_event_at: '2026-11-21T10:10:00.000Z' });
}

/** v1 = a, b; a replay made v2 = r; plus an upload that was never committed, and one committed but not yet published. */
async function lake(): Promise<{ store: MemoryObjectStore; log: CommitLog; a: FileCommit; b: FileCommit; r: FileCommit; late: FileCommit }> {
  const store = new MemoryObjectStore();
  const log = new CommitLog(store, layout, 'b');
  const [a, b, r, late] = [file('a', 0, 9), file('b', 10, 19), file('r', 0, 19), file('late', 20, 29)];
  for (const f of [a, b]) {
    await log.placement.stage(f.key, new Uint8Array([1]), 'x');
    await log.commitFile(f);
  }
  await log.completePartition('orders', PATH);
  await log.placement.stage(r.key, new Uint8Array([2]), 'x');
  await log.switchToReplay('orders', PATH, 1, [r], 'job');
  await log.placement.stage(`${layout.partitionDir('orders', PATH)}never-committed.parquet`, new Uint8Array([3]), 'x');
  await log.placement.stage(late.key, new Uint8Array([4]), 'x');
  await log.addToPartition(late); // committed, "killed" before its publish
  return { store, log, a, b, r, late };
}

test('gc deletes superseded files and uncommitted uploads after the retention, never a file the current version lists', async () => {
  const { store, a, b, r, late } = await lake();
  const within = await collectGarbage(store, layout, { bucket: 'b', datasets: ['orders'], retentionMs: 7 * DAY, dryRun: false });
  assert.deepEqual(within.orphans, [], 'nothing goes within the retention');
  assert.ok(await store.head(layout.supersededFile(a.key)));

  const later = await collectGarbage(store, layout, { bucket: 'b', datasets: ['orders'], retentionMs: 7 * DAY, dryRun: false, nowMs: Date.now() + 8 * DAY });
  assert.deepEqual((later.orphans ?? []).map((o) => o.data_key).sort(), [a.key, b.key, `${layout.partitionDir('orders', PATH)}never-committed.parquet`].sort());
  for (const f of [a, b]) for (const where of Object.values(layout.fileLocations(f.key))) assert.equal(await store.head(where), undefined, `${where} is gone`);
  assert.ok(await store.head(r.key), 'the current file stays');
  assert.ok(await store.head(layout.stagedFile(late.key)), 'a committed file waiting to be published stays');
});

test('the service runs gc on its own, every interval', async () => {
  const { store, a, r } = await lake();
  await new Promise((resolve) => setTimeout(resolve, 5));
  const gc = new GcService(store, layout, { bucket: 'b', datasets: ['orders'], retentionMs: 1, intervalMs: 20 }, silentLogger());
  await gc.start();
  const deadline = Date.now() + 5_000;
  while ((await store.head(layout.supersededFile(a.key))) !== undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  await gc.stop();
  assert.equal(await store.head(layout.supersededFile(a.key)), undefined, 'the superseded file went without anyone calling gc');
  assert.ok(await store.head(r.key));
});

test('a staged copy of a published file (a crash before its deferred delete) is an orphan after the retention; the folder copy stays', async () => {
  const store = new MemoryObjectStore();
  const log = new CommitLog(store, layout, 'b');
  log.placement.deferStagedDeletes();
  const f = file('kept', 0, 9);
  await log.placement.stage(f.key, new Uint8Array([1]), 'x');
  await log.commitFile(f); // published; the staged copy waits for a batch that a crash never sends
  assert.ok(await store.head(layout.stagedFile(f.key)));
  const later = await collectGarbage(store, layout, { bucket: 'b', datasets: ['orders'], retentionMs: 7 * DAY, dryRun: false, nowMs: Date.now() + 8 * DAY });
  assert.deepEqual((later.orphans ?? []).map((o) => o.key), [layout.stagedFile(f.key)]);
  assert.equal(await store.head(layout.stagedFile(f.key)), undefined);
  assert.ok(await store.head(f.key), 'the published file stays');
});

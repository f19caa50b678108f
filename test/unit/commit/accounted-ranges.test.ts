import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitLog } from '../../../src/commit/commit-log.js';
import { parseConfig } from '../../../src/config/load.js';
import { isTukangError } from '../../../src/errors/catalogue.js';
import type { AccountedRange } from '../../../src/lake/metadata-types.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { planReplay } from '../../../src/replay/replay-plan.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { ordersFileCommit } from '../../helpers/file-commits.js';

const PATH = 'event_date=2026-11-21/event_hour=10';

function accounted(first: number, last: number, duplicates: number, partition = 0): AccountedRange {
  return { dataset: 'orders', partition_path: PATH, source: { topic: 't', partition, first_offset: first, last_offset: last }, duplicates, committed_at: '2026-11-21T11:00:00.000Z' };
}

function lake(): { layout: LakeLayout; log: CommitLog } {
  const layout = new LakeLayout('');
  return { layout, log: new CommitLog(new MemoryObjectStore(), layout, 'lake') };
}

test('an accounted range raises the duplicates once, however often it is committed, and no file may overlap it', async () => {
  const { layout, log } = lake();
  await log.commitFile(ordersFileCommit(layout, PATH, 'a', 0, 9, { duplicates: 1 }));
  await log.commitAccounted(accounted(10, 12, 2));
  await log.commitAccounted(accounted(10, 12, 2)); // a retry after an ambiguous answer
  const state = (await log.readPartition('orders', PATH))?.value;
  assert.deepEqual({ rows: state?.rows, duplicates: state?.duplicates, files: state?.files.length, accounted: state?.accounted_ranges?.length }, { rows: 10, duplicates: 3, files: 1, accounted: 1 });
  assert.deepEqual(await log.openPartitions('orders'), [PATH]);
  const records = await log.recordsFrom('orders', 't', 0, 10);
  assert.deepEqual({ files: records.files.map((f) => f.key), accounted: records.accounted.map((a) => a.source.first_offset) }, { files: [], accounted: [10] });
  assert.equal((await log.commitKeys('orders', 't', 0)).length, 1, 'dedup seeding reads only the files');
  await assert.rejects(log.commitFile(ordersFileCommit(layout, PATH, 'b', 12, 20)), (err) => isTukangError(err, 'COMMIT_OVERLAP'));
  await assert.rejects(log.commitAccounted(accounted(5, 10, 1)), (err) => isTukangError(err, 'COMMIT_OVERLAP'));
  assert.equal((await log.readPartition('orders', PATH))?.value.duplicates, 3);
});

test('a compaction keeps the accounted ranges; a replay reads them and drops those it read', async () => {
  const { layout, log } = lake();
  await log.commitFile(ordersFileCommit(layout, PATH, 'a', 0, 9, { duplicates: 1 }));
  await log.commitAccounted(accounted(20, 21, 2));
  await log.completePartition('orders', PATH);
  const dataset = parseConfig({ datasets: [{ name: 'orders', topic: 't', envelope: { type: 'nakadi' }, schema: { columns: [{ name: 'n', type: 'int64' }] } }] }).datasets[0]!;
  const plan = await planReplay(dataset, [PATH], log, async () => [{ partition: 0, low: 0, high: 100 }]);
  assert.deepEqual(plan.ranges, [{ partition: 0, first: 0, last: 9 }, { partition: 0, first: 20, last: 21 }], 'the replay reads the accounted offsets too');

  const compacted = await log.switchToReplay('orders', PATH, 1, [ordersFileCommit(layout, PATH, 'c', 0, 9, { duplicates: 1 })], 'job', 'compaction');
  assert.deepEqual({ duplicates: compacted.duplicates, accounted: compacted.accounted_ranges?.length }, { duplicates: 3, accounted: 1 });
  // A late duplicate accounted while the replay ran (offsets past what it read) stays.
  await log.commitAccounted(accounted(40, 40, 1));
  const replayed = await log.switchToReplay('orders', PATH, 2, [ordersFileCommit(layout, PATH, 'r', 0, 9, { duplicates: 3 })], 'job', 'replay', plan.partitions[0]?.ranges);
  assert.deepEqual({ duplicates: replayed.duplicates, accounted: replayed.accounted_ranges?.map((a) => a.source.first_offset) }, { duplicates: 4, accounted: [40] });
});

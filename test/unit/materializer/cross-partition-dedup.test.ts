import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DatasetConfig } from '../../../src/config/schema.js';
import type { SourceRecord } from '../../../src/core/records.js';
import type { DatasetPipeline } from '../../../src/materializer/dataset-pipeline.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { readLake } from '../../helpers/lake-reader.js';
import { ORDERS_DATASET, memoryLake, orderRecord, ordersDataset, pipelineOver as driverPipeline, type MemoryLake } from '../../helpers/pipeline-driver.js';

// Regression (issue 11, item 1): after SIGKILLs the outside test found events committed twice, each
// time copies of one event sent to two source partitions. The deduplicator of a process only knows
// the ids it read itself and the ids it seeded, on assignment, from the committed files of that one
// source partition; source partitions are assigned lazily (on their first batch), and other
// instances own others. Nothing at commit time looked at the other source partitions' files.

const RAW = ORDERS_DATASET;
const dataset = ordersDataset();

function record(partition: number, offset: number, time: string, id: string): SourceRecord {
  return orderRecord(partition, offset, time, id, `o-${id}`);
}

function pipelineOver(lake: MemoryLake, ds: DatasetConfig = dataset): DatasetPipeline {
  return driverPipeline(lake, { dataset: ds, partitions: 2 });
}

async function rowsById(store: MemoryObjectStore): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const partition of await readLake(store, '', 'orders')) {
    for (const file of partition.files) for (const row of file.rows) counts.set(String(row['_event_id']), (counts.get(String(row['_event_id'])) ?? 0) + 1);
  }
  return counts;
}

test('after a restart, a copy in another source partition of an event already committed is not written again', async (t) => {
  const lake = memoryLake(t);
  const store = lake.store;

  const before = pipelineOver(lake);
  await before.assign(0, 0);
  await before.processBatch(0, [record(0, 0, '2026-11-21T10:10:00Z', 'x'), record(0, 1, '2026-11-21T10:12:00Z', 'a')], 2);
  before.shedLargest(Number.MAX_SAFE_INTEGER);
  await before.waitForFlushes(true);
  // Killed here. The restarted process gets partition 1's first batch before partition 0's.
  const after = pipelineOver(lake);
  await after.assign(1, 0);
  await after.processBatch(1, [record(1, 0, '2026-11-21T10:10:00Z', 'x'), record(1, 1, '2026-11-21T10:15:00Z', 'b')], 2);
  after.shedLargest(Number.MAX_SAFE_INTEGER);
  await after.waitForFlushes(true);

  assert.deepEqual(Object.fromEntries(await rowsById(store)), { x: 1, a: 1, b: 1 });
  assert.equal(after.counters.duplicates, 1, 'the dropped copy is counted as a duplicate');
  const [state] = await readLake(store, '', 'orders');
  assert.equal(state?.state.duplicates, 1, 'and recorded in the partition state');
});

test('two instances that each own one source partition and commit copies of one event at the same time write it once', async (t) => {
  const lake = memoryLake(t, new MemoryObjectStore(), 2);
  const store = lake.store;
  const one = pipelineOver(lake);
  const two = pipelineOver(lake);
  await one.assign(0, 0);
  await two.assign(1, 0);
  const events = (p: number): SourceRecord[] => [
    record(p, 0, '2026-11-21T10:10:00Z', 'x'),
    record(p, 1, '2026-11-21T10:11:00Z', `only-${p}`),
    record(p, 2, '2026-11-21T10:20:00Z', 'y'),
  ];
  await one.processBatch(0, events(0), 3);
  await two.processBatch(1, events(1), 3);
  one.shedLargest(Number.MAX_SAFE_INTEGER);
  two.shedLargest(Number.MAX_SAFE_INTEGER);
  await Promise.all([one.waitForFlushes(true), two.waitForFlushes(true)]);

  assert.deepEqual(Object.fromEntries([...(await rowsById(store))].sort()), { 'only-0': 1, 'only-1': 1, x: 1, y: 1 });
  assert.equal(one.counters.duplicates + two.counters.duplicates, 2);
});

for (const [window, expected] of [['1h', 1], ['10m', 2]] as const) {
  test(`copies of one id 50 minutes apart in two source partitions, dedup window ${window}: ${expected} row(s)`, async (t) => {
    const ds = ordersDataset({ watermark: { ...RAW.watermark, dedup_window: window } });
    const lake = memoryLake(t);
    const store = lake.store;
    const first = pipelineOver(lake, ds);
    await first.assign(0, 0);
    await first.processBatch(0, [record(0, 0, '2026-11-21T10:05:00Z', 'x')], 1);
    first.shedLargest(Number.MAX_SAFE_INTEGER);
    await first.waitForFlushes(true);
    const second = pipelineOver(lake, ds);
    await second.assign(1, 0);
    await second.processBatch(1, [record(1, 0, '2026-11-21T10:55:00Z', 'x')], 1);
    second.shedLargest(Number.MAX_SAFE_INTEGER);
    await second.waitForFlushes(true);
    assert.deepEqual(Object.fromEntries(await rowsById(store)), { x: expected });
  });
}

// Regression (found by the soak run of the crash loop, issue 11): both copies of an event were
// lost. The copy in source partition 1 was read first and was still buffered when the original in
// partition 0 came, as a duplicate, inside the range of a partition-0 file that was committed; then
// the process died. After the restart, the recovery coverage skipped the original (its offset lies
// in that committed range) and remembered its id, so the copy, read again, was dropped as a
// duplicate too. An offset inside a committed range is not a row of that file when it was a
// duplicate: skipped records are no longer remembered (copies are caught at commit instead).
test('a copy read first and lost in a crash is written after the restart, although the original offset is covered', async (t) => {
  const lake = memoryLake(t);
  const store = lake.store;
  const p0 = [record(0, 0, '2026-11-21T10:05:00Z', 'a'), record(0, 1, '2026-11-21T10:10:00Z', 'x'), record(0, 2, '2026-11-21T10:20:00Z', 'b')];
  const p1 = [record(1, 0, '2026-11-21T10:10:00Z', 'x')];

  const before = pipelineOver(lake);
  await before.assign(0, 0);
  await before.assign(1, 0);
  await before.processBatch(1, p1, 1);
  await before.processBatch(0, p0, 3);
  assert.equal(before.counters.duplicates, 1, 'the original, read second, is the duplicate');
  before.shedLargest(1); // the largest buffer only: partition 0's, offsets 0..2
  await before.waitForFlushes(true);
  assert.deepEqual([...before.committableOffsets()].sort(), [[0, 3], [1, 0]]);
  // Killed: partition 1's buffer (the copy) is lost; Kafka has offset 3 for partition 0, 0 for 1.
  // Partition 0 is read again from 0, as after a kill before its offset commit.
  const after = pipelineOver(lake);
  await after.assign(0, 0);
  await after.processBatch(0, p0, 3);
  await after.assign(1, 0);
  await after.processBatch(1, p1, 1);
  after.shedLargest(Number.MAX_SAFE_INTEGER);
  await after.waitForFlushes(true);
  assert.deepEqual(Object.fromEntries([...(await rowsById(store))].sort()), { a: 1, b: 1, x: 1 });
});

// Regression (found by the soak run of the crash loop, issue 11, after the fix above): both copies
// of an event were lost again, when the kill came between a file's partition-state write (the
// commit point) and its commit record (the publish copy runs in between). The restarted process
// had no commit record, so no recovery coverage for that file: its records were read again and
// buffered, among them the original, which had been a duplicate there (its copy in partition 1
// was buffered, and lost). The deduplicator remembered the re-read original and dropped the copy,
// read again after it; then the flush dropped the original, its offset inside the committed
// file's range. The coverage of an assignment now also holds the ranges that the states of open
// partitions list for the source partition, not only those with a commit record.
test('a copy read first and lost in a crash is written after the restart, although the covering file has no commit record yet', async (t) => {
  const lake = memoryLake(t);
  const store = lake.store;
  const p0 = [record(0, 0, '2026-11-21T10:05:00Z', 'a'), record(0, 1, '2026-11-21T10:10:00Z', 'x'), record(0, 2, '2026-11-21T10:20:00Z', 'b')];
  const p1 = [record(1, 0, '2026-11-21T10:10:00Z', 'x')];

  const before = pipelineOver(lake);
  await before.assign(0, 0);
  await before.assign(1, 0);
  await before.processBatch(1, p1, 1);
  await before.processBatch(0, p0, 3);
  before.shedLargest(1); // partition 0's buffer, offsets 0..2, with x counted as a duplicate
  await before.waitForFlushes(true);
  // Killed after the state write and before the commit record: take the record away.
  const records = await store.list('_tukang/datasets/orders/commits/');
  assert.equal(records.objects.length, 1);
  await store.delete(records.objects.map((o) => o.key));
  // Partition 0 is read again from 0 (its offset commit did not happen either), before partition 1.
  const after = pipelineOver(lake);
  await after.assign(0, 0);
  assert.equal((await store.list('_tukang/datasets/orders/commits/')).objects.length, 1, 'the missing commit record is written on assignment');
  await after.processBatch(0, p0, 3);
  assert.equal(after.counters.recoveredSkips, 3, 'the records of the committed file are skipped, not buffered');
  await after.assign(1, 0);
  await after.processBatch(1, p1, 1);
  after.shedLargest(Number.MAX_SAFE_INTEGER);
  await after.waitForFlushes(true);
  assert.deepEqual(Object.fromEntries([...(await rowsById(store))].sort()), { a: 1, b: 1, x: 1 });
});

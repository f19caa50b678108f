import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SourceRecord } from '../../../src/core/records.js';
import { listAll } from '../../../src/storage/object-store.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { readPartitionStates } from '../../helpers/lake-reader.js';
import { balance, brokenRecord as broken, failingEncoder, flushEverything, memoryLake, orderRecord as record, pipelineOver as driverPipeline, type MemoryLake } from '../../helpers/pipeline-driver.js';

// Issue 11, item 4: every consumed record is accounted for: rows + duplicates + rejected +
// skipped re-reads = consumed, in the counters of each process and in what the lake records.

const pipelineOver = (lake: MemoryLake) => driverPipeline(lake, { partitions: 2 });

async function deadLetterLines(store: MemoryObjectStore): Promise<number> {
  let n = 0;
  for await (const o of listAll(store, '_tukang/dead-letters/')) n += Buffer.from((await store.get(o.key))?.body ?? []).toString('utf8').split('\n').filter(Boolean).length;
  return n;
}

test('after a restart with re-reads, rejects and duplicates across source partitions, every consumed record is accounted for', async (t) => {
  const lake = memoryLake(t);
  const store = lake.store;
  const p0 = [record(0, 0, '2026-11-21T10:10:00Z', 'x'), record(0, 1, '2026-11-21T10:12:00Z', 'a'), broken(0, 2)];
  const p1 = [record(1, 0, '2026-11-21T10:10:00Z', 'x'), record(1, 1, '2026-11-21T10:15:00Z', 'b'), record(1, 2, '2026-11-21T10:10:00Z', 'x')];

  const before = pipelineOver(lake);
  await before.assign(0, 0);
  await before.processBatch(0, p0, 3);
  before.shedLargest(Number.MAX_SAFE_INTEGER);
  await before.waitForFlushes(true);
  await before.tick();
  assert.deepEqual(balance(before.counters), { consumed: 3, accounted: 3 });
  // Killed before Kafka's offsets were committed: partition 0 is read again from offset 0.
  const after = pipelineOver(lake);
  await after.assign(1, 0);
  await after.processBatch(1, p1, 3);
  await after.assign(0, 0);
  await after.processBatch(0, p0, 3);
  after.shedLargest(Number.MAX_SAFE_INTEGER);
  await after.waitForFlushes(true);
  await after.tick();
  assert.deepEqual(balance(after.counters), { consumed: 6, accounted: 6 });
  assert.deepEqual({ duplicates: after.counters.duplicates, skipped: after.counters.recoveredSkips }, { duplicates: 2, skipped: 3 });

  // The lake: rows + recorded duplicates + dead letters = the six records produced.
  const [state] = await readPartitionStates(store, '', 'orders');
  assert.deepEqual({ rows: state?.rows, duplicates: state?.duplicates, dead_letters: await deadLetterLines(store) }, { rows: 3, duplicates: 2, dead_letters: 1 });
});

test("rows a previous owner committed while the new owner buffered them are counted as skipped re-reads", async (t) => {
  const lake = memoryLake(t);
  const store = lake.store;
  const hour10 = (offset: number): SourceRecord => record(0, offset, `2026-11-21T10:${String(10 + offset).padStart(2, '0')}:00Z`, `e${offset}`);
  const previous = pipelineOver(lake);
  await previous.assign(0, 0);
  await previous.processBatch(0, [0, 1, 2, 3, 4].map(hour10), 5);
  const next = pipelineOver(lake);
  await next.assign(0, 0);
  previous.shedLargest(Number.MAX_SAFE_INTEGER);
  await previous.waitForFlushes(true);
  await next.processBatch(0, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(hour10), 10);
  next.shedLargest(Number.MAX_SAFE_INTEGER);
  await next.waitForFlushes(true);
  assert.deepEqual(balance(next.counters), { consumed: 10, accounted: 10 });
  assert.equal(next.counters.recoveredSkips, 5);
});

// The last edge of item 4: a duplicate dropped while no buffer of its (time partition, source
// partition) was open, a flush whose every row was already in the lake, and the duplicates of a
// buffer sent to the dead-letter area were counted by the process but not in state.json. Each test
// checks the lake (rows + duplicates + dead letters = records produced), then kills the process
// before Kafka's offsets were committed and reads everything again: still equal, nothing counted twice.

/** What the lake accounts for: rows and duplicates of every partition state, and dead-letter lines. */
async function lakeAccounting(store: MemoryObjectStore): Promise<{ rows: number; duplicates: number; dead_letters: number; total: number }> {
  const states = await readPartitionStates(store, '', 'orders');
  const rows = states.reduce((n, s) => n + s.rows, 0);
  const duplicates = states.reduce((n, s) => n + s.duplicates, 0);
  const dead_letters = await deadLetterLines(store);
  return { rows, duplicates, dead_letters, total: rows + duplicates + dead_letters };
}

async function accountedRecords(store: MemoryObjectStore): Promise<string[]> {
  return (await store.list('_tukang/datasets/orders/commits/')).objects.map((o) => o.key).filter((k) => k.includes('-accounted-'));
}

/** A new process reads both source partitions again from offset 0 (the kill came before any offset commit). */
async function rereadAll(lake: MemoryLake, batches: Array<[number, SourceRecord[]]>, options: Parameters<typeof driverPipeline>[1] = {}): Promise<ReturnType<typeof pipelineOver>> {
  const pipeline = driverPipeline(lake, { partitions: 2, ...options });
  for (const [p] of batches) await pipeline.assign(p, 0);
  for (const [p, records] of batches) await pipeline.processBatch(p, records, records.length);
  await flushEverything(pipeline);
  await pipeline.tick();
  return pipeline;
}

test('a duplicate whose source partition has no open buffer of its hour holds the offsets back and is counted in the lake, once after kills', async (t) => {
  const lake = memoryLake(t);
  const store = lake.store;
  // Partition 1 reads the copy of x while it buffers only hour 11.
  const batches: Array<[number, SourceRecord[]]> = [
    [0, [record(0, 0, '2026-11-21T10:10:00Z', 'x')]],
    [1, [record(1, 0, '2026-11-21T11:15:00Z', 'b'), record(1, 1, '2026-11-21T10:10:00Z', 'x')]],
  ];
  const first = pipelineOver(lake);
  for (const [p] of batches) await first.assign(p, 0);
  for (const [p, records] of batches) await first.processBatch(p, records, records.length);
  assert.deepEqual([...first.committableOffsets()], [[0, 0], [1, 0]], 'Kafka may not learn offset 1 of partition 1 before its duplicate is durable');
  await flushEverything(first);
  await first.tick();
  assert.deepEqual(await lakeAccounting(store), { rows: 2, duplicates: 1, dead_letters: 0, total: 3 });
  assert.deepEqual([...first.committableOffsets()], [[0, 1], [1, 2]]);
  const hour10 = (await readPartitionStates(store, '', 'orders')).find((s) => s.partition_path.endsWith('event_hour=10'));
  assert.deepEqual(hour10?.accounted_ranges?.map((a) => [a.source.partition, a.source.first_offset, a.source.last_offset, a.duplicates]), [[1, 1, 1, 1]]);
  assert.equal(hour10?.files.length, 1, 'no data file for the duplicate');

  // Killed between the partition state and the commit record: the record is missing.
  const records = await accountedRecords(store);
  assert.equal(records.length, 1);
  await store.delete(records);
  const second = await rereadAll(lake, batches);
  assert.equal((await accountedRecords(store)).length, 1, 'the missing record is written on assignment');
  assert.deepEqual({ skipped: second.counters.recoveredSkips, duplicates: second.counters.duplicates }, { skipped: 3, duplicates: 0 });
  assert.deepEqual(await lakeAccounting(store), { rows: 2, duplicates: 1, dead_letters: 0, total: 3 });
  // And killed once more, after everything was durable.
  const third = await rereadAll(lake, batches);
  assert.deepEqual(balance(third.counters), { consumed: 3, accounted: 3 });
  assert.deepEqual(await lakeAccounting(store), { rows: 2, duplicates: 1, dead_letters: 0, total: 3 });
});

test('a flush whose every row is already in the lake commits its duplicates without a data file, once after a kill', async (t) => {
  const lake = memoryLake(t);
  const store = lake.store;
  const p0: SourceRecord[] = [record(0, 0, '2026-11-21T10:10:00Z', 'x'), record(0, 1, '2026-11-21T10:20:00Z', 'y')];
  const p1: SourceRecord[] = [record(1, 0, '2026-11-21T10:10:00Z', 'x'), record(1, 1, '2026-11-21T10:20:00Z', 'y')];
  // One instance writes partition 0; another, which never saw those ids, reads their copies in partition 1.
  const one = pipelineOver(lake);
  await one.assign(0, 0);
  await one.processBatch(0, p0, 2);
  await flushEverything(one);
  const two = pipelineOver(lake);
  await two.assign(1, 0);
  await two.processBatch(1, p1, 2);
  await flushEverything(two);
  assert.equal(two.counters.duplicates, 2, 'dropped at commit as already in the lake');
  const before = (await store.list('orders/')).objects.map((o) => o.key);
  assert.deepEqual(await lakeAccounting(store), { rows: 2, duplicates: 2, dead_letters: 0, total: 4 });
  const [state] = await readPartitionStates(store, '', 'orders');
  assert.deepEqual(state?.accounted_ranges?.map((a) => [a.source.partition, a.source.first_offset, a.source.last_offset, a.duplicates]), [[1, 0, 1, 2]]);
  assert.equal(before.filter((k) => k.endsWith('.parquet')).length, 1, 'folder readers see the one file of partition 0, nothing new');

  // Both instances killed before their offset commits; one process reads everything again.
  const again = await rereadAll(lake, [[0, p0], [1, p1]]);
  assert.deepEqual(balance(again.counters), { consumed: 4, accounted: 4 });
  assert.equal(again.counters.recoveredSkips, 4);
  assert.deepEqual(await lakeAccounting(store), { rows: 2, duplicates: 2, dead_letters: 0, total: 4 });
  assert.deepEqual((await store.list('orders/')).objects.map((o) => o.key), before);
});

test("the duplicates of a buffer whose rows went to the dead-letter area (unflushable) are counted in the lake, once after a kill", { timeout: 20_000 }, async (t) => {
  const lake = memoryLake(t);
  const store = lake.store;
  const encoder = failingEncoder(lake.encoder, 'ENCODE_FAILED');
  const p0: SourceRecord[] = [record(0, 0, '2026-11-21T10:10:00Z', 'a'), record(0, 1, '2026-11-21T10:12:00Z', 'b'), record(0, 2, '2026-11-21T10:10:00Z', 'a')];
  const first = await rereadAll(lake, [[0, p0]], { encoder, partitions: 1, topic: p0 });
  assert.deepEqual(balance(first.counters), { consumed: 3, accounted: 3 });
  assert.deepEqual(await lakeAccounting(store), { rows: 0, duplicates: 1, dead_letters: 2, total: 3 });
  assert.equal((await store.list('orders/')).objects.filter((o) => o.key.endsWith('.parquet')).length, 0, 'no data file');

  const again = await rereadAll(lake, [[0, p0]], { encoder, partitions: 1, topic: p0 });
  assert.deepEqual(balance(again.counters), { consumed: 3, accounted: 3 });
  assert.equal(again.counters.recoveredSkips, 3);
  assert.deepEqual(await lakeAccounting(store), { rows: 0, duplicates: 1, dead_letters: 2, total: 3 });
});

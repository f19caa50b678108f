import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SourceRecord } from '../../../src/core/records.js';
import { listAll } from '../../../src/storage/object-store.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { readPartitionStates } from '../../helpers/lake-reader.js';
import { balance, brokenRecord as broken, memoryLake, orderRecord as record, pipelineOver as driverPipeline, type MemoryLake } from '../../helpers/pipeline-driver.js';

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

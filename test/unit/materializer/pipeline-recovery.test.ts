import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SourceRecord } from '../../../src/core/records.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { readPartitionStates, readParquetObject } from '../../helpers/lake-reader.js';
import { memoryLake, orderRecord, pipelineOver } from '../../helpers/pipeline-driver.js';

function record(offset: number, time: string, id = `e${offset}`): SourceRecord {
  return orderRecord(0, offset, time, id, `o${offset}`);
}

test('after a crash, records re-read past the committed offset that are already in a committed file are skipped', async (t) => {
  const lake = memoryLake(t);
  const store = lake.store;

  const a = pipelineOver(lake);
  await a.assign(0, 0);
  await a.processBatch(0, [record(0, '2026-11-21T10:50:00Z'), record(1, '2026-11-21T11:05:00Z'), record(2, '2026-11-21T10:58:00Z'), record(3, '2026-11-21T11:20:00Z')], 4);
  await a.waitForFlushes(true);
  assert.deepEqual([...a.committableOffsets()], [[0, 1]], 'hour 11 still buffers offset 1, so only offset 0 is committable');
  // The process dies here: hour 11's buffer is lost; Kafka's committed offset is 1.

  const b = pipelineOver(lake);
  await b.assign(0, 1);
  await b.processBatch(0, [record(1, '2026-11-21T11:05:00Z'), record(2, '2026-11-21T10:58:00Z'), record(3, '2026-11-21T11:20:00Z'), record(4, '2026-11-21T11:30:00Z'), record(5, '2026-11-21T12:15:00Z')], 6);
  await b.waitForFlushes(true);
  assert.equal(b.counters.recoveredSkips, 1);

  const states = await readPartitionStates(store, '', 'orders');
  const offsetsByHour = new Map<string, number[]>();
  for (const state of states) {
    const offsets: number[] = [];
    for (const f of state.files) for (const row of (await readParquetObject(store, f.key)).rows) offsets.push(Number(row['_source_offset']));
    offsetsByHour.set(state.partition_path.slice(-2), offsets.sort((x, y) => x - y));
  }
  assert.deepEqual(offsetsByHour.get('10'), [0, 2]);
  assert.deepEqual(offsetsByHour.get('11'), [1, 3, 4]);
  assert.deepEqual([...b.committableOffsets()], [[0, 5]], 'hour 12 holds offset 5');
});

test('a previous owner whose flush lands after the new owner started: its rows are neither lost nor doubled', async (t) => {
  const lake = memoryLake(t);
  const store = lake.store;
  const hour10 = (offset: number): SourceRecord => record(offset, `2026-11-21T10:${String(10 + offset).padStart(2, '0')}:00Z`);

  const previous = pipelineOver(lake);
  await previous.assign(0, 0);
  await previous.processBatch(0, [0, 1, 2, 3, 4].map(hour10), 5);
  // The partition moves; the new owner builds its recovery view before the old flush commits.
  const next = pipelineOver(lake);
  await next.assign(0, 0);
  previous.shedLargest(Number.MAX_SAFE_INTEGER);
  await previous.waitForFlushes(true);

  await next.processBatch(0, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(hour10), 10);
  next.shedLargest(Number.MAX_SAFE_INTEGER);
  await next.waitForFlushes(true);

  const [state] = await readPartitionStates(store, '', 'orders');
  const offsets: number[] = [];
  for (const f of state?.files ?? []) for (const row of (await readParquetObject(store, f.key)).rows) offsets.push(Number(row['_source_offset']));
  assert.deepEqual(offsets.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(state?.files.map((f) => [f.source.first_offset, f.source.last_offset]), [[0, 4], [5, 9]]);
});

test('rejected records hold the committable offset until their dead-letter batch is written, and are not written twice after a restart', async (t) => {
  const lake = memoryLake(t);
  const store = lake.store;
  const bad: SourceRecord = { topic: 'orders', partition: 0, offset: 0, timestampMs: 0, key: null, value: Buffer.from('{"not json') };
  const a = pipelineOver(lake);
  await a.assign(0, 0);
  await a.processBatch(0, [bad], 1);
  assert.deepEqual([...a.committableOffsets()], [[0, 0]]);
  await a.tick();
  assert.deepEqual([...a.committableOffsets()], [[0, 1]]);
  const letters = store.keys().filter((k) => k.startsWith('_tukang/dead-letters/'));
  assert.equal(letters.length, 1);

  const b = pipelineOver(lake);
  await b.assign(0, 0);
  await b.processBatch(0, [bad], 1);
  await b.tick();
  assert.equal(b.counters.recoveredSkips, 1);
  assert.deepEqual(store.keys().filter((k) => k.startsWith('_tukang/dead-letters/')), letters);
});

test('a revoked partition drops its buffers and is never reported committable again', async (t) => {
  const lake = memoryLake(t);
  const store = lake.store;
  const a = pipelineOver(lake);
  await a.assign(0, 0);
  await a.processBatch(0, [record(0, '2026-11-21T10:50:00Z')], 1);
  assert.ok(a.bufferedBytes() > 0);
  a.revoke([0]);
  assert.equal(a.bufferedBytes(), 0);
  assert.equal(a.committableOffsets().size, 0);
  await a.processBatch(0, [record(1, '2026-11-21T10:51:00Z')], 2);
  assert.equal(a.counters.consumed, 1, 'a batch arriving after revocation is ignored');
});

test('regression: rejects arriving while a dead-letter batch is being written are not dropped', async (t) => {
  class GatedStore extends MemoryObjectStore {
    release: () => void = () => undefined;
    private gate: Promise<void> | undefined = new Promise((resolve) => (this.release = resolve));
    override async put(key: string, body: Uint8Array | string, options = {}): Promise<{ etag: string }> {
      if (key.includes('dead-letters') && this.gate) await this.gate;
      return super.put(key, body, options);
    }
  }
  const store = new GatedStore();
  const lake = memoryLake(t, store);
  const bad = (offset: number): SourceRecord => ({ topic: 'orders', partition: 0, offset, timestampMs: 0, key: null, value: Buffer.from('{oops') });
  const pipeline = pipelineOver(lake);
  await pipeline.assign(0, 0);
  await pipeline.processBatch(0, [bad(0)], 1);
  const writing = pipeline.tick();
  await new Promise((r) => setTimeout(r, 20));
  await pipeline.processBatch(0, [bad(1)], 2);
  store.release();
  await writing;
  await pipeline.tick();
  const lines: string[] = [];
  for (const key of store.keys().filter((k) => k.includes('dead-letters'))) {
    lines.push(...Buffer.from((await store.get(key))?.body ?? []).toString('utf8').split('\n').filter(Boolean));
  }
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { offset: number }).offset).sort(), [0, 1]);
  assert.deepEqual([...pipeline.committableOffsets()], [[0, 2]]);
});

// Regression: the rebalance test lost ~5,000 events once. A partition revoked before its buffers
// were written, then assigned back to the same instance before anyone committed them, was read
// again, and the deduplicator still remembered those ids: every row was dropped as a duplicate.
test('a partition revoked and assigned back re-reads its unwritten rows as rows, not duplicates', async (t) => {
  const lake = memoryLake(t);
  const store = lake.store;
  const records = [record(0, '2026-11-21T10:50:00Z'), record(1, '2026-11-21T10:51:00Z'), record(2, '2026-11-21T10:52:00Z', 'e0')];

  const a = pipelineOver(lake);
  await a.assign(0, 0);
  await a.processBatch(0, records, 3);
  assert.equal(a.counters.duplicates, 1, 'offset 2 repeats the id of offset 0');
  a.revoke([0]);
  await a.assign(0, 0);
  await a.processBatch(0, records, 3);
  assert.equal(a.counters.duplicates, 2, 'only the true duplicate is dropped again');
  assert.deepEqual([...a.committableOffsets()], [[0, 0]], 'the two rows are buffered again, holding offset 0');
  a.revoke([0]);
  await a.waitForFlushes(true);
});

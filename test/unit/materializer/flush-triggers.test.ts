import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PartitionBuffer } from '../../../src/buffering/partition-buffer.js';
import { dueAt, dueBuffers, largestToShed, type FlushTiming } from '../../../src/materializer/flush-triggers.js';
import { readPartitionStates } from '../../helpers/lake-reader.js';
import { FakeClock, memoryLake, orderRecord, ordersDataset, pipelineOver } from '../../helpers/pipeline-driver.js';

const HOUR = 3_600_000;
const H10 = Date.parse('2026-11-21T10:00:00Z');
const timing: FlushTiming = { partitionMs: HOUR, lateness: 60_000, lateBatchWindow: 30_000 };

function buffer(startMs: number, bytes: number, options: { late?: boolean; createdAt?: number } = {}): PartitionBuffer {
  const b = new PartitionBuffer(`k${startMs}-${bytes}`, `p${startMs}`, startMs, 0, 0, options.createdAt ?? 0);
  b.add({ eventId: 'e', eventTimeMs: startMs }, 0, 0, bytes);
  b.late = options.late ?? false;
  return b;
}

test('watermark: a buffer is due once the watermark reaches its end plus the allowed lateness', () => {
  const b = buffer(H10, 1);
  assert.equal(dueAt(b, timing), H10 + HOUR + 60_000);
  assert.deepEqual(dueBuffers([b], H10 + HOUR + 59_999, 0, timing), []);
  assert.deepEqual(dueBuffers([b], H10 + HOUR + 60_000, 0, timing), [b]);
});

test('late batch window: a late buffer waits for the window even when due', () => {
  const late = buffer(H10, 1, { late: true, createdAt: 1_000 });
  const watermark = H10 + 5 * HOUR;
  assert.deepEqual(dueBuffers([late], watermark, 1_000 + 29_999, timing), []);
  assert.deepEqual(dueBuffers([late], watermark, 1_000 + 30_000, timing), [late]);
});

test('max buffer age: a buffer open that long is written before its partition is due; off at 0; late buffers keep their window', () => {
  const open = buffer(H10, 1, { createdAt: 1_000 });
  const late = buffer(H10, 1, { late: true, createdAt: 1_000 });
  const aged: FlushTiming = { ...timing, maxBufferAge: 2_000 };
  const watermark = H10 + 600_000; // hour 10 is not due
  assert.deepEqual(dueBuffers([open, late], watermark, 2_999, aged), []);
  assert.deepEqual(dueBuffers([open, late], watermark, 3_000, aged), [open]);
  assert.deepEqual(dueBuffers([open], watermark, 1_000_000, { ...timing, maxBufferAge: 0 }), [], 'off');
});

test('memory pressure: the largest buffers are chosen until the bytes to free are covered', () => {
  const [small, big, middle] = [buffer(H10, 10), buffer(H10 + HOUR, 500), buffer(H10 + 2 * HOUR, 100)];
  assert.deepEqual(largestToShed([small, big, middle] as PartitionBuffer[], 1), [big]);
  assert.deepEqual(largestToShed([small, big, middle] as PartitionBuffer[], 550), [big, middle]);
  assert.deepEqual(largestToShed([small, big, middle] as PartitionBuffer[], 0), []);
});

async function pathsWritten(store: Parameters<typeof readPartitionStates>[0]): Promise<string[]> {
  return (await readPartitionStates(store, '', 'orders')).map((s) => s.partition_path.slice(-2)).sort();
}

test('in the pipeline: the watermark of a later record flushes the hour it closed, and only that hour', async (t) => {
  const lake = memoryLake(t);
  const pipeline = pipelineOver(lake, { clock: new FakeClock() });
  await pipeline.assign(0, 0);
  await pipeline.processBatch(0, [orderRecord(0, 0, '2026-11-21T10:10:00Z', 'a'), orderRecord(0, 1, '2026-11-21T11:05:00Z', 'b')], 5);
  await pipeline.waitForFlushes(true);
  assert.deepEqual(await pathsWritten(lake.store), [], 'watermark 10:55 (10 min out of orderness): hour 10 is not over');
  await pipeline.processBatch(0, [orderRecord(0, 2, '2026-11-21T11:11:00Z', 'c')], 5);
  await pipeline.waitForFlushes(true);
  assert.deepEqual(await pathsWritten(lake.store), ['10'], 'watermark 11:01 = end of hour 10 + 1 min lateness');
  assert.deepEqual([...pipeline.committableOffsets()], [[0, 1]]);
});

test('in the pipeline: files.target_rows starts a flush as soon as a buffer holds that many rows', async (t) => {
  const lake = memoryLake(t);
  const pipeline = pipelineOver(lake, { dataset: ordersDataset({ files: { target_rows: 2 } }) });
  await pipeline.assign(0, 0);
  await pipeline.processBatch(0, [0, 1, 2].map((o) => orderRecord(0, o, `2026-11-21T10:1${o}:00Z`, `e${o}`)), 3);
  await pipeline.waitForFlushes(true);
  const [state] = await readPartitionStates(lake.store, '', 'orders');
  assert.deepEqual(state?.files.map((f) => [f.source.first_offset, f.source.last_offset]), [[0, 1]]);
  assert.deepEqual([...pipeline.committableOffsets()], [[0, 2]], 'the third row is still buffered');
});

test('in the pipeline: files.target_bytes starts a flush too', async (t) => {
  const lake = memoryLake(t);
  const pipeline = pipelineOver(lake, { dataset: ordersDataset({ files: { target_bytes: 1024 } }) });
  await pipeline.assign(0, 0);
  await pipeline.processBatch(0, [0, 1, 2, 3, 4, 5].map((o) => orderRecord(0, o, `2026-11-21T10:1${o}:00Z`, `e${o}`)), 6);
  await pipeline.waitForFlushes(true);
  const files = (await readPartitionStates(lake.store, '', 'orders'))[0]?.files ?? [];
  assert.ok(files.length >= 1 && (files[0]?.rows ?? 0) < 6, `a file before all six rows: ${files.map((f) => f.rows).join(', ')}`);
});

test('in the pipeline: files.max_buffer_age writes a buffer that old although its hour is open, and Kafka may pass it', async (t) => {
  const lake = memoryLake(t);
  const clock = new FakeClock();
  const pipeline = pipelineOver(lake, { clock, dataset: ordersDataset({ files: { max_buffer_age: '2s' } }) });
  await pipeline.assign(0, 0);
  await pipeline.processBatch(0, [orderRecord(0, 0, '2026-11-21T10:10:00Z', 'a')], 2);
  clock.advance(1_999);
  await pipeline.processBatch(0, [orderRecord(0, 1, '2026-11-21T10:10:01Z', 'b')], 2);
  await pipeline.tick();
  await pipeline.waitForFlushes(true);
  assert.deepEqual(await pathsWritten(lake.store), [], 'younger than 2 s');
  clock.advance(1);
  await pipeline.tick();
  await pipeline.waitForFlushes(true);
  assert.deepEqual((await readPartitionStates(lake.store, '', 'orders'))[0]?.files.map((f) => f.rows), [2], 'both rows, hour 10 still open');
  assert.deepEqual([...pipeline.committableOffsets()], [[0, 2]]);
});

test('in the pipeline: an idle, caught-up source partition flushes everything on the tick; one that lags does not', async (t) => {
  const lake = memoryLake(t);
  const clock = new FakeClock();
  const pipeline = pipelineOver(lake, { clock, dataset: ordersDataset({ watermark: { ...ordersDataset().watermark, idle_timeout: 1_000 } }), partitions: 2 });
  await pipeline.assign(0, 0);
  await pipeline.assign(1, 0);
  await pipeline.processBatch(0, [orderRecord(0, 0, '2026-11-21T10:10:00Z', 'a')], 1);
  await pipeline.processBatch(1, [orderRecord(1, 0, '2026-11-21T10:10:00Z', 'b')], 50); // 49 more records to read
  clock.advance(999);
  await pipeline.tick();
  await pipeline.waitForFlushes(true);
  assert.deepEqual([...pipeline.committableOffsets()].sort(), [[0, 0], [1, 0]], 'not idle yet');
  clock.advance(1);
  await pipeline.tick();
  await pipeline.waitForFlushes(true);
  assert.deepEqual([...pipeline.committableOffsets()].sort(), [[0, 1], [1, 0]], 'partition 0 idle and caught up; partition 1 paused behind, not idle');
});

test('in the pipeline: a late buffer collects rows for the late batch window, then makes one new version', async (t) => {
  const lake = memoryLake(t);
  const clock = new FakeClock();
  const pipeline = pipelineOver(lake, { clock, dataset: ordersDataset({ files: { late_batch_window: '30s' } }) });
  await pipeline.assign(0, 0);
  await pipeline.processBatch(0, [orderRecord(0, 0, '2026-11-21T10:10:00Z', 'a'), orderRecord(0, 1, '2026-11-21T12:00:00Z', 'b')], 2);
  await pipeline.waitForFlushes(true);
  assert.deepEqual(await pathsWritten(lake.store), ['10']);
  await pipeline.processBatch(0, [orderRecord(0, 2, '2026-11-21T10:20:00Z', 'late1')], 3);
  clock.advance(29_999);
  await pipeline.processBatch(0, [orderRecord(0, 3, '2026-11-21T10:30:00Z', 'late2')], 4);
  await pipeline.tick();
  await pipeline.waitForFlushes(true);
  assert.equal((await readPartitionStates(lake.store, '', 'orders'))[0]?.files.length, 1, 'the late rows wait');
  clock.advance(1);
  await pipeline.tick();
  await pipeline.waitForFlushes(true);
  const hour10 = (await readPartitionStates(lake.store, '', 'orders')).find((s) => s.partition_path.endsWith('10'));
  assert.deepEqual(hour10?.files.map((f) => f.rows), [1, 2], 'both late rows in one file');
});

test('in the pipeline: under memory pressure the largest buffer is flushed early and counted', async (t) => {
  const lake = memoryLake(t);
  const pipeline = pipelineOver(lake);
  await pipeline.assign(0, 0);
  await pipeline.processBatch(0, [orderRecord(0, 0, '2026-11-21T10:10:00Z', 'a'), orderRecord(0, 1, '2026-11-21T11:05:00Z', 'b'), orderRecord(0, 2, '2026-11-21T11:06:00Z', 'c')], 3);
  const before = pipeline.bufferedBytes();
  const freed = pipeline.shedLargest(1);
  await pipeline.waitForFlushes(true);
  assert.deepEqual(await pathsWritten(lake.store), ['11']);
  assert.equal(pipeline.counters.earlyFlushes, 1);
  assert.equal(pipeline.bufferedBytes(), before - freed);
});

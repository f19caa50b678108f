import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PartitionBuffer } from '../../../src/buffering/partition-buffer.js';
import { checkpointFor, partitionsToComplete, type SourceProgress } from '../../../src/materializer/completeness.js';
import type { FlushTiming } from '../../../src/materializer/flush-triggers.js';
import { FakeClock, memoryLake, orderRecord, ordersDataset, pipelineOver } from '../../helpers/pipeline-driver.js';

const HOUR = 3_600_000;
const H10 = Date.parse('2026-11-21T10:00:00Z');
const timing: FlushTiming = { partitionMs: HOUR, lateness: 60_000, lateBatchWindow: 0 };
const endOf = (path: string): number => Number(path) + HOUR;

function buffer(startMs: number, late = false): PartitionBuffer {
  const b = new PartitionBuffer(`k${startMs}`, String(startMs), startMs, 0, 0, 0);
  b.late = late;
  return b;
}
const progress = (over: Partial<SourceProgress>): SourceProgress => ({ partition: 0, watermark: H10 + 5 * HOUR, quiet: false, maxEventTimeMs: H10 + 5 * HOUR + 1, open: [], inFlight: [], ...over });

test('a checkpoint vouches up to the watermark when nothing is pending', () => {
  const c = checkpointFor('orders', 't', progress({}), timing, endOf);
  assert.deepEqual({ through: c.flushed_through_ms, max: c.max_event_time_ms, idle: c.idle }, { through: H10 + 5 * HOUR, max: H10 + 5 * HOUR + 1, idle: false });
});

test('an open buffer caps the checkpoint just before its due time; an in-flight one too', () => {
  assert.equal(checkpointFor('orders', 't', progress({ open: [buffer(H10 + HOUR)] }), timing, endOf).flushed_through_ms, H10 + 2 * HOUR + 60_000 - 1);
  assert.equal(checkpointFor('orders', 't', progress({ open: [buffer(H10 + 2 * HOUR)], inFlight: [buffer(H10)] }), timing, endOf).flushed_through_ms, H10 + HOUR + 60_000 - 1);
});

test('a late buffer does not hold the checkpoint back (its partition was vouched for already)', () => {
  assert.equal(checkpointFor('orders', 't', progress({ open: [buffer(H10, true)] }), timing, endOf).flushed_through_ms, H10 + 5 * HOUR);
});

test('a quiet source partition is idle only with nothing pending', () => {
  assert.equal(checkpointFor('orders', 't', progress({ quiet: true }), timing, endOf).idle, true);
  assert.equal(checkpointFor('orders', 't', progress({ quiet: true, open: [buffer(H10, true)] }), timing, endOf).idle, true, 'late rows only: still idle');
  assert.equal(checkpointFor('orders', 't', progress({ quiet: true, inFlight: [buffer(H10)] }), timing, endOf).idle, false);
});

test('before any event the checkpoint says -1 and no max event time', () => {
  const c = checkpointFor('orders', 't', progress({ watermark: Number.NEGATIVE_INFINITY, maxEventTimeMs: Number.NEGATIVE_INFINITY }), timing, endOf);
  assert.deepEqual([c.flushed_through_ms, c.max_event_time_ms], [-1, null]);
});

test('a partition completes once `through` reaches its end plus lateness, unless something of it is pending here', () => {
  const open = [{ path: String(H10) }, { path: String(H10 + HOUR) }, { path: String(H10 - HOUR) }];
  assert.deepEqual(partitionsToComplete(open, H10 + HOUR + 60_000 - 1, new Set(), 60_000, endOf), [{ path: String(H10 - HOUR) }]);
  assert.deepEqual(partitionsToComplete(open, H10 + HOUR + 60_000, new Set(), 60_000, endOf).map((p) => p.path), [String(H10), String(H10 - HOUR)]);
  assert.deepEqual(partitionsToComplete(open, H10 + 9 * HOUR, new Set([String(H10)]), 60_000, endOf).map((p) => p.path), [String(H10 + HOUR), String(H10 - HOUR)]);
});

test('in the pipeline: an hour completes when every source partition has passed it; a silent one holds it until it idles', async (t) => {
  const lake = memoryLake(t);
  const clock = new FakeClock();
  const pipeline = pipelineOver(lake, { clock, partitions: 2, dataset: ordersDataset({ watermark: { ...ordersDataset().watermark, idle_timeout: 60_000 } }) });
  await pipeline.assign(0, 0);
  await pipeline.assign(1, 0);
  await pipeline.processBatch(0, [orderRecord(0, 0, '2026-11-21T10:10:00Z', 'a'), orderRecord(0, 1, '2026-11-21T11:20:00Z', 'b')], 2);
  await pipeline.waitForFlushes(true);
  await pipeline.tick();
  const status = async (): Promise<string | undefined> => (await lake.commitLog.readPartition('orders', 'event_date=2026-11-21/event_hour=10'))?.value.status;
  assert.equal(await status(), 'open', 'partition 1 has not passed hour 10');
  clock.advance(30_000);
  await pipeline.processBatch(1, [orderRecord(1, 0, '2026-11-21T10:50:00Z', 'c')], 1);
  await pipeline.tick();
  await pipeline.waitForFlushes(true);
  assert.equal(await status(), 'open', 'partition 1 still buffers hour 10');
  clock.advance(60_000);
  await pipeline.tick(); // partition 1 idles: flushes, then vouches for everything it saw
  await pipeline.waitForFlushes(true);
  await pipeline.tick();
  assert.equal(await status(), 'complete');
  assert.equal(pipeline.counters.partitionsCompleted, 1);
  const state = (await lake.commitLog.readPartition('orders', 'event_date=2026-11-21/event_hour=10'))?.value;
  assert.equal(state?.rows, 2);
});

test('a source partition with a backlog it has not fetched yet is not idle: hours it still has records for stay open', async (t) => {
  const lake = memoryLake(t);
  const clock = new FakeClock();
  const pipeline = pipelineOver(lake, { clock, partitions: 2, dataset: ordersDataset({ watermark: { ...ordersDataset().watermark, idle_timeout: 60_000 } }) });
  await pipeline.assign(0, 0, 2);
  // Partition 1 was read up to offset 0 by a previous owner; its log holds 3 more records.
  await pipeline.assign(1, 0, 3);
  await pipeline.processBatch(0, [orderRecord(0, 0, '2026-11-21T10:10:00Z', 'a'), orderRecord(0, 1, '2026-11-21T12:20:00Z', 'b')], 2);
  await pipeline.waitForFlushes(true);
  const status = async (): Promise<string | undefined> => (await lake.commitLog.readPartition('orders', 'event_date=2026-11-21/event_hour=10'))?.value.status;
  // Its first fetch is slow (a restart on a busy machine): longer than the idle timeout.
  clock.advance(120_000);
  await pipeline.tick();
  await pipeline.waitForFlushes(true);
  await pipeline.tick();
  assert.equal(await status(), 'open', 'partition 1 has not read its backlog');
  await pipeline.processBatch(1, [orderRecord(1, 0, '2026-11-21T10:50:00Z', 'c'), orderRecord(1, 1, '2026-11-21T10:55:00Z', 'd'), orderRecord(1, 2, '2026-11-21T12:30:00Z', 'e')], 3);
  await pipeline.tick();
  await pipeline.waitForFlushes(true);
  await pipeline.tick();
  const state = (await lake.commitLog.readPartition('orders', 'event_date=2026-11-21/event_hour=10'))?.value;
  assert.equal(state?.status, 'complete');
  assert.deepEqual([state?.rows, state?.late_rows, state?.version], [3, 0, 1], 'the backlog went into the hour before it completed, not as late data');
});

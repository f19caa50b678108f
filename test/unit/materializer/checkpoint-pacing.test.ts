import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDecoder } from '../../../src/cleansing/decode.js';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';
import { CommitLog } from '../../../src/commit/commit-log.js';
import { parseConfig } from '../../../src/config/load.js';
import type { SourceRecord } from '../../../src/core/records.js';
import { silentLogger } from '../../../src/log/logger.js';
import { DatasetPipeline } from '../../../src/materializer/dataset-pipeline.js';
import { CountingObjectStore } from '../../../src/storage/counting-object-store.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { InProcessRowStore } from '../../../src/writing/rows/in-process-row-store.js';
import { FileFlusher } from '../../../src/writing/file-flusher.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { ParquetEncoderPool } from '../../../src/writing/parquet/encoder-pool.js';
import { rereadFrom } from '../../helpers/pipeline-driver.js';

// Issue 14: while a backlog is read every tick moved every source partition's watermark, and every
// tick wrote every checkpoint (16 PUTs a second on the bench) and read them all back for the
// completeness check. A move within a time partition is now written at most every
// checkpoint_interval; a change that can complete a partition still goes out on its tick.

const config = parseConfig({
  materializer: { checkpoint_interval: '5s' },
  datasets: [
    {
      name: 'orders',
      topic: 'orders',
      envelope: { type: 'nakadi' },
      schema: { columns: [{ name: 'order_id', type: 'string', nullable: false }], unknown_fields: 'ignore' },
      watermark: { max_out_of_orderness: '1m', allowed_lateness: '1m', dedup_window: '1h', idle_timeout: '10s' },
      limits: { max_past: '3650d', max_future: '3650d' },
      compaction: { enabled: false },
    },
  ],
});
const dataset = config.datasets[0]!;

function record(partition: number, offset: number, timeMs: number): SourceRecord {
  const id = `${partition}-${offset}`;
  const value = { metadata: { eid: id, occurred_at: new Date(timeMs).toISOString() }, order_id: id };
  return { topic: 'orders', partition, offset, timestampMs: 0, key: null, value: Buffer.from(JSON.stringify(value)) };
}

async function backlogPipeline(checkpointIntervalMs: number) {
  const encoder = new ParquetEncoderPool(1);
  const store = new CountingObjectStore(new MemoryObjectStore());
  const now = { ms: Date.parse('2026-11-21T12:00:00Z') };
  const layout = new LakeLayout('');
  const schema = resolveSchema(dataset);
  const commitLog = new CommitLog(store, layout, 'lake');
  commitLog.openListReuseMs = config.materializer.open_list_interval;
  commitLog.clock = () => now.ms;
  const rows = new InProcessRowStore(dataset, schema, createDecoder(dataset, schema), encoder);
  const flusher = new FileFlusher(dataset, schema, rows, store, commitLog, layout);
  const pipeline = new DatasetPipeline({ dataset, schema, rows, store, commitLog, layout, flusher, reread: rereadFrom(), logger: silentLogger(), clock: () => now.ms, checkpointIntervalMs });
  pipeline.setPartitionCount(2);
  for (const p of [0, 1]) await pipeline.assign(p, 0);
  store.reset(); // the assignments read the checkpoints a previous owner left (there are none)
  const next = [0, 0];
  /** One tick of a backlog: each source partition delivers a record 10 s of event time after its last. */
  const tick = async (eventTimeMs: number): Promise<void> => {
    now.ms += 1_000;
    for (const p of [0, 1]) {
      const offset = next[p]!++;
      await pipeline.processBatch(p, [record(p, offset, eventTimeMs)], offset + 1_000);
    }
    await pipeline.tick();
    await pipeline.waitForFlushes(true);
  };
  const checkpointRequests = (kind: string): number => store.log.filter((l) => l.startsWith(`${kind} `) && l.includes('/sources/orders/')).length;
  return { encoder, store, pipeline, tick, checkpointRequests };
}

test('a backlog moving the watermarks within an hour writes each checkpoint at most every checkpoint_interval, and reads none back', async (t) => {
  const run = await backlogPipeline(config.materializer.checkpoint_interval);
  t.after(() => run.encoder.close());
  const start = Date.parse('2026-11-21T10:00:00Z');
  for (let i = 0; i < 60; i++) await run.tick(start + i * 10_000);
  const puts = run.checkpointRequests('put');
  t.diagnostic(`60 ticks, 2 source partitions: ${puts} checkpoint PUTs`);
  // The first of each, then one per 5 s: 2 × 12. Every tick (the behaviour before) would be 120.
  assert.ok(puts >= 2 && puts <= 2 * 13, `${puts} checkpoint PUTs in 60 ticks`);
  assert.equal(run.checkpointRequests('get'), 0, 'this process knows the checkpoints it wrote');
  // Nor does a move within the hour make the completeness check list the open markers again.
  const lists = run.store.log.filter((l) => l.startsWith('list ')).length;
  assert.ok(lists <= 2, `${lists} listings in 60 ticks`);
});

test('the tick whose flush passes an hour end writes the checkpoint at once, and the hour completes without waiting for the interval', async (t) => {
  const run = await backlogPipeline(60_000);
  t.after(() => run.encoder.close());
  const start = Date.parse('2026-11-21T10:50:00Z');
  for (let i = 0; i < 3; i++) await run.tick(start + i * 10_000);
  assert.equal(run.pipeline.counters.partitionsCompleted, 0);
  // 11:03 moves both watermarks past 11:01 (end of hour 10 plus lateness): hour 10 is flushed on this tick.
  await run.tick(Date.parse('2026-11-21T11:03:00Z'));
  // Its checkpoints move past the hour on the next tick, although the interval (60 s) has not passed.
  await run.tick(Date.parse('2026-11-21T11:03:10Z'));
  assert.equal(run.pipeline.counters.partitionsCompleted, 1, 'hour 10 completed on the ticks after its flush');
  assert.equal(run.checkpointRequests('get'), 0, 'the completeness check used the checkpoints this process wrote');
});

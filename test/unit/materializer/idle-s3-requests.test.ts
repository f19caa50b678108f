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

// Issue 14: while no events arrive, an instance makes at most 100 S3 requests per hour per dataset.

const config = parseConfig({
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

function record(partition: number, offset: number, time: string): SourceRecord {
  const id = `${partition}-${offset}`;
  return { topic: 'orders', partition, offset, timestampMs: 0, key: null, value: Buffer.from(JSON.stringify({ metadata: { eid: id, occurred_at: time }, order_id: id })) };
}

test('an idle pipeline (stream stopped, its last hour still open) makes at most 100 S3 requests per simulated hour', async (t) => {
  const encoder = new ParquetEncoderPool(1);
  t.after(() => encoder.close());
  const store = new CountingObjectStore(new MemoryObjectStore());
  const now = { ms: Date.parse('2026-11-21T12:40:00Z') };
  const layout = new LakeLayout('');
  const schema = resolveSchema(dataset);
  const commitLog = new CommitLog(store, layout, 'lake');
  commitLog.openListReuseMs = config.materializer.open_list_interval;
  commitLog.clock = () => now.ms;
  const rows = new InProcessRowStore(dataset, schema, createDecoder(dataset, schema), encoder);
  const flusher = new FileFlusher(dataset, schema, rows, store, commitLog, layout);
  const pipeline = new DatasetPipeline({ dataset, schema, rows, store, commitLog, layout, flusher, reread: rereadFrom(), logger: silentLogger(), clock: () => now.ms });
  pipeline.setPartitionCount(2);
  for (const p of [0, 1]) {
    await pipeline.assign(p, 0);
    // Hour 10 completes once the watermark passes 11:01; hour 12 stays open: the stream stopped in it.
    await pipeline.processBatch(p, [record(p, 0, '2026-11-21T10:30:00Z'), record(p, 1, '2026-11-21T12:30:00Z')], 2);
  }
  // A minute of ticks (once a second, the default tick_interval): idle flushes, checkpoints, completion of hour 10.
  for (let i = 0; i < 60; i++) {
    now.ms += 1_000;
    await pipeline.tick();
    await pipeline.waitForFlushes(true);
  }
  assert.equal(pipeline.counters.partitionsCompleted, 1, 'hour 10 completed; hour 12 waits for events');
  assert.deepEqual(await commitLog.openPartitions('orders'), ['event_date=2026-11-21/event_hour=12']);

  store.reset();
  for (let i = 0; i < 3_600; i++) {
    now.ms += 1_000;
    await pipeline.tick();
  }
  t.diagnostic(`idle hour: ${JSON.stringify(Object.fromEntries(store.counts))}`);
  assert.ok(store.total <= 100, `an idle hour made ${store.total} S3 requests: ${JSON.stringify(Object.fromEntries(store.counts))}`);
  // Still completes once events move the watermark: the cache never hides this process's own changes.
  await pipeline.processBatch(0, [record(0, 2, '2026-11-21T14:00:00Z')], 3);
  await pipeline.processBatch(1, [record(1, 2, '2026-11-21T14:00:00Z')], 3);
  for (let i = 0; i < 3; i++) {
    now.ms += 1_000;
    await pipeline.tick();
  }
  assert.equal(pipeline.counters.partitionsCompleted, 2, 'hour 12 completes on the first ticks after the watermark passes it');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDecoder } from '../../../src/cleansing/decode.js';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';
import { CommitLog } from '../../../src/commit/commit-log.js';
import { parseConfig } from '../../../src/config/load.js';
import type { SourceRecord } from '../../../src/core/records.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { silentLogger } from '../../../src/log/logger.js';
import { DatasetPipeline } from '../../../src/materializer/dataset-pipeline.js';
import { listAll } from '../../../src/storage/object-store.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { InProcessRowStore } from '../../../src/writing/rows/in-process-row-store.js';
import { FileFlusher } from '../../../src/writing/file-flusher.js';
import { ParquetEncoderPool } from '../../../src/writing/parquet/encoder-pool.js';
import { readLake } from '../../helpers/lake-reader.js';
import { rereadFrom } from '../../helpers/pipeline-driver.js';

// Regression (issue 10): a `partitioning.fields` value holding `+` never completed. The open marker
// flattened the path's `/` to `+`, and reading it back turned the value's own `+` into a `/`: the
// completion looked for a partition that does not exist, deleted nothing real, and the partition
// stayed `open` forever.

const dataset = parseConfig({
  datasets: [
    {
      name: 'orders',
      topic: 'orders',
      envelope: { type: 'nakadi' },
      schema: { columns: [{ name: 'order_id', type: 'string', nullable: false }, { name: 'kind', type: 'string', nullable: false }], unknown_fields: 'ignore' },
      partitioning: { fields: ['kind'] },
      watermark: { max_out_of_orderness: '1m', allowed_lateness: '1m', dedup_window: '1h', idle_timeout: '1h' },
      limits: { max_past: '3650d' },
    },
  ],
}).datasets[0]!;

function record(offset: number, time: string, kind: string): SourceRecord {
  const value = JSON.stringify({ metadata: { eid: `e${offset}`, occurred_at: time }, order_id: `o${offset}`, kind });
  return { topic: 'orders', partition: 0, offset, timestampMs: 0, key: null, value: Buffer.from(value) };
}

test("a partition whose field value holds '+' (and '/', '=', '%') becomes complete and leaves no open marker", async (t) => {
  const store = new MemoryObjectStore();
  const encoder = new ParquetEncoderPool(1);
  t.after(() => encoder.close());
  const layout = new LakeLayout('');
  const schema = resolveSchema(dataset);
  const commitLog = new CommitLog(store, layout, 'lake');
  const rows = new InProcessRowStore(dataset, schema, createDecoder(dataset, schema), encoder);
  const flusher = new FileFlusher(dataset, schema, rows, store, commitLog, layout);
  const pipeline = new DatasetPipeline({ dataset, schema, rows, store, commitLog, layout, flusher, reread: rereadFrom(), logger: silentLogger() });
  pipeline.setPartitionCount(1);
  await pipeline.assign(0, 0);

  // Two partitions of hour 10 (one with a plain value, one with every awkward character), then an
  // event two hours later that moves the watermark past hour 10's end plus the lateness.
  await pipeline.processBatch(0, [record(0, '2026-11-21T10:10:00Z', 'a+b'), record(1, '2026-11-21T10:11:00Z', 'x+y/z=1%'), record(2, '2026-11-21T10:12:00Z', 'plain'), record(3, '2026-11-21T12:30:00Z', 'plain')], 4);
  for (let i = 0; i < 3; i++) {
    await pipeline.tick();
    await pipeline.waitForFlushes(true);
  }

  const hour10 = (await readLake(store, '', 'orders')).filter((p) => p.state.partition_path.startsWith('event_date=2026-11-21/event_hour=10/'));
  assert.deepEqual(
    hour10.map((p) => [p.state.values['kind'], p.state.status]).sort(),
    [['a+b', 'complete'], ['plain', 'complete'], ['x+y/z=1%', 'complete']],
  );
  const open: string[] = [];
  for await (const o of listAll(store, layout.openMarkers('orders'))) open.push(layout.openMarkerPath('orders', o.key));
  assert.deepEqual(open, [], 'no open marker is left (hour 12 is still buffered, so it has none yet)');
});

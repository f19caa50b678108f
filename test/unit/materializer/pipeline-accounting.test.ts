import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/load.js';
import { createDecoder } from '../../../src/cleansing/decode.js';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';
import { CommitLog } from '../../../src/commit/commit-log.js';
import type { SourceRecord } from '../../../src/core/records.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { DatasetCounters } from '../../../src/materializer/dataset-counters.js';
import { DatasetPipeline } from '../../../src/materializer/dataset-pipeline.js';
import { listAll } from '../../../src/storage/object-store.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { FileFlusher } from '../../../src/writing/file-flusher.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { ParquetEncoderPool } from '../../../src/writing/parquet/encoder-pool.js';
import { readPartitionStates } from '../../helpers/lake-reader.js';

// Issue 11, item 4: every consumed record is accounted for: rows + duplicates + rejected +
// skipped re-reads = consumed, in the counters of each process and in what the lake records.

const dataset = parseConfig({
  datasets: [
    {
      name: 'orders',
      topic: 'orders',
      envelope: { type: 'nakadi' },
      schema: { columns: [{ name: 'order_id', type: 'string', nullable: false }], unknown_fields: 'ignore' },
      watermark: { max_out_of_orderness: '10m', allowed_lateness: '1m', dedup_window: '1h', idle_timeout: '1h' },
      limits: { max_past: '3650d' },
    },
  ],
}).datasets[0]!;

function record(partition: number, offset: number, time: string, id: string): SourceRecord {
  return { topic: 'orders', partition, offset, timestampMs: 0, key: null, value: Buffer.from(JSON.stringify({ metadata: { eid: id, occurred_at: time }, order_id: id })) };
}
const broken = (partition: number, offset: number): SourceRecord => ({ topic: 'orders', partition, offset, timestampMs: 0, key: null, value: Buffer.from('{"cut') });

function pipelineOver(store: MemoryObjectStore, encoder: ParquetEncoderPool): DatasetPipeline {
  const layout = new LakeLayout('');
  const schema = resolveSchema(dataset);
  const commitLog = new CommitLog(store, layout, 'lake');
  const flusher = new FileFlusher(dataset, schema, encoder, store, commitLog, layout);
  const pipeline = new DatasetPipeline({ dataset, schema, decode: createDecoder(dataset, schema), store, commitLog, layout, flusher, logger: silentLogger() });
  pipeline.setPartitionCount(2);
  return pipeline;
}

function balance(c: DatasetCounters): { consumed: number; accounted: number } {
  return { consumed: c.consumed, accounted: c.rowsWritten + c.duplicates + c.rejected + c.recoveredSkips };
}

async function deadLetterLines(store: MemoryObjectStore): Promise<number> {
  let n = 0;
  for await (const o of listAll(store, '_tukang/dead-letters/')) n += Buffer.from((await store.get(o.key))?.body ?? []).toString('utf8').split('\n').filter(Boolean).length;
  return n;
}

test('after a restart with re-reads, rejects and duplicates across source partitions, every consumed record is accounted for', async (t) => {
  const store = new MemoryObjectStore();
  const encoder = new ParquetEncoderPool(1);
  t.after(() => encoder.close());
  const p0 = [record(0, 0, '2026-11-21T10:10:00Z', 'x'), record(0, 1, '2026-11-21T10:12:00Z', 'a'), broken(0, 2)];
  const p1 = [record(1, 0, '2026-11-21T10:10:00Z', 'x'), record(1, 1, '2026-11-21T10:15:00Z', 'b'), record(1, 2, '2026-11-21T10:10:00Z', 'x')];

  const before = pipelineOver(store, encoder);
  await before.assign(0, 0);
  before.processBatch(0, p0, 3);
  before.shedLargest(Number.MAX_SAFE_INTEGER);
  await before.waitForFlushes(true);
  await before.tick();
  assert.deepEqual(balance(before.counters), { consumed: 3, accounted: 3 });
  // Killed before Kafka's offsets were committed: partition 0 is read again from offset 0.
  const after = pipelineOver(store, encoder);
  await after.assign(1, 0);
  after.processBatch(1, p1, 3);
  await after.assign(0, 0);
  after.processBatch(0, p0, 3);
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
  const store = new MemoryObjectStore();
  const encoder = new ParquetEncoderPool(1);
  t.after(() => encoder.close());
  const hour10 = (offset: number): SourceRecord => record(0, offset, `2026-11-21T10:${String(10 + offset).padStart(2, '0')}:00Z`, `e${offset}`);
  const previous = pipelineOver(store, encoder);
  await previous.assign(0, 0);
  previous.processBatch(0, [0, 1, 2, 3, 4].map(hour10), 5);
  const next = pipelineOver(store, encoder);
  await next.assign(0, 0);
  previous.shedLargest(Number.MAX_SAFE_INTEGER);
  await previous.waitForFlushes(true);
  next.processBatch(0, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(hour10), 10);
  next.shedLargest(Number.MAX_SAFE_INTEGER);
  await next.waitForFlushes(true);
  assert.deepEqual(balance(next.counters), { consumed: 10, accounted: 10 });
  assert.equal(next.counters.recoveredSkips, 5);
});

/**
 * Compaction of one hourly partition on LocalStack: `files` flushed files of `rows` rows in all
 * (8 source partitions, each file sorted on its own), compacted into as few files as the default
 * targets allow. Reports wall time and peak RSS / heap during the compaction.
 * Not part of the tests. Run (stack up, under the stack lock):
 *   npx tsc -p tsconfig.json && node --max-old-space-size=576 dist/bench/compaction.js [rows] [files]
 */
import { randomUUID } from 'node:crypto';
import { resolveSchema } from '../src/cleansing/schema/resolve-schema.js';
import { CommitLog } from '../src/commit/commit-log.js';
import type { FileCommit } from '../src/lake/metadata-types.js';
import { compactPartition } from '../src/compaction/compact-partition.js';
import { parseConfig } from '../src/config/load.js';
import { ReplayStore } from '../src/replay/replay-store.js';
import { prng } from '../src/sample/order-events.js';
import { MemoryObjectStore } from '../src/storage/memory-object-store.js';
import { createS3Client, S3ObjectStore } from '../src/storage/s3-object-store.js';
import { LakeLayout } from '../src/lake/lake-layout.js';
import { ParquetEncoderPool } from '../src/writing/parquet/encoder-pool.js';
import { RowBatchBuilder } from '../src/buffering/row-batch.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const FILES = Number(process.argv[3] ?? 130);
const PATH = 'event_date=2026-11-21/event_hour=10';
const HOUR = Date.UTC(2026, 10, 21, 10);

const config = parseConfig({
  s3: { endpoint: process.env['S3_ENDPOINT'] ?? 'http://127.0.0.1:4566', bucket: 'tukang-bench-compaction', prefix: `c-${randomUUID().slice(0, 8)}/` },
  datasets: [
    {
      name: 'orders',
      topic: 'orders',
      envelope: { type: 'nakadi' },
      schema: {
        columns: [
          { name: 'order_id', type: 'string', nullable: false },
          { name: 'customer_id', type: 'string', nullable: false },
          { name: 'status', type: 'string', nullable: false },
          { name: 'amount', type: 'float64', nullable: false },
          { name: 'currency', type: 'string', nullable: false },
          { name: 'items', type: 'int32', nullable: false },
          { name: 'coupon', type: 'string', nullable: true },
        ],
        unknown_fields: 'ignore',
      },
    },
  ],
});
const dataset = config.datasets[0] as NonNullable<(typeof config.datasets)[0]>;
if (!dataset) throw new Error('no dataset');
const schema = resolveSchema(dataset);
// BENCH_STORE=memory measures compute and memory alone (the inputs then sit in this process too).
const inMemory = process.env['BENCH_STORE'] === 'memory';
const store = inMemory ? new MemoryObjectStore() : new S3ObjectStore(createS3Client(config.s3), config.s3.bucket);
const layout = new LakeLayout(config.s3.prefix);
const commitLog = new CommitLog(store, layout, config.s3.bucket);
const encoder = new ParquetEncoderPool(1);

async function writeInputs(): Promise<void> {
  const random = prng(5);
  const perFile = Math.ceil(ROWS / FILES);
  const nextOffset = new Map<number, number>();
  for (let f = 0; f < FILES; f++) {
    const partition = f % 8;
    const first = nextOffset.get(partition) ?? 0;
    const n = Math.min(perFile, ROWS - f * perFile);
    const times = Array.from({ length: n }, () => HOUR + Math.floor(random() * 3_600_000)).sort((a, b) => a - b);
    const builder = new RowBatchBuilder(schema.columns, 'orders', n);
    times.forEach((t, i) => {
      const o = first + i;
      builder.add([`o-${partition}-${o}`, `c-${o % 5000}`, 'paid', Math.round(random() * 100_000) / 100, ['EUR', 'USD', 'GBP'][o % 3] ?? 'EUR', 1 + (o % 9), o % 5 === 0 ? `SAVE${o % 50}` : null], `e-${partition}-${o}`, t, partition, o, t + 1_000);
    });
    const encoded = await encoder.encode(builder.build(), { compression: dataset.files.compression, rowGroupRows: dataset.files.row_group_rows });
    const key = layout.dataFile('orders', PATH, 'orders', partition, first, first + n - 1, encoded.sha256, '.zstd.parquet');
    await commitLog.placement.stage(key, encoded.bytes, 'application/vnd.apache.parquet');
    const commit: FileCommit = {
      dataset: 'orders',
      partition_path: PATH,
      key,
      uri: commitLog.uriOf(key),
      bytes: encoded.bytes.byteLength,
      rows: encoded.rowCount,
      sha256: encoded.sha256,
      min_event_at: new Date(times[0] ?? HOUR).toISOString(),
      max_event_at: new Date(times.at(-1) ?? HOUR).toISOString(),
      source: { topic: 'orders', partition, first_offset: first, last_offset: first + n - 1 },
      schema_version: schema.version,
      duplicates: 0,
      late: false,
      committed_at: new Date().toISOString(),
    };
    await commitLog.commitFile(commit);
    nextOffset.set(partition, first + n);
  }
  await commitLog.completePartition('orders', PATH);
}

if (store instanceof S3ObjectStore) await store.ensureBucket(true);
const setupStart = Date.now();
await writeInputs();
const setupMs = Date.now() - setupStart;
let peakRss = 0;
let peakHeap = 0;
const sample = (): void => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const baseline = process.memoryUsage().rss;
const timer = setInterval(sample, 50);
const started = Date.now();
const outcome = await compactPartition({ dataset, schema, store, commitLog, layout, locks: new ReplayStore(store, layout) }, 'orders', PATH);
const ms = Date.now() - started;
clearInterval(timer);
sample();
await encoder.close();
const mib = (n: number): number => Math.round(n / 1048576);
process.stdout.write(
  `${JSON.stringify({ store: inMemory ? 'memory' : 'localstack', rows: ROWS, files_in: outcome?.files_in, files_out: outcome?.files_out, setup_ms: setupMs, compaction_ms: ms, rows_per_s: Math.round(ROWS / (ms / 1000)), rss_before_mib: mib(baseline), peak_rss_mib: mib(peakRss), peak_heap_used_mib: mib(peakHeap), heap_limit_flag: process.execArgv.join(' ') })}\n`,
);

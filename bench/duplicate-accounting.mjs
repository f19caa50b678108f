/**
 * Where dropped duplicates end up, and what recording them costs in S3 requests: 40,000 events
 * over 4 hours of event time in 4 source partitions, 1 % of them sent again to another source
 * partition 0 to 100 minutes later in its stream (so many copies arrive while that partition holds
 * no buffer of their hour, some after the hour completed). In-process: the real pipeline over a
 * request-counting in-memory store and a fake clock. Prints the lake's rows + duplicates against
 * what was produced, and the requests by kind. Not part of the tests.
 * Run after a build: node bench/duplicate-accounting.mjs [repository root, default .]
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = pathToFileURL(resolve(process.argv[2] ?? '.')).href;
const imp = (p) => import(`${root}/dist/src/${p}`);
const { parseConfig } = await imp('config/load.js');
const { resolveSchema } = await imp('cleansing/schema/resolve-schema.js');
const { CommitLog } = await imp('commit/commit-log.js');
const { silentLogger } = await imp('log/logger.js');
const { buildPipeline } = await imp('materializer/build-pipeline.js');
const { MemoryObjectStore } = await imp('storage/memory-object-store.js');
const { CountingObjectStore } = await imp('storage/counting-object-store.js');
const { LakeLayout } = await imp('lake/lake-layout.js');
const { ParquetEncoderPool } = await imp('writing/parquet/encoder-pool.js');
const { listAll, getJson } = await imp('storage/object-store.js');

const dataset = parseConfig({ datasets: [{ name: 'orders', topic: 'orders', envelope: { type: 'nakadi' },
  schema: { columns: [{ name: 'order_id', type: 'string', nullable: false }], unknown_fields: 'ignore' },
  watermark: { max_out_of_orderness: '10m', allowed_lateness: '1m', dedup_window: '3h', idle_timeout: '1h' }, limits: { max_past: '3650d' } }] }).datasets[0];
const P = 4, N = 40000, T0 = Date.parse('2026-11-21T08:00:00Z'), SPAN = 4 * 3600_000;
let seed = 7; const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
// Events in time order, round robin over partitions; 1 % also sent to another partition 0-100 min later in its stream.
const streams = Array.from({ length: P }, () => []);
const pending = [];
for (let i = 0; i < N; i++) {
  const t = T0 + Math.floor((i / N) * SPAN);
  while (pending.length && pending[0].at <= t) { const d = pending.shift(); streams[d.p].push(d.ev); }
  const ev = { id: `e${i}`, t };
  streams[i % P].push(ev);
  if (rnd() < 0.01) { pending.push({ at: t + Math.floor(rnd() * 100 * 60_000), p: (i % P + 1 + Math.floor(rnd() * (P - 1))) % P, ev }); pending.sort((a, b) => a.at - b.at); }
}
for (const d of pending) streams[d.p].push(d.ev);
const produced = streams.reduce((n, s) => n + s.length, 0);
const rec = (p, offset, ev) => ({ topic: 'orders', partition: p, offset, timestampMs: 0, key: null, value: Buffer.from(JSON.stringify({ metadata: { eid: ev.id, occurred_at: new Date(ev.t).toISOString() }, order_id: ev.id })) });

const store = new CountingObjectStore(new MemoryObjectStore());
const layout = new LakeLayout('');
const commitLog = new CommitLog(store, layout, 'lake');
const encoder = new ParquetEncoderPool(1);
let now = Date.parse('2026-11-21T12:00:00Z');
const pipeline = buildPipeline({ dataset, schema: resolveSchema(dataset), encoder, store, commitLog, layout, logger: silentLogger() }, { clock: () => now, sleep: () => new Promise((r) => setImmediate(r)) });
pipeline.setPartitionCount(P);
for (let p = 0; p < P; p++) await pipeline.assign(p, 0);
const pos = new Array(P).fill(0);
for (let done = false; !done; ) {
  done = true;
  for (let p = 0; p < P; p++) {
    const batch = streams[p].slice(pos[p], pos[p] + 250).map((ev, k) => rec(p, pos[p] + k, ev));
    if (batch.length) { done = false; pipeline.processBatch(p, batch, streams[p].length); pos[p] += batch.length; }
  }
  await pipeline.waitForFlushes(true);
  now += 1000;
  await pipeline.tick();
}
pipeline.shedLargest(Number.MAX_SAFE_INTEGER);
await pipeline.waitForFlushes(true);
await pipeline.tick();
let rows = 0, dups = 0, accounted = 0;
for await (const o of listAll(store, '_tukang/datasets/orders/partitions/')) if (o.key.endsWith('/state.json')) { const s = (await getJson(store, o.key)).value; rows += s.rows; dups += s.duplicates; accounted += s.accounted_ranges?.length ?? 0; }
const c = pipeline.counters;
console.log(JSON.stringify({ produced, counters: { consumed: c.consumed, rows: c.rowsWritten, duplicates: c.duplicates, files: c.filesWritten }, lake: { rows, duplicates: dups, total: rows + dups, accounted_ranges: accounted }, requests: store.total, by_kind: Object.fromEntries(store.counts) }));
await encoder.close();

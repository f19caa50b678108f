import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferTable } from '../../../src/buffering/buffer-table.js';
import { RecordRouter, approxEventBytes, type Routed, type RoutingRules } from '../../../src/buffering/record-router.js';
import { createDecoder } from '../../../src/cleansing/decode.js';
import { Deduplicator } from '../../../src/cleansing/deduplicator.js';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';
import type { DatasetConfig } from '../../../src/config/schema.js';
import type { SourceRecord } from '../../../src/core/records.js';
import { ParquetEncoderPool } from '../../../src/writing/parquet/encoder-pool.js';
import { InProcessRowStore } from '../../../src/writing/rows/in-process-row-store.js';
import { brokenRecord, orderRecord, ordersDataset } from '../../helpers/pipeline-driver.js';

function routerFor(dataset: DatasetConfig): RecordRouter {
  const schema = resolveSchema(dataset);
  const rows = new InProcessRowStore(dataset, schema, createDecoder(dataset, schema), new ParquetEncoderPool(1));
  return new RecordRouter(dataset, rows, new Deduplicator(dataset.watermark.dedup_window, 1000), new BufferTable(rows));
}

/** Routes one record as a batch of its own. */
async function route(router: RecordRouter, record: SourceRecord, sourcePartition: number, nowMs: number, rules: RoutingRules): Promise<Routed> {
  return (await router.routeBatch([record], sourcePartition, nowMs, rules))[0] as Routed;
}
const everything: RoutingRules = { admit: () => true, isLate: () => false };

test('a record is decoded, placed in its hour and buffered per (time partition, source partition)', async () => {
  const router = routerFor(ordersDataset());
  const a = await route(router, orderRecord(0, 0, '2026-11-21T10:10:00Z', 'a'), 0, 1, everything);
  const b = await route(router, orderRecord(0, 1, '2026-11-21T11:10:00Z', 'b'), 0, 1, everything);
  const c = await route(router, orderRecord(3, 0, '2026-11-21T10:20:00Z', 'c'), 3, 1, everything);
  assert.equal(a.kind, 'buffered');
  assert.deepEqual(
    router.table.openBuffers().map((buf) => [buf.partitionPath, buf.sourcePartition, buf.rowCount]),
    [['event_date=2026-11-21/event_hour=10', 0, 1], ['event_date=2026-11-21/event_hour=11', 0, 1], ['event_date=2026-11-21/event_hour=10', 3, 1]],
  );
  assert.deepEqual([b.kind, c.kind], ['buffered', 'buffered']);
});

test('rejections, refused records and duplicates are reported, not buffered', async () => {
  const router = routerFor(ordersDataset());
  const rejected = await route(router, brokenRecord(0, 0), 0, 1, everything);
  assert.deepEqual(rejected.kind === 'rejected' && rejected.reason, 'bad_json');
  const refuse: RoutingRules = { ...everything, admit: (_r, _e, path) => !path.endsWith('=10') };
  assert.equal((await route(router, orderRecord(0, 1, '2026-11-21T10:10:00Z', 'x'), 0, 1, refuse)).kind, 'skipped');
  assert.equal((await route(router, orderRecord(0, 2, '2026-11-21T11:10:00Z', 'y'), 0, 1, everything)).kind, 'buffered');
  const again = await route(router, orderRecord(1, 0, '2026-11-21T11:10:30Z', 'y'), 1, 1, everything);
  assert.deepEqual(again.kind === 'duplicate' && [again.key, again.path], ['event_date=2026-11-21/event_hour=11|1', 'event_date=2026-11-21/event_hour=11']);
  assert.deepEqual(router.table.openBuffers().map((b) => b.rowCount), [1], 'only y is buffered; a refused record is not remembered by the deduplicator');
  assert.equal((await route(router, orderRecord(0, 3, '2026-11-21T10:10:00Z', 'x'), 0, 1, everything)).kind, 'buffered');
});

test('a buffer reports full at files.target_rows', async () => {
  const router = routerFor(ordersDataset({ files: { target_rows: 3 } }));
  const kinds = await router.routeBatch([0, 1, 2].map((o) => orderRecord(0, o, '2026-11-21T10:10:00Z', `e${o}`)), 0, 1, everything);
  assert.deepEqual(kinds.map((k) => k.kind === 'buffered' && k.full), [false, false, true]);
});

test('a buffer reports full at files.target_bytes, counting the memory of every row', async () => {
  const record = orderRecord(0, 0, '2026-11-21T10:10:00Z', 'e0');
  const perRow = approxEventBytes(record);
  const router = routerFor(ordersDataset({ files: { target_bytes: 1024 } }));
  let rows = 0;
  for (let o = 0; ; o++) {
    const routed = await route(router, orderRecord(0, o, '2026-11-21T10:10:00Z', `e${o}`), 0, 1, everything);
    rows++;
    if (routed.kind === 'buffered' && routed.full) break;
  }
  assert.equal(rows, Math.ceil(1024 / perRow));
  assert.equal(router.table.openBytes(), rows * perRow);
});

test('a new buffer asks whether it is late; the rows of an existing one do not', async () => {
  const router = routerFor(ordersDataset());
  const asked: number[] = [];
  const rules: RoutingRules = { ...everything, isLate: (start) => (asked.push(start), true) };
  await route(router, orderRecord(0, 0, '2026-11-21T10:10:00Z', 'a'), 0, 1, rules);
  await route(router, orderRecord(0, 1, '2026-11-21T10:20:00Z', 'b'), 0, 1, rules);
  assert.deepEqual(asked, [Date.parse('2026-11-21T10:00:00Z')]);
  assert.equal(router.table.openBuffers()[0]?.late, true);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';
import { createDecoder } from '../../../src/cleansing/decode.js';
import { PartitionBuffer } from '../../../src/buffering/partition-buffer.js';
import type { DecodedBatch } from '../../../src/buffering/row-intake.js';
import type { SourceRecord } from '../../../src/core/records.js';
import { isTukangError, type TukangError } from '../../../src/errors/catalogue.js';
import { ParquetEncoderPool } from '../../../src/writing/parquet/encoder-pool.js';
import { InProcessRowStore } from '../../../src/writing/rows/in-process-row-store.js';
import type { RowStore } from '../../../src/writing/rows/row-store.js';
import { RowWorkerPool } from '../../../src/writing/rows/worker-row-store.js';
import { readLake } from '../../helpers/lake-reader.js';
import { FakeClock, brokenRecord, flushEverything, memoryLake, orderRecord, ordersDataset, pipelineOver } from '../../helpers/pipeline-driver.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const SCHEMA = {
    columns: [
      { name: 'order_id', type: 'string', nullable: false },
      { name: 'amount', type: 'float64', nullable: true },
      { name: 'tags', type: 'list', items: { name: 'tag', type: 'string' }, nullable: true },
    ],
  unknown_fields: 'ignore',
};
const dataset = ordersDataset({ schema: SCHEMA, limits: { max_past: '2d', max_future: '1h' }, files: { compression: 'snappy' } });
const schema = resolveSchema(dataset);

function order(offset: number, time: string, id: string, extra: Record<string, unknown> = {}): SourceRecord {
  const value = JSON.stringify({ metadata: { eid: id, occurred_at: time }, order_id: `o-${id}`, ...extra });
  return { topic: 'orders', partition: 2, offset, timestampMs: 0, key: null, value: Buffer.from(value) };
}

/** Good rows in two hours, a duplicate event id, broken JSON, a schema violation, an event too old and one too far ahead, a tombstone. */
const MIX: SourceRecord[] = [
  order(0, '2026-11-21T10:10:00Z', 'a', { amount: 1.5, tags: ['x', 'y'] }),
  order(1, '2026-11-21T11:20:00Z', 'b'),
  order(2, '2026-11-21T10:05:00Z', 'a'),
  { ...brokenRecord(2, 3), partition: 2 },
  order(4, '2026-11-21T10:30:00Z', 'c', { amount: 'not a number' }),
  order(5, '2026-11-10T10:00:00Z', 'old'),
  order(6, '2026-11-21T14:00:00Z', 'ahead'),
  { topic: 'orders', partition: 2, offset: 7, timestampMs: 0, key: null, value: null },
  order(8, '2026-11-21T10:45:00Z', 'd', { amount: -2, tags: [] }),
];

function withoutId(batch: DecodedBatch): Omit<DecodedBatch, 'batchId'> {
  const { batchId: _id, ...rest } = batch;
  return { ...rest, pathIndex: new Int32Array(rest.pathIndex), eventTimeMs: new Float64Array(rest.eventTimeMs) };
}

function workerPool(t: { after: (fn: () => Promise<void>) => void }, size = 2, lost: TukangError[] = []): RowWorkerPool {
  const pool = new RowWorkerPool(size, { onLost: (err) => lost.push(err) });
  t.after(() => pool.close());
  return pool;
}

function inProcess(encoder: ParquetEncoderPool): InProcessRowStore {
  return new InProcessRowStore(dataset, schema, createDecoder(dataset, schema, () => NOW), encoder);
}

/** Decodes MIX, places every ok record into one buffer per hour, and returns those buffers (main's half). */
async function fill(rows: RowStore): Promise<{ decoded: DecodedBatch; buffers: PartitionBuffer[] }> {
  const decoded = await rows.decodeBatch(MIX, 2, NOW);
  const buffers = decoded.paths.map((path, i) => new PartitionBuffer(`${path}|2`, path, decoded.pathStarts[i] as number, 2, 0, NOW, 100 + i));
  const placements = new Int32Array(decoded.count).fill(-1);
  for (let i = 0; i < decoded.count; i++) {
    const p = decoded.pathIndex[i] as number;
    if (p < 0) continue;
    const buffer = buffers[p] as PartitionBuffer;
    buffer.add({ eventId: decoded.eventIds[i] as string, eventTimeMs: decoded.eventTimeMs[i] as number }, (MIX[i] as SourceRecord).offset, NOW, 1);
    placements[i] = buffer.rowsId;
  }
  rows.place(decoded, placements);
  return { decoded, buffers };
}

test('a row worker decodes exactly as the in-process store: ok rows, rejects with reason and message, event ids, times and partitions', async (t) => {
  const encoder = new ParquetEncoderPool(1);
  t.after(() => encoder.close());
  const local = await inProcess(encoder).decodeBatch(MIX, 2, NOW);
  const remote = await workerPool(t).storeFor(dataset, schema).decodeBatch(MIX, 2, NOW);
  assert.deepEqual(withoutId(remote), withoutId(local));
  assert.deepEqual(
    local.rejects.map((r) => [r.index, r.reason]),
    [[3, 'bad_json'], [4, 'schema_violation'], [5, 'event_time_out_of_bounds'], [6, 'event_time_out_of_bounds'], [7, 'empty_record']],
  );
  assert.deepEqual(local.paths, ['event_date=2026-11-21/event_hour=10', 'event_date=2026-11-21/event_hour=11']);
  assert.deepEqual([...local.pathIndex], [0, 1, 0, -1, -1, -1, -1, -1, 0]);
  assert.deepEqual(local.eventIds.filter((id) => id !== ''), ['a', 'b', 'a', 'd'], 'duplicates are the router\'s business, not the decoder\'s');
});

test('the worker judges event-time bounds by the clock the batch is sent with', async (t) => {
  const rows = workerPool(t, 1).storeFor(dataset, schema);
  const early = await rows.decodeBatch([order(0, '2026-11-21T14:00:00Z', 'x')], 0, NOW);
  const later = await rows.decodeBatch([order(1, '2026-11-21T14:00:00Z', 'x')], 0, NOW + 2 * 3_600_000);
  assert.deepEqual([early.rejects.length, later.rejects.length], [1, 0]);
});

test('a row worker encodes the same file as the in-process store for the same buffer, rows and order', async (t) => {
  const encoder = new ParquetEncoderPool(1);
  t.after(() => encoder.close());
  const results = [];
  for (const rows of [inProcess(encoder), workerPool(t).storeFor(dataset, schema)]) {
    const { buffers } = await fill(rows);
    const buffer = buffers[0] as PartitionBuffer;
    const order = buffer.sortedRows();
    const file = await rows.encode(buffer, order, buffer.lineageOf(order, 'orders'), { compression: 'snappy', keyValueMetadata: { k: 'v' } });
    const bytes = file.bytes.buffer.slice(file.bytes.byteOffset, file.bytes.byteOffset + file.bytes.byteLength) as ArrayBuffer;
    results.push({ rowCount: file.rowCount, sha256: file.sha256, rows: await parquetReadObjects({ file: bytes }) });
  }
  const [local, remote] = results;
  assert.equal(local?.rowCount, 3);
  assert.deepEqual(
    local?.rows.map((r) => [r['order_id'], r['amount'], r['tags'], r['_source_offset']]),
    [['o-a', null, undefined, 2n], ['o-a', 1.5, ['x', 'y'], 0n], ['o-d', -2, [], 8n]],
    'sorted by event time, values and lineage together',
  );
  assert.deepEqual(remote, local);
});

test('freed buffers are forgotten: an encode of one fails with ENCODE_FAILED, the others still encode', async (t) => {
  const encoder = new ParquetEncoderPool(1);
  t.after(() => encoder.close());
  const local = inProcess(encoder);
  for (const rows of [local, workerPool(t, 1).storeFor(dataset, schema)]) {
    const { buffers } = await fill(rows);
    const [hour10, hour11] = buffers as [PartitionBuffer, PartitionBuffer];
    rows.free([hour10]);
    const order = hour10.sortedRows();
    await assert.rejects(rows.encode(hour10, order, hour10.lineageOf(order, 'orders'), { compression: 'snappy' }), (err) => isTukangError(err, 'ENCODE_FAILED'));
    const kept = await rows.encode(hour11, hour11.sortedRows(), hour11.lineageOf(hour11.sortedRows(), 'orders'), { compression: 'snappy' });
    assert.equal(kept.rowCount, 1);
  }
  assert.deepEqual(local.held, { buffers: 1, pendingBatches: 0 });
  local.free([{ rowsId: 101, sourcePartition: 2 }]);
  assert.deepEqual(local.held, { buffers: 0, pendingBatches: 0 });
});

test('a row worker that dies fails its pending calls with ROW_WORKER_LOST, tells its owner once, and refuses later calls', async (t) => {
  const lost: TukangError[] = [];
  const pool = new RowWorkerPool(1, { onLost: (err) => lost.push(err), workerUrl: new URL('./fixtures/dying-row-worker.js', import.meta.url) });
  t.after(() => pool.close());
  const rows = pool.storeFor(dataset, schema);
  const isLost = (err: unknown): boolean => isTukangError(err, 'ROW_WORKER_LOST') && err.retryable;
  await assert.rejects(rows.decodeBatch(MIX, 0, NOW), isLost);
  await assert.rejects(rows.decodeBatch(MIX, 0, NOW), isLost);
  assert.equal(lost.length, 1);
  assert.match(lost[0]?.message ?? '', /exited with code 3/);
});

test('a pipeline with row workers writes the same lake as one without', async (t) => {
  // The in-process decoder judges event-time bounds by the real clock: no tight limits here.
  const wide = ordersDataset({ schema: SCHEMA, files: { compression: 'snappy' } });
  const lakes = [];
  for (const rowWorkers of [undefined, workerPool(t, 2)]) {
    const lake = memoryLake(t);
    const pipeline = pipelineOver(lake, { dataset: wide, clock: new FakeClock(NOW), partitions: 2, ...(rowWorkers ? { rowWorkers } : {}) });
    await pipeline.assign(0, 0);
    await pipeline.assign(1, 0);
    await pipeline.processBatch(0, MIX.map((r) => ({ ...r, partition: 0 })), 9);
    await pipeline.processBatch(1, [orderRecord(1, 0, '2026-11-21T10:20:00Z', 'a'), orderRecord(1, 1, '2026-11-21T10:21:00Z', 'e')], 2);
    await flushEverything(pipeline);
    await pipeline.tick();
    lakes.push({ counters: { ...pipeline.counters }, lake: (await readLake(lake.store, '', 'orders')).map((p) => ({ path: p.state.partition_path, rows: p.files.flatMap((f) => f.rows.map((r) => ({ ...r, _received_at: 0 }))) })) });
  }
  assert.equal(lakes[0]?.lake.flatMap((p) => p.rows).length, 6, 'a, b, d, old and ahead from partition 0, and e; the other copies of a are duplicates');
  assert.deepEqual(lakes[1], lakes[0]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { tableFromIPC } from 'apache-arrow';
import { parquetMetadata, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { readParquet } from 'parquet-wasm/node';
import { LINEAGE_COLUMNS } from '../../../src/core/records.js';
import { isTukangError } from '../../../src/errors/catalogue.js';
import { ParquetEncoderPool } from '../../../src/writing/parquet/encoder-pool.js';
import { RowBatchBuilder } from '../../../src/buffering/row-batch.js';
import { CRASH_KEY } from './fixtures/crashing-encode-worker.js';
import { SAMPLE_COLUMNS, SAMPLE_TOPIC, canonical, sampleBatch, sampleRow } from './fixtures/sample-batch.js';

const ROWS = 50;

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function metadataOf(bytes: Uint8Array): FileMetaData {
  return parquetMetadata(arrayBufferOf(bytes));
}

function isEncodeFailed(err: unknown): boolean {
  return isTukangError(err, 'ENCODE_FAILED');
}

const LINEAGE_NAMES = Object.values(LINEAGE_COLUMNS);

test('every type round-trips through Parquet, nulls and nesting included (hyparquet, snappy)', async () => {
  const pool = new ParquetEncoderPool(1);
  try {
    const file = await pool.encode(sampleBatch(ROWS), { compression: 'snappy', rowGroupRows: 1000 });
    assert.equal(file.rowCount, ROWS);
    const rows = await parquetReadObjects({ file: arrayBufferOf(file.bytes) });
    assert.equal(rows.length, ROWS);
    assert.deepEqual(Object.keys(rows[0] ?? {}), [...SAMPLE_COLUMNS.map((c) => c.name), ...LINEAGE_NAMES]);
    for (let r = 0; r < ROWS; r++) {
      const row = rows[r] ?? {};
      const written = sampleRow(r);
      SAMPLE_COLUMNS.forEach((column, c) => {
        assert.deepEqual(canonical(column, row[column.name]), canonical(column, written[c]), `row ${r}, column ${column.name}`);
      });
      assert.equal(row[LINEAGE_COLUMNS.eventId], `evt-${r}`);
      assert.equal((row[LINEAGE_COLUMNS.eventTime] as Date).getTime(), 1_700_000_000_000 + r * 1000);
      assert.equal(row[LINEAGE_COLUMNS.topic], SAMPLE_TOPIC);
      assert.equal(row[LINEAGE_COLUMNS.partition], r % 3);
      assert.equal(row[LINEAGE_COLUMNS.offset], BigInt(1_000_000 + r));
      assert.equal((row[LINEAGE_COLUMNS.receivedAt] as Date).getTime(), 1_700_000_100_000 + r);
    }
  } finally {
    await pool.close();
  }
});

test('the Parquet schema has UTC millisecond timestamps, dates, required lineage and LIST/STRUCT groups', async () => {
  const pool = new ParquetEncoderPool(1);
  try {
    const file = await pool.encode(sampleBatch(10));
    const schema = metadataOf(file.bytes).schema;
    const byName = new Map(schema.map((e) => [e.name, e]));
    for (const name of ['at', LINEAGE_COLUMNS.eventTime, LINEAGE_COLUMNS.receivedAt]) {
      const element = byName.get(name);
      assert.equal(element?.type, 'INT64', name);
      assert.deepEqual(element?.logical_type, { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' }, name);
    }
    assert.deepEqual(byName.get('day')?.logical_type, { type: 'DATE' });
    assert.equal(byName.get('big')?.type, 'INT64');
    assert.equal(byName.get('qty')?.type, 'INT32');
    assert.deepEqual(byName.get('note')?.logical_type, { type: 'STRING' });
    assert.deepEqual(byName.get('tags')?.logical_type, { type: 'LIST' });
    assert.equal(byName.get('address')?.num_children, 3);
    assert.equal(byName.get('id')?.repetition_type, 'REQUIRED');
    assert.equal(byName.get('note')?.repetition_type, 'OPTIONAL');
    for (const name of LINEAGE_NAMES) assert.equal(byName.get(name)?.repetition_type, 'REQUIRED', name);
    // Dictionary pages where values repeat (data columns, topic), none where every row differs.
    const chunks = new Map(metadataOf(file.bytes).row_groups[0]?.columns.map((c) => [c.meta_data?.path_in_schema.join('.'), c.meta_data]));
    assert.ok(chunks.get(LINEAGE_COLUMNS.topic)?.dictionary_page_offset !== undefined);
    assert.ok(chunks.get('note')?.dictionary_page_offset !== undefined);
    assert.equal(chunks.get(LINEAGE_COLUMNS.eventId)?.dictionary_page_offset, undefined);
    assert.equal(chunks.get(LINEAGE_COLUMNS.offset)?.dictionary_page_offset, undefined);
    assert.equal(byName.get(LINEAGE_COLUMNS.offset)?.type, 'INT64');
    assert.equal(byName.get(LINEAGE_COLUMNS.partition)?.type, 'INT32');
  } finally {
    await pool.close();
  }
});

test('ZSTD is the default codec, and the data reads back through parquet-wasm', async () => {
  const pool = new ParquetEncoderPool(1);
  try {
    const file = await pool.encode(sampleBatch(ROWS));
    const metadata = metadataOf(file.bytes);
    const codecs = new Set(metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)));
    assert.deepEqual([...codecs], ['ZSTD']);
    // hyparquet cannot decompress ZSTD without an extra package (and Node 20's zlib has no zstd).
    const table = tableFromIPC(readParquet(file.bytes).intoIPCStream());
    assert.equal(table.numRows, ROWS);
    const big = table.getChild('big');
    const note = table.getChild('note');
    for (let r = 0; r < ROWS; r++) {
      const written = sampleRow(r);
      assert.deepEqual(canonical(SAMPLE_COLUMNS[4]!, big?.get(r)), canonical(SAMPLE_COLUMNS[4]!, written[4]), `big, row ${r}`);
      assert.equal(note?.get(r), written[1], `note, row ${r}`);
    }
    assert.equal(table.schema.fields.find((f) => f.name === 'id')?.metadata.get('description'), 'The order id.');
  } finally {
    await pool.close();
  }
});

test('the requested codec is used: gzip data decodes with zlib', async () => {
  const pool = new ParquetEncoderPool(1);
  try {
    const file = await pool.encode(sampleBatch(20), { compression: 'gzip' });
    const metadata = metadataOf(file.bytes);
    assert.ok(metadata.row_groups.every((g) => g.columns.every((c) => c.meta_data?.codec === 'GZIP')));
    const rows = await parquetReadObjects({ file: arrayBufferOf(file.bytes), compressors: { GZIP: (input) => gunzipSync(input) } });
    assert.equal(rows.length, 20);
    assert.equal(rows[3]?.note, sampleRow(3)[1]);
    for (const compression of ['lz4_raw', 'uncompressed'] as const) {
      const other = await pool.encode(sampleBatch(5), { compression });
      const codec = metadataOf(other.bytes).row_groups[0]?.columns[0]?.meta_data?.codec;
      assert.equal(codec, compression === 'lz4_raw' ? 'LZ4_RAW' : 'UNCOMPRESSED');
    }
  } finally {
    await pool.close();
  }
});

test('row groups respect rowGroupRows', async () => {
  const pool = new ParquetEncoderPool(1);
  try {
    const file = await pool.encode(sampleBatch(ROWS), { rowGroupRows: 7 });
    const metadata = metadataOf(file.bytes);
    assert.equal(metadata.num_rows, BigInt(ROWS));
    assert.deepEqual(
      metadata.row_groups.map((g) => Number(g.num_rows)),
      [7, 7, 7, 7, 7, 7, 7, 1],
    );
  } finally {
    await pool.close();
  }
});

test('key-value metadata is written to the footer, and sha256 matches the bytes', async () => {
  const pool = new ParquetEncoderPool(1);
  try {
    const keyValueMetadata = { 'tukang.schema_version': 'abc123', 'tukang.dataset': 'orders' };
    const file = await pool.encode(sampleBatch(3), { keyValueMetadata });
    const pairs = new Map((metadataOf(file.bytes).key_value_metadata ?? []).map((kv) => [kv.key, kv.value]));
    assert.equal(pairs.get('tukang.schema_version'), 'abc123');
    assert.equal(pairs.get('tukang.dataset'), 'orders');
    assert.ok(pairs.has('ARROW:schema'));
    assert.equal(file.sha256, createHash('sha256').update(file.bytes).digest('hex'));
    assert.match(file.sha256, /^[0-9a-f]{64}$/);
  } finally {
    await pool.close();
  }
});

test('a value that does not fit its column rejects with ENCODE_FAILED, and the pool keeps working', async () => {
  const pool = new ParquetEncoderPool(1);
  try {
    const builder = new RowBatchBuilder(SAMPLE_COLUMNS, SAMPLE_TOPIC);
    const row = sampleRow(1);
    row[3] = 'not a number';
    builder.add(row, 'evt', 0, 0, 0, 0);
    await assert.rejects(pool.encode(builder.build()), (err: unknown) => {
      assert.ok(isEncodeFailed(err));
      assert.match((err as Error).message, /column "qty", row 0/);
      assert.ok((err as Error).cause instanceof TypeError);
      return true;
    });
    const file = await pool.encode(sampleBatch(5));
    assert.equal(file.rowCount, 5);
  } finally {
    await pool.close();
  }
});

test('bytes the worker cannot decode reject with ENCODE_FAILED, and the same pool encodes afterwards', async () => {
  const pool = new ParquetEncoderPool(1);
  try {
    await assert.rejects(pool.encodeIPC(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 1), (err: unknown) => {
      assert.ok(isEncodeFailed(err));
      assert.ok((err as Error).cause instanceof Error);
      return true;
    });
    assert.equal(pool.pending, 0);
    const file = await pool.encode(sampleBatch(5));
    assert.equal(file.rowCount, 5);
  } finally {
    await pool.close();
  }
});

test('invalid options reject with ENCODE_FAILED before any work', async () => {
  const pool = new ParquetEncoderPool(1);
  try {
    await assert.rejects(pool.encode(sampleBatch(2), { rowGroupRows: 0 }), isEncodeFailed);
    await assert.rejects(pool.encode(sampleBatch(2), { compression: 'brotli' as 'zstd' }), isEncodeFailed);
  } finally {
    await pool.close();
  }
});

const crashingWorker = new URL('./fixtures/crashing-encode-worker.js', import.meta.url);

test('a worker that dies fails only its own job; queued jobs run on a replacement', async () => {
  const pool = new ParquetEncoderPool(1, { workerUrl: crashingWorker });
  try {
    const first = pool.encode(sampleBatch(4));
    const exited = pool.encode(sampleBatch(4), { keyValueMetadata: { [CRASH_KEY]: 'exit' } });
    const third = pool.encode(sampleBatch(6));
    const threw = pool.encode(sampleBatch(4), { keyValueMetadata: { [CRASH_KEY]: 'throw' } });
    const fifth = pool.encode(sampleBatch(8));
    assert.equal(pool.pending, 5);
    const results = await Promise.allSettled([first, exited, third, threw, fifth]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'],
    );
    const [, exitedResult, , threwResult, fifthResult] = results;
    assert.ok(exitedResult?.status === 'rejected' && isEncodeFailed(exitedResult.reason));
    assert.match((exitedResult as PromiseRejectedResult).reason.message, /exited with code 3/);
    assert.ok(threwResult?.status === 'rejected' && isEncodeFailed(threwResult.reason));
    assert.match(((threwResult as PromiseRejectedResult).reason as Error).message, /simulated worker crash/);
    assert.ok(fifthResult?.status === 'fulfilled' && fifthResult.value.rowCount === 8);
    assert.equal(pool.pending, 0);
  } finally {
    await pool.close();
  }
});

test('a worker script that cannot start rejects the job instead of hanging', async () => {
  const pool = new ParquetEncoderPool(1, { workerUrl: new URL('./fixtures/does-not-exist.js', import.meta.url) });
  try {
    await assert.rejects(pool.encode(sampleBatch(2)), isEncodeFailed);
    await assert.rejects(pool.encode(sampleBatch(2)), isEncodeFailed);
  } finally {
    await pool.close();
  }
});

test('jobs queue beyond the pool size, pending counts them, and several workers share the load', async () => {
  const pool = new ParquetEncoderPool(2);
  try {
    const jobs = Array.from({ length: 6 }, (_, i) => pool.encode(sampleBatch(10 + i)));
    assert.equal(pool.pending, 6);
    const files = await Promise.all(jobs);
    assert.deepEqual(
      files.map((f) => f.rowCount),
      [10, 11, 12, 13, 14, 15],
    );
    for (const [i, f] of files.entries()) assert.equal(metadataOf(f.bytes).num_rows, BigInt(10 + i));
    assert.equal(pool.pending, 0);
  } finally {
    await pool.close();
  }
});

test('close waits for running jobs, then later encodes are rejected', async () => {
  const pool = new ParquetEncoderPool(1);
  const running = pool.encode(sampleBatch(30));
  await pool.close();
  assert.equal((await running).rowCount, 30);
  await assert.rejects(pool.encode(sampleBatch(1)), isEncodeFailed);
});

test('an empty batch encodes to a valid file with zero rows', async () => {
  const pool = new ParquetEncoderPool(1);
  try {
    const file = await pool.encode(sampleBatch(0));
    assert.equal(metadataOf(file.bytes).num_rows, 0n);
  } finally {
    await pool.close();
  }
});

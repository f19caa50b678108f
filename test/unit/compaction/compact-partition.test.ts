import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';
import { CommitLog } from '../../../src/commit/commit-log.js';
import type { FileCommit, PartitionState } from '../../../src/lake/metadata-types.js';
import { compactPartition, type CompactionDeps } from '../../../src/compaction/compact-partition.js';
import { Compactor } from '../../../src/compaction/compactor.js';
import { silentLogger } from '../../../src/log/logger.js';
import { compareRows, type MergeRow } from '../../../src/compaction/merge-sorted.js';
import { readSortedRows } from '../../../src/compaction/sorted-rows.js';
import { parseConfig } from '../../../src/config/load.js';
import { isTukangError } from '../../../src/errors/catalogue.js';
import { ReplayStore } from '../../../src/replay/replay-store.js';
import { prng } from '../../../src/sample/order-events.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { getJson, putJson } from '../../../src/storage/object-store.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { ParquetEncoderPool } from '../../../src/writing/parquet/encoder-pool.js';
import { RowBatchBuilder } from '../../../src/buffering/row-batch.js';

const PATH = 'event_date=2026-11-21/event_hour=10';
const HOUR = Date.UTC(2026, 10, 21, 10);
const encoder = new ParquetEncoderPool(1);
after(() => encoder.close());

const dataset = parseConfig({
  datasets: [
    {
      name: 'orders',
      topic: 't',
      envelope: { type: 'nakadi' },
      schema: {
        columns: [
          { name: 'n', type: 'int64', nullable: false },
          { name: 's', type: 'string', nullable: true },
          { name: 'at', type: 'timestamp', nullable: true },
          { name: 'd', type: 'date', nullable: true },
          { name: 'j', type: 'json', nullable: true },
        ],
        unknown_fields: 'ignore',
      },
    },
  ],
}).datasets[0];
assert.ok(dataset);
const schema = resolveSchema(dataset);
const layout = new LakeLayout('lake/');

/** A complete partition of `files` flushed files (source partitions 0-2), rows sorted within each file only. */
async function lakeWithFiles(files: number, rowsPerFile: number): Promise<{ store: MemoryObjectStore; deps: CompactionDeps; log: CommitLog }> {
  const store = new MemoryObjectStore();
  const log = new CommitLog(store, layout, 'b');
  const random = prng(files * 31 + rowsPerFile);
  for (let f = 0; f < files; f++) {
    const partition = f % 3;
    const first = Math.floor(f / 3) * rowsPerFile;
    const rows = Array.from({ length: rowsPerFile }, (_, i) => ({ t: HOUR + Math.floor(random() * 3_600_000), offset: first + i }));
    rows.sort((a, b) => a.t - b.t || a.offset - b.offset);
    const builder = new RowBatchBuilder(schema.columns, 't', rows.length);
    for (const r of rows) {
      builder.add([BigInt(r.offset), r.offset % 5 === 0 ? null : `s${r.offset}`, r.t, 20_000 + partition, { k: [r.offset, 'x'] }], `id-${partition}-${r.offset}`, r.t, partition, r.offset, r.t + 5);
    }
    const encoded = await encoder.encode(builder.build(), { rowGroupRows: 64 });
    const key = layout.dataFile('orders', PATH, 't', partition, first, first + rowsPerFile - 1, encoded.sha256, '.zstd.parquet');
    await log.placement.stage(key, encoded.bytes, 'application/vnd.apache.parquet');
    const commit: FileCommit = {
      dataset: 'orders',
      partition_path: PATH,
      key,
      uri: log.uriOf(key),
      bytes: encoded.bytes.byteLength,
      rows: encoded.rowCount,
      sha256: encoded.sha256,
      min_event_at: new Date(rows[0]?.t ?? 0).toISOString(),
      max_event_at: new Date(rows.at(-1)?.t ?? 0).toISOString(),
      source: { topic: 't', partition, first_offset: first, last_offset: first + rowsPerFile - 1 },
      schema_version: schema.version,
      duplicates: 1,
      late: false,
      committed_at: new Date().toISOString(),
    };
    await log.commitFile(commit);
  }
  await log.completePartition('orders', PATH);
  return { store, log, deps: { dataset: dataset as NonNullable<typeof dataset>, schema, store, commitLog: log, layout, locks: new ReplayStore(store, layout) } };
}

async function rowsOf(store: MemoryObjectStore, state: PartitionState): Promise<MergeRow[]> {
  const rows: MergeRow[] = [];
  for (const f of state.files) {
    const where = await new CommitLog(store, layout, 'b').placement.locate(f.key);
    assert.ok(where);
    for await (const r of readSortedRows(store, where.key, where.size, schema.columns)) rows.push(r);
  }
  return rows;
}

test('compaction rewrites a partition into one file sorted across it, as a version of reason compaction that changes no row', async () => {
  const { store, deps, log } = await lakeWithFiles(7, 150);
  const before = (await log.readPartition('orders', PATH))?.value;
  assert.ok(before);
  const outcome = await compactPartition(deps, 'orders', PATH);
  assert.ok(outcome);
  assert.equal(outcome.files_in, 7);
  assert.equal(outcome.files_out, 1);
  const after = (await log.readPartition('orders', PATH))?.value;
  assert.ok(after);
  assert.equal(after.version, before.version + 1);
  assert.equal(after.versions.at(-1)?.reason, 'compaction');
  assert.equal(after.rows, before.rows);
  assert.equal(after.duplicates, before.duplicates, 'quality counters stay');
  assert.equal(after.files[0]?.sources?.length, 7, 'the file names every source range it holds');
  const compacted = await rowsOf(store, after);
  const original = (await rowsOf(store, before)).sort(compareRows);
  assert.deepEqual(compacted, original, 'the same rows, values included, in (event time, partition, offset) order');
  // The folder holds the one compacted file; the inputs moved to their superseded location.
  const dir = layout.partitionDir('orders', PATH);
  assert.deepEqual(store.keys().filter((k) => k.startsWith(dir) && k.endsWith('.parquet')), [after.files[0]?.key]);
  assert.equal(await compactPartition(deps, 'orders', PATH), undefined, 'one file: nothing more to do');
});

test('output files follow files.target_rows', async () => {
  const { deps, log } = await lakeWithFiles(3, 100);
  const outcome = await compactPartition({ ...deps, dataset: { ...deps.dataset, files: { ...deps.dataset.files, target_rows: 120 } } }, 'orders', PATH);
  assert.equal(outcome?.files_out, 3);
  const state = (await log.readPartition('orders', PATH))?.value;
  assert.deepEqual(state?.files.map((f) => f.rows), [120, 120, 60]);
  assert.ok(state && state.files.every((f, i) => i === 0 || (state.files[i - 1] as FileCommit).max_event_at <= f.min_event_at), 'files follow each other in event time');
});

test('a compaction whose rows do not match the partition is refused before the switch; the old version stays', async () => {
  const { store, deps, log } = await lakeWithFiles(3, 50);
  const key = layout.partitionState('orders', PATH);
  const read = await getJson<PartitionState>(store, key);
  assert.ok(read);
  await putJson(store, key, { ...read.value, rows: read.value.rows + 1 });
  await assert.rejects(compactPartition(deps, 'orders', PATH), (err: unknown) => isTukangError(err, 'COMPACTION_MISMATCH'));
  const state = (await log.readPartition('orders', PATH))?.value;
  assert.equal(state?.version, read.value.version);
  assert.equal(state?.files.length, 3);
  assert.deepEqual(store.keys().filter((k) => k.includes('compacted')), [], 'no compacted file is left, staged or not');
});

test('a partition a replay holds is not compacted', async () => {
  const { deps, log } = await lakeWithFiles(3, 20);
  await deps.locks.lockAll('orders', [PATH], 'replay-job');
  assert.equal(await compactPartition(deps, 'orders', PATH), undefined);
  assert.equal((await log.readPartition('orders', PATH))?.value.files.length, 3);
});

test('a compaction requested before a crash is resumed by the next start', async () => {
  const { store, deps, log } = await lakeWithFiles(4, 30);
  const compactor = new Compactor(deps, { compactionsStarted: 0, compactions: 0, compactionFailures: 0, compactedFilesIn: 0, compactedFilesOut: 0, compactedRows: 0 }, silentLogger());
  // What `mark` leaves behind when the process dies before the compaction ran.
  await compactor.mark('orders', PATH);
  assert.ok(await store.head(layout.compactionRequest('orders', PATH)));
  const restarted = new Compactor(deps, { compactionsStarted: 0, compactions: 0, compactionFailures: 0, compactedFilesIn: 0, compactedFilesOut: 0, compactedRows: 0 }, silentLogger());
  await restarted.resume(['orders']);
  const deadline = Date.now() + 20_000;
  while ((await log.readPartition('orders', PATH))?.value.versions.at(-1)?.reason !== 'compaction' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await restarted.stop();
  const state = (await log.readPartition('orders', PATH))?.value;
  assert.equal(state?.versions.at(-1)?.reason, 'compaction');
  assert.equal(state?.files.length, 1);
  assert.equal(await store.head(layout.compactionRequest('orders', PATH)), undefined, 'the request is gone once done');
});

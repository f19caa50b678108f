import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { PartitionBuffer } from '../../../src/buffering/partition-buffer.js';
import { DROPPED } from '../../../src/buffering/row-intake.js';
import { createDecoder } from '../../../src/cleansing/decode.js';
import { Deduplicator } from '../../../src/cleansing/deduplicator.js';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';
import { partitionPath, partitionStart } from '../../../src/cleansing/time-partition.js';
import { CommitLog } from '../../../src/commit/commit-log.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { CommittedIds } from '../../../src/writing/committed-ids.js';
import { FileFlusher } from '../../../src/writing/file-flusher.js';
import { ParquetEncoderPool } from '../../../src/writing/parquet/encoder-pool.js';
import { InProcessRowStore } from '../../../src/writing/rows/in-process-row-store.js';
import { orderRecord, ordersDataset } from '../../helpers/pipeline-driver.js';

/** Counts the reads of data files (whole or by range): what checking a file's event ids costs. */
class DataReadCountingStore extends MemoryObjectStore {
  dataReads = 0;
  stateWrites = 0;
  /** Each write of a state.json takes this long, as an S3 round trip does. */
  stateWriteMs = 0;
  override async put(key: string, body: Uint8Array | string, options?: Parameters<MemoryObjectStore['put']>[2]): ReturnType<MemoryObjectStore['put']> {
    if (key.endsWith('/state.json')) {
      this.stateWrites++;
      await new Promise((r) => setTimeout(r, this.stateWriteMs));
    }
    return super.put(key, body, options);
  }
  override get(key: string): ReturnType<MemoryObjectStore['get']> {
    if (key.endsWith('.parquet')) this.dataReads++;
    return super.get(key);
  }
  override getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    if (key.endsWith('.parquet')) this.dataReads++;
    return super.getRange(key, start, end);
  }
}

const encoder = new ParquetEncoderPool(1);
after(() => encoder.close());

const HOUR = Date.parse('2026-11-21T10:00:00Z');

function setup() {
  const dataset = ordersDataset();
  const schema = resolveSchema(dataset);
  const store = new DataReadCountingStore();
  const layout = new LakeLayout('');
  const commitLog = new CommitLog(store, layout, 'lake');
  // A cache of one id: every file whose ids are needed is read from the store again.
  const ids = new CommittedIds(store, (key) => commitLog.placement.locate(key), 1);
  const rows = new InProcessRowStore(dataset, schema, createDecoder(dataset, schema), encoder);
  const flusher = new FileFlusher(dataset, schema, rows, store, commitLog, layout, ids);
  const dedup = new Deduplicator(dataset.watermark.dedup_window, 1_000);
  const path = partitionPath(partitionStart(HOUR, 'hour'), 'hour');
  let offset = 0;
  let rowsId = 1;
  /** Buffers the ids (those the deduplicator admits) as the router does, and flushes them as one file. */
  const flushIds = async (eventIds: string[]) => {
    const first = offset;
    offset += eventIds.length;
    const records = eventIds.map((id, k) => orderRecord(0, first + k, new Date(HOUR + (first + k) * 1000).toISOString(), id));
    const decoded = await rows.decodeBatch(records, 0, Date.now());
    const buffer = new PartitionBuffer(`${path}|0`, path, HOUR, 0, first, 0, rowsId++);
    buffer.dedupMark = dedup.mark();
    const placements = new Int32Array(records.length).fill(DROPPED);
    const duplicates: number[] = [];
    records.forEach((record, k) => {
      const id = decoded.eventIds[k] as string;
      const time = decoded.eventTimeMs[k] as number;
      if (dedup.isDuplicate(id, time)) {
        buffer.cover(record.offset);
        duplicates.push(record.offset);
        return;
      }
      buffer.add({ eventId: id, eventTimeMs: time }, record.offset, 0, 100);
      placements[k] = buffer.rowsId;
    });
    rows.place(decoded, placements);
    return flusher.flush(buffer, dataset.name, duplicates, () => true);
  };
  return { store, dedup, flushIds };
}

test("a flush does not read back the files this process wrote while its deduplicator lost nothing", async () => {
  const { store, flushIds } = setup();
  for (let f = 0; f < 6; f++) {
    const result = await flushIds([`a${f}`, `b${f}`, `c${f}`]);
    assert.equal(result.commits.length, 1);
  }
  // Without the deduplicator's guarantee each flush re-read every earlier file of the hour: 15 files.
  assert.equal(store.dataReads, 0);
});

test('flushes of one hour committed at once go out in one group: no re-check of each other, no file read back', async () => {
  const { store, flushIds } = setup();
  store.stateWriteMs = 200;
  const results = await Promise.all(Array.from({ length: 6 }, (_, f) => flushIds([`a${f}`, `b${f}`, `c${f}`])));
  assert.deepEqual(results.map((r) => r.commits.length), [1, 1, 1, 1, 1, 1]);
  assert.equal(store.dataReads, 0);
  // The first write goes alone, the five flushes that wait for it go in one more. Refused with
  // COMMIT_RECHECK by each other's files (or racing on the ETag), they took one write each.
  assert.ok(store.stateWrites <= 3, `${store.stateWrites} writes of state.json for 6 files`);
});

test('once the deduplicator forgot an id, flushes check this process’s files again and drop the copy', async () => {
  const { store, dedup, flushIds } = setup();
  await flushIds(['a0', 'b0']);
  await flushIds(['a1', 'b1']);
  assert.equal(store.dataReads, 0);
  dedup.forget('a0'); // as a revoke does for the rows of a buffer it drops
  const result = await flushIds(['a0', 'c2']);
  assert.ok(store.dataReads > 0, 'the earlier files were checked');
  assert.equal(result.duplicates, 1, 'a0 is already in the first file');
  assert.equal(result.commits[0]?.rows, 1);
});

test('the deduplicator reports a loss (eviction, replaced time, forget) only for the time range it concerns', () => {
  const dataset = ordersDataset();
  const window = dataset.watermark.dedup_window;
  const range = [HOUR, HOUR + 3_600_000] as const;
  const dedup = new Deduplicator(window, 2);
  const before = dedup.mark();
  dedup.isDuplicate('x', HOUR);
  dedup.isDuplicate('y', HOUR);
  assert.ok(dedup.losses.unchangedSince(...range, before));
  dedup.isDuplicate('z', HOUR); // evicts x
  assert.equal(dedup.losses.unchangedSince(...range, before), false);
  const replaced = dedup.mark();
  dedup.isDuplicate('z', HOUR + 2 * window); // same id outside the window: its earlier time is forgotten
  assert.equal(dedup.losses.unchangedSince(...range, replaced), false);
  // Losses of ids far from an hour do not concern that hour's files.
  const roomy = new Deduplicator(window, 100);
  roomy.isDuplicate('x', HOUR);
  const later = roomy.mark();
  const farAway = HOUR + 100 * 3_600_000;
  roomy.isDuplicate('f', farAway);
  roomy.forget('f');
  assert.ok(roomy.losses.unchangedSince(...range, later));
  assert.equal(roomy.losses.unchangedSince(farAway, farAway + 3_600_000, later), false);
  roomy.forget('x');
  assert.equal(roomy.losses.unchangedSince(...range, later), false);
  // A mark of another deduplicator never vouches.
  assert.equal(dedup.losses.unchangedSince(...range, new Deduplicator(window, 2).mark()), false);
});

import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createDecoder } from '../../../src/cleansing/decode.js';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';
import { silentLogger } from '../../../src/log/logger.js';
import { DatasetPipeline } from '../../../src/materializer/dataset-pipeline.js';
import { FileFlusher } from '../../../src/writing/file-flusher.js';
import { InProcessRowStore } from '../../../src/writing/rows/in-process-row-store.js';
import { FakeClock, flushEverything, memoryLake, orderRecord, ordersDataset, rereadFrom } from '../../helpers/pipeline-driver.js';

/** An in-process row store whose decodes, once `shut`, finish only when `open` is called, like a busy row worker's. */
class GatedRows extends InProcessRowStore {
  private gate: Promise<void> = Promise.resolve();
  open: () => void = () => undefined;

  shut(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  override async decodeBatch(...args: Parameters<InProcessRowStore['decodeBatch']>): ReturnType<InProcessRowStore['decodeBatch']> {
    const decoded = await super.decodeBatch(...args);
    await this.gate;
    return decoded;
  }
}

/** A pipeline over an in-process row store the test can look into. */
function pipelineWithRows(t: TestContext): { pipeline: DatasetPipeline; rows: GatedRows } {
  const dataset = ordersDataset();
  const schema = resolveSchema(dataset);
  const { store, layout, commitLog, encoder } = memoryLake(t);
  const rows = new GatedRows(dataset, schema, createDecoder(dataset, schema), encoder);
  const flusher = new FileFlusher(dataset, schema, rows, store, commitLog, layout);
  const clock = new FakeClock();
  const pipeline = new DatasetPipeline({ dataset, schema, rows, store, commitLog, layout, flusher, reread: rereadFrom(), logger: silentLogger(), clock: clock.now, sleep: () => new Promise((r) => setImmediate(r)) });
  pipeline.setPartitionCount(2);
  return { pipeline, rows };
}

test('the row store frees a buffer\'s values once its file is committed', async (t) => {
  const { pipeline, rows } = pipelineWithRows(t);
  await pipeline.assign(0, 0);
  await pipeline.processBatch(0, [orderRecord(0, 0, '2026-11-21T10:10:00Z', 'a'), orderRecord(0, 1, '2026-11-21T11:10:00Z', 'b')], 2);
  assert.deepEqual(rows.held, { buffers: 2, pendingBatches: 0 });
  await flushEverything(pipeline);
  assert.equal(pipeline.counters.rowsWritten, 2);
  assert.deepEqual(rows.held, { buffers: 0, pendingBatches: 0 });
});

test('a revoke frees the values of the dropped buffers, and a batch revoked while it was decoded is dropped whole', async (t) => {
  const { pipeline, rows } = pipelineWithRows(t);
  await pipeline.assign(0, 0);
  await pipeline.assign(1, 0);
  await pipeline.processBatch(0, [orderRecord(0, 0, '2026-11-21T10:10:00Z', 'a')], 1);
  await pipeline.processBatch(1, [orderRecord(1, 0, '2026-11-21T10:10:00Z', 'b')], 1);
  pipeline.revoke([0]);
  assert.deepEqual(rows.held, { buffers: 1, pendingBatches: 0 }, 'partition 1 keeps its buffer');
  rows.shut();
  const decoding = pipeline.processBatch(1, [orderRecord(1, 1, '2026-11-21T10:11:00Z', 'c')], 2);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(rows.held, { buffers: 1, pendingBatches: 1 }, 'the batch is being decoded');
  pipeline.revoke([1]);
  rows.open();
  await decoding;
  assert.deepEqual(rows.held, { buffers: 0, pendingBatches: 0 });
  assert.equal(pipeline.counters.consumed, 2, 'the batch revoked during its decode is not consumed: the next owner reads it');
  assert.equal(pipeline.bufferedBytes(), 0);
  assert.deepEqual(pipeline.committableOffsets(), new Map());
});

test('batches of one source partition are processed in the order given, also when the caller does not wait', async (t) => {
  const { pipeline } = pipelineWithRows(t);
  await pipeline.assign(0, 0);
  const first = pipeline.processBatch(0, [orderRecord(0, 0, '2026-11-21T10:10:00Z', 'a'), orderRecord(0, 1, '2026-11-21T10:11:00Z', 'b')], 4);
  const second = pipeline.processBatch(0, [orderRecord(0, 1, '2026-11-21T10:11:00Z', 'b'), orderRecord(0, 2, '2026-11-21T10:12:00Z', 'c'), orderRecord(0, 3, '2026-11-21T10:13:00Z', 'd')], 4);
  await Promise.all([first, second]);
  assert.equal(pipeline.counters.consumed, 4, 'the re-delivered offset 1 is skipped');
  assert.equal(pipeline.counters.duplicates, 0);
  assert.deepEqual(pipeline.committableOffsets(), new Map([[0, 0]]));
  await flushEverything(pipeline);
  assert.equal(pipeline.counters.rowsWritten, 4);
  assert.deepEqual(pipeline.committableOffsets(), new Map([[0, 4]]));
});

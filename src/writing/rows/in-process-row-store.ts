import type { DatasetConfig } from '../../config/schema.js';
import type { SourceRecord } from '../../core/records.js';
import type { ResolvedSchema } from '../../core/resolved-schema.js';
import type { RecordDecoder } from '../../cleansing/decode.js';
import { decodeRecords } from '../../buffering/decode-batch.js';
import { PartitionPaths } from '../../buffering/partition-paths.js';
import type { RowBatchLineage } from '../../buffering/row-batch.js';
import type { DecodedBatch, StoredBuffer } from '../../buffering/row-intake.js';
import { RowValues } from '../../buffering/row-values.js';
import { describeError } from '../../errors/catalogue.js';
import { encodeFailed, type ParquetEncoderPool } from '../parquet/encoder-pool.js';
import type { EncodeOptions, EncodedFile } from '../parquet/encode-protocol.js';
import type { RowStore } from './row-store.js';

/**
 * The row store on the main thread: the given decoder, values kept here, Arrow built here and
 * Parquet encoded by the encoder pool. Replay and unit tests use it, and live ingestion with
 * `materializer.row_workers: 0`. The decoder judges event-time bounds by its own clock.
 */
export class InProcessRowStore implements RowStore {
  private readonly paths: PartitionPaths;
  private readonly values: RowValues;
  private nextBatchId = 1;

  constructor(
    dataset: DatasetConfig,
    private readonly schema: ResolvedSchema,
    private readonly decode: RecordDecoder,
    private readonly encoder: Pick<ParquetEncoderPool, 'encode'>,
  ) {
    this.paths = new PartitionPaths(dataset, schema);
    this.values = new RowValues(schema.columns);
  }

  decodeBatch(records: readonly SourceRecord[], sourcePartition: number, _nowMs?: number): Promise<DecodedBatch> {
    const { summary, values } = decodeRecords(records, this.decode, this.paths, this.nextBatchId++, sourcePartition);
    this.values.hold(summary.batchId, values);
    return Promise.resolve(summary);
  }

  place(batch: DecodedBatch, placements: Int32Array): void {
    this.values.place(batch.batchId, placements);
  }

  free(buffers: readonly StoredBuffer[]): void {
    this.values.free(buffers.map((b) => b.rowsId));
  }

  async encode(buffer: StoredBuffer, order: Uint32Array, lineage: RowBatchLineage, options: EncodeOptions): Promise<EncodedFile> {
    let values;
    try {
      values = this.values.rows(buffer.rowsId, order);
    } catch (err) {
      throw encodeFailed(describeError(err), err, order.length, options);
    }
    return this.encoder.encode({ columns: this.schema.columns, values, lineage, rowCount: order.length }, options);
  }

  /** Values held: buffers and batches not yet placed. */
  get held(): { buffers: number; pendingBatches: number } {
    return this.values.held;
  }

  /** Nothing runs beside the caller's thread; the values go with the store. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

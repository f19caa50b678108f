import type { RowBatchLineage } from '../../buffering/row-batch.js';
import type { RowIntake, StoredBuffer } from '../../buffering/row-intake.js';
import type { EncodeOptions, EncodedFile } from '../parquet/encode-protocol.js';

/**
 * Where buffered rows' values live and are encoded: decoding and validation, the values of every
 * buffered row, building the Arrow columns and the Parquet encode (writing/rows). The main thread
 * keeps the rest of each row (buffering/partition-buffer) and decides everything: what is
 * buffered where, which rows a file gets and in which order.
 */
export interface RowStore extends RowIntake {
  /**
   * Encodes the rows `order` of a buffer (indices in the order they were placed, already sorted),
   * with their lineage in the same order. Failures reject with ENCODE_FAILED, as the encoder pool's do.
   */
  encode(buffer: StoredBuffer, order: Uint32Array, lineage: RowBatchLineage, options: EncodeOptions): Promise<EncodedFile>;
  /** Stops whatever the store runs (worker threads); its buffers' values are gone. */
  close(): Promise<void>;
}

/** The part of a row store a file flusher uses. */
export type RowEncoder = Pick<RowStore, 'encode'>;

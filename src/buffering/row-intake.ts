/**
 * The seam between routing (on the main thread) and the rows' values (in a row store, which may
 * keep them in worker threads). Routing needs only what a decode says about each record: ok or
 * rejected, its event id, event time and time partition. The decoded values stay with the store,
 * which appends each kept row to its buffer's columns once routing has placed it.
 */
import type { RejectReason, SourceRecord } from '../core/records.js';

/** What decoding one batch of one source partition said about each of its records. */
export interface DecodedBatch {
  /** Names the batch in `place`; unique per store. */
  batchId: number;
  sourcePartition: number;
  count: number;
  /** Per record: the index of its time partition in `paths`, or -1 when it was rejected. */
  pathIndex: Int32Array;
  /** The distinct Hive paths of the batch's time partitions, and the start of each (epoch ms). */
  paths: string[];
  pathStarts: number[];
  /** Per record ('' when rejected). */
  eventIds: string[];
  /** Per record, epoch ms UTC (0 when rejected). */
  eventTimeMs: Float64Array;
  /** The rejected records, in record order. */
  rejects: DecodeReject[];
}

export interface DecodeReject {
  index: number;
  reason: RejectReason;
  message: string;
}

/** A placement that keeps no row (rejected, duplicate, skipped, or the batch was discarded). */
export const DROPPED = -1;

/** What a row store needs to know of a buffer: the id its rows are kept under, and its source partition (which picks the worker). */
export interface StoredBuffer {
  readonly rowsId: number;
  readonly sourcePartition: number;
}

export interface RowIntake {
  /** Decodes and validates records of one source partition; `nowMs` is the clock event-time bounds are judged by. */
  decodeBatch(records: readonly SourceRecord[], sourcePartition: number, nowMs: number): Promise<DecodedBatch>;
  /**
   * Where each record of a decoded batch went: a buffer's `rowsId`, or DROPPED. Rows are appended
   * to their buffer in record order, so a buffer's row i in the store is its row i on main.
   * Every decoded batch must be placed exactly once (all DROPPED to discard it).
   */
  place(batch: DecodedBatch, placements: Int32Array): void;
  /** Forgets the values of buffers that were committed, dead-lettered or dropped. */
  free(buffers: readonly StoredBuffer[]): void;
}

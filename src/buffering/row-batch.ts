/**
 * The hand-over from a buffer to the encoder: one file's rows, already sorted, column-major.
 * Data values stay as the cleansing stage produced them (CellValue), or text columns come packed
 * as UTF-8 (column-cells.ts); lineage numbers go straight
 * into typed arrays because they exist for every row of every dataset and are always numbers.
 */
import type { CellValue } from '../core/records.js';
import type { ResolvedColumn } from '../core/resolved-schema.js';
import type { GatheredColumn } from './column-cells.js';

/** Where each row came from. One entry per row, except the topic, which a batch shares. */
export interface RowBatchLineage {
  eventId: string[];
  /** Epoch milliseconds UTC. */
  eventTimeMs: Float64Array | number[];
  topic: string;
  partition: Int32Array | number[];
  /** Kafka offsets; numbers are exact up to 2^53, far beyond real offsets. */
  offset: Float64Array | number[];
  /** Epoch milliseconds UTC. */
  receivedAtMs: Float64Array | number[];
}

export interface RowBatch {
  /** The dataset's data columns; lineage columns are added by the encoder. */
  columns: readonly ResolvedColumn[];
  /** Column-major: values[c][r] is column c of row r; a row store may hand text columns over packed. */
  values: GatheredColumn[];
  lineage: RowBatchLineage;
  rowCount: number;
}

/** A batch the builder made: every column as values. */
export interface BuiltRowBatch extends RowBatch {
  values: CellValue[][];
}

/**
 * Fills a RowBatch one row at a time, so buffer code never deals with the column-major layout.
 * build() hands the arrays over and leaves the builder empty and reusable.
 */
export class RowBatchBuilder {
  readonly columns: readonly ResolvedColumn[];
  readonly topic: string;
  private capacity: number;
  private count = 0;
  private values: CellValue[][] = [];
  private eventIds: string[] = [];
  private eventTimes!: Float64Array;
  private partitions!: Int32Array;
  private offsets!: Float64Array;
  private receivedAts!: Float64Array;

  /** expectedRows sizes the typed arrays up front; they double when it is exceeded. */
  constructor(columns: readonly ResolvedColumn[], topic: string, expectedRows = 1024) {
    this.columns = columns;
    this.topic = topic;
    this.capacity = Math.max(16, Math.ceil(expectedRows));
    this.reset();
  }

  get rowCount(): number {
    return this.count;
  }

  add(values: readonly CellValue[], eventId: string, eventTimeMs: number, partition: number, offset: number, receivedAtMs: number): void {
    const columnCount = this.columns.length;
    if (values.length !== columnCount) {
      throw new TypeError(`row has ${values.length} values but the schema has ${columnCount} columns`);
    }
    if (this.count === this.capacity) this.grow();
    const row = this.count;
    for (let c = 0; c < columnCount; c++) {
      // Both arrays were sized by columnCount, so the index is in range.
      (this.values[c] as CellValue[]).push(values[c] as CellValue);
    }
    this.eventIds.push(eventId);
    this.eventTimes[row] = eventTimeMs;
    this.partitions[row] = partition;
    this.offsets[row] = offset;
    this.receivedAts[row] = receivedAtMs;
    this.count = row + 1;
  }

  build(): BuiltRowBatch {
    const n = this.count;
    const batch: BuiltRowBatch = {
      columns: this.columns,
      values: this.values,
      lineage: {
        eventId: this.eventIds,
        eventTimeMs: this.eventTimes.subarray(0, n),
        topic: this.topic,
        partition: this.partitions.subarray(0, n),
        offset: this.offsets.subarray(0, n),
        receivedAtMs: this.receivedAts.subarray(0, n),
      },
      rowCount: n,
    };
    this.reset();
    return batch;
  }

  private reset(): void {
    this.count = 0;
    this.values = this.columns.map(() => []);
    this.eventIds = [];
    this.eventTimes = new Float64Array(this.capacity);
    this.partitions = new Int32Array(this.capacity);
    this.offsets = new Float64Array(this.capacity);
    this.receivedAts = new Float64Array(this.capacity);
  }

  private grow(): void {
    this.capacity *= 2;
    this.eventTimes = grown(this.eventTimes, new Float64Array(this.capacity));
    this.partitions = grown(this.partitions, new Int32Array(this.capacity));
    this.offsets = grown(this.offsets, new Float64Array(this.capacity));
    this.receivedAts = grown(this.receivedAts, new Float64Array(this.capacity));
  }
}

function grown<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

import type { CleanEvent } from '../core/records.js';
import type { DedupMark } from '../cleansing/deduplicator.js';
import type { RowBatchLineage } from './row-batch.js';
import type { StoredBuffer } from './row-intake.js';

/** Rows of a buffer (indices, in offset order) that go to one file, and the offset range they cover. */
export interface Segment {
  rows: number[];
  first: number;
  last: number;
}

/**
 * The rows of one time partition from one source partition, waiting to be written as one file.
 * One buffer per (time partition, source partition) keeps every file's provenance a single offset
 * range of a single source partition: names stay deterministic, a revoked partition's buffers can
 * be dropped without touching anyone else's, and recovery can tell exactly which offsets a file
 * covers.
 *
 * It keeps what the main thread needs of each row (event id and time, offset, arrival); the row's
 * data values are in the row store under `rowsId` (buffering/row-intake). The Kafka record itself
 * is not kept: a flush that fails for good reads it again for its dead letter.
 */
export class PartitionBuffer implements StoredBuffer {
  private readonly ids: string[] = [];
  private readonly times: number[] = [];
  private readonly offsets: number[] = [];
  private readonly receivedAt: number[] = [];
  private bytes = 0;
  readonly firstOffset: number;
  private last: number;
  /** Creation time, for age-based decisions. */
  readonly createdAtMs: number;
  /** Created for a time partition this source partition had already flushed: holds late rows. */
  late = false;
  /**
   * The deduplicator's state when this buffer opened: every row since was admitted by it. While
   * it is unchanged, no row can duplicate one of this process's files written since their own mark.
   */
  dedupMark: DedupMark | undefined;

  constructor(
    readonly key: string,
    readonly partitionPath: string,
    readonly partitionStartMs: number,
    readonly sourcePartition: number,
    firstOffset: number,
    nowMs: number,
    /** The key of this buffer's values in the row store. */
    readonly rowsId = 0,
  ) {
    this.firstOffset = firstOffset;
    this.last = firstOffset;
    this.createdAtMs = nowMs;
  }

  /** Adds a row. */
  add(event: Pick<CleanEvent, 'eventId' | 'eventTimeMs'>, offset: number, receivedAtMs: number, approxBytes: number): void {
    this.ids.push(event.eventId);
    this.times.push(event.eventTimeMs);
    this.offsets.push(offset);
    this.receivedAt.push(receivedAtMs);
    this.bytes += approxBytes;
    if (offset > this.last) this.last = offset;
  }

  /** Extends the covered range over records that were dropped (duplicates) but belong here. */
  cover(offset: number): void {
    if (offset > this.last) this.last = offset;
  }

  /** The event id of row `index` (in offset order). */
  eventIdAt(index: number): string {
    return this.ids[index] as string;
  }

  /** The event time of row `index`. */
  eventTimeAt(index: number): number {
    return this.times[index] as number;
  }

  /** The offset of row `index`. */
  offsetAt(index: number): number {
    return this.offsets[index] as number;
  }

  /** The event ids of the rows held, in offset order. */
  eventIds(): string[] {
    return [...this.ids];
  }

  get rowCount(): number {
    return this.ids.length;
  }

  get approxBytes(): number {
    return this.bytes;
  }

  get lastOffset(): number {
    return this.last;
  }

  /**
   * Splits the rows into segments that avoid offset ranges already committed by another writer of
   * this (time partition, source partition): rows inside such a range are dropped (they are in the
   * lake), and rows on either side of one go to separate segments, so that no segment's offset
   * range overlaps a committed file. Without committed ranges: one segment of every row.
   */
  segmentsExcluding(committed: ReadonlyArray<{ first: number; last: number }>): Segment[] {
    const all = { rows: this.ids.map((_, i) => i), first: this.firstOffset, last: this.last };
    if (committed.length === 0) return this.ids.length === 0 ? [] : [all];
    const ranges = [...committed].sort((a, b) => a.first - b.first);
    const segments: Segment[] = [];
    let current: number[] = [];
    let boundary = 0; // index of the first committed range at or after the current row
    const close = (): void => {
      if (current.length === 0) return;
      segments.push({ rows: current, first: this.offsets[current[0] as number] as number, last: this.offsets[current[current.length - 1] as number] as number });
      current = [];
    };
    for (let i = 0; i < this.offsets.length; i++) {
      const offset = this.offsets[i] as number;
      while (boundary < ranges.length && (ranges[boundary] as { last: number }).last < offset) {
        boundary++;
        close();
      }
      const range = ranges[boundary];
      if (range !== undefined && offset >= range.first) continue; // already committed
      current.push(i);
    }
    close();
    return segments;
  }

  /** The rows (all, or one segment's) sorted by event time, ties by offset (one source partition per buffer). */
  sortedRows(rows?: readonly number[]): Uint32Array {
    const n = rows?.length ?? this.ids.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = rows ? (rows[i] as number) : i;
    const times = this.times;
    const offsets = this.offsets;
    order.sort((a, b) => {
      const d = (times[a] as number) - (times[b] as number);
      return d !== 0 ? d : (offsets[a] as number) - (offsets[b] as number);
    });
    return order;
  }

  /** The lineage of the rows `order`, in that order: what the encoder writes beside the data values. */
  lineageOf(order: Uint32Array, topic: string): RowBatchLineage {
    const n = order.length;
    const eventId = new Array<string>(n);
    const eventTimeMs = new Float64Array(n);
    const offset = new Float64Array(n);
    const receivedAtMs = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const i = order[k] as number;
      eventId[k] = this.ids[i] as string;
      eventTimeMs[k] = this.times[i] as number;
      offset[k] = this.offsets[i] as number;
      receivedAtMs[k] = this.receivedAt[i] as number;
    }
    return { eventId, eventTimeMs, topic, partition: new Int32Array(n).fill(this.sourcePartition), offset, receivedAtMs };
  }

  minMaxEventTime(rows?: readonly number[]): { min: number; max: number } {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const t of rows ? rows.map((i) => this.times[i] as number) : this.times) {
      if (t < min) min = t;
      if (t > max) max = t;
    }
    return { min, max };
  }
}

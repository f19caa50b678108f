import type { CleanEvent, SourceRecord } from '../core/records.js';
import type { ResolvedColumn } from '../core/resolved-schema.js';
import type { DedupMark } from '../cleansing/deduplicator.js';
import { OriginalRecords, type OriginalRecord } from './original-records.js';
import { RowBatchBuilder, type RowBatch } from './row-batch.js';

export type { OriginalRecord } from './original-records.js';

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
 */
export class PartitionBuffer {
  private readonly events: CleanEvent[] = [];
  private readonly offsets: number[] = [];
  private readonly receivedAt: number[] = [];
  private readonly originals = new OriginalRecords();
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
  ) {
    this.firstOffset = firstOffset;
    this.last = firstOffset;
    this.createdAtMs = nowMs;
  }

  /**
   * Adds a row. With `original`, the record's key and value are copied (a Kafka client's bytes
   * are views of its whole fetch response, which must not stay pinned): a flush that fails for
   * good can then send the rows to the dead-letter area as they arrived.
   */
  add(event: CleanEvent, offset: number, receivedAtMs: number, approxBytes: number, original?: SourceRecord): void {
    this.events.push(event);
    this.offsets.push(offset);
    this.receivedAt.push(receivedAtMs);
    this.originals.add(original);
    this.bytes += approxBytes;
    if (offset > this.last) this.last = offset;
  }

  /** Extends the covered range over records that were dropped (duplicates) but belong here. */
  cover(offset: number): void {
    if (offset > this.last) this.last = offset;
  }

  /** The event of row `index` (in offset order). */
  eventAt(index: number): CleanEvent {
    return this.events[index] as CleanEvent;
  }

  /** The offset of row `index`. */
  offsetAt(index: number): number {
    return this.offsets[index] as number;
  }

  /** The Kafka record of row `index` as it arrived, when the buffer kept it. */
  originalAt(index: number): OriginalRecord | undefined {
    return this.originals.at(index);
  }

  /** The event ids of the rows held, in offset order. */
  eventIds(): string[] {
    return this.events.map((e) => e.eventId);
  }

  get rowCount(): number {
    return this.events.length;
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
    const all = { rows: this.events.map((_, i) => i), first: this.firstOffset, last: this.last };
    if (committed.length === 0) return this.events.length === 0 ? [] : [all];
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
  toSortedBatch(columns: readonly ResolvedColumn[], topic: string, rows?: readonly number[]): RowBatch {
    const n = rows?.length ?? this.events.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = rows ? (rows[i] as number) : i;
    const events = this.events;
    const offsets = this.offsets;
    order.sort((a, b) => {
      const d = (events[a] as CleanEvent).eventTimeMs - (events[b] as CleanEvent).eventTimeMs;
      return d !== 0 ? d : (offsets[a] as number) - (offsets[b] as number);
    });
    const builder = new RowBatchBuilder(columns, topic, n);
    for (let k = 0; k < n; k++) {
      const i = order[k] as number;
      const e = events[i] as CleanEvent;
      builder.add(e.values, e.eventId, e.eventTimeMs, this.sourcePartition, offsets[i] as number, this.receivedAt[i] as number);
    }
    return builder.build();
  }

  minMaxEventTime(rows?: readonly number[]): { min: number; max: number } {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const e of rows ? rows.map((i) => this.events[i] as CleanEvent) : this.events) {
      if (e.eventTimeMs < min) min = e.eventTimeMs;
      if (e.eventTimeMs > max) max = e.eventTimeMs;
    }
    return { min, max };
  }
}

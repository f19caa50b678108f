import type { DatasetConfig } from '../config/schema.js';
import type { CleanEvent, RejectReason, SourceRecord } from '../core/records.js';
import type { ResolvedSchema } from '../core/resolved-schema.js';
import type { RecordDecoder } from '../cleansing/decode.js';
import type { Deduplicator } from '../cleansing/deduplicator.js';
import { partitionPath, partitionStart } from '../cleansing/time-partition.js';
import { BufferTable } from './buffer-table.js';
import type { PartitionBuffer } from './partition-buffer.js';

/** What became of one record. */
export type Routed =
  | { kind: 'rejected'; reason: RejectReason; message: string }
  /** The caller's `admit` refused it (already durable, or a time partition it does not want). */
  | { kind: 'skipped'; path: string }
  | { kind: 'duplicate'; key: string; path: string; partitionStartMs: number }
  /** Added to `buffer`; `full` when the buffer reached the dataset's target rows or bytes. */
  | { kind: 'buffered'; buffer: PartitionBuffer; full: boolean };

export interface RoutingRules {
  /** Called once a decoded event's time partition is known; false drops it. */
  admit(record: SourceRecord, event: CleanEvent, path: string): boolean;
  /** Whether a buffer about to be opened for this time partition holds late rows. */
  isLate(partitionStartMs: number, sourcePartition: number): boolean;
  /** Keep a copy of each row's Kafka record in the buffer (for dead letters of a failed flush). */
  keepOriginals: boolean;
}

/**
 * The path of one record, shared by live ingestion and replay: decode → time partition →
 * dedup → buffer per (time partition, source partition) in the buffer table. What a rejection,
 * a duplicate or a full buffer leads to is the caller's business.
 */
export class RecordRouter {
  private readonly timePaths = new Map<number, string>();

  constructor(
    private readonly dataset: DatasetConfig,
    private readonly schema: ResolvedSchema,
    private readonly decode: RecordDecoder,
    private readonly dedup: Deduplicator,
    readonly table: BufferTable,
  ) {}

  /** Routes one record of `sourcePartition` (its offset order is the caller's to keep). */
  route(record: SourceRecord, sourcePartition: number, nowMs: number, rules: RoutingRules): Routed {
    const result = this.decode(record);
    if (!result.ok) return { kind: 'rejected', reason: result.reason, message: result.message };
    const event = result.event;
    const granularity = this.dataset.partitioning.granularity;
    const start = partitionStart(event.eventTimeMs, granularity);
    const fields = this.schema.partitionFields;
    const path =
      fields.length === 0
        ? this.timePath(start)
        : partitionPath(
            start,
            granularity,
            fields.map((f, i) => ({ name: f.name, value: event.partitionValues[i] ?? '' })),
          );
    if (!rules.admit(record, event, path)) return { kind: 'skipped', path };
    const key = BufferTable.keyOf(path, sourcePartition);
    if (this.dedup.isDuplicate(event.eventId, event.eventTimeMs)) return { kind: 'duplicate', key, path, partitionStartMs: start };
    let buffer = this.table.get(key);
    if (!buffer) {
      buffer = this.table.openBuffer(path, start, sourcePartition, record.offset, nowMs);
      buffer.late = rules.isLate(start, sourcePartition);
      buffer.dedupMark = this.dedup.mark();
    }
    buffer.add(event, record.offset, nowMs, approxEventBytes(record, rules.keepOriginals), rules.keepOriginals ? record : undefined);
    const files = this.dataset.files;
    return { kind: 'buffered', buffer, full: buffer.rowCount >= files.target_rows || buffer.approxBytes >= files.target_bytes };
  }

  /**
   * The Hive path of a time partition, memoized: formatting a date per record was 3 % of the main
   * thread's time in the benchmark's profile, and a stream touches few distinct hours at once.
   */
  private timePath(startMs: number): string {
    let path = this.timePaths.get(startMs);
    if (path === undefined) {
      if (this.timePaths.size >= 4096) this.timePaths.clear();
      path = partitionPath(startMs, this.dataset.partitioning.granularity);
      this.timePaths.set(startMs, path);
    }
    return path;
  }
}

/**
 * Memory of a buffered event: its JSON size twice over (decoded values and strings), plus object
 * overhead, plus the copy of the record's bytes when the buffer keeps it.
 */
export function approxEventBytes(record: SourceRecord, keepsOriginal: boolean): number {
  const value = record.value?.length ?? 0;
  const kept = keepsOriginal ? value + (record.key?.length ?? 0) : 0;
  return value * 2 + 160 + kept;
}

import type { DatasetConfig } from '../config/schema.js';
import type { RejectReason, SourceRecord } from '../core/records.js';
import type { Deduplicator } from '../cleansing/deduplicator.js';
import { BufferTable } from './buffer-table.js';
import type { PartitionBuffer } from './partition-buffer.js';
import { DROPPED, type DecodeReject, type DecodedBatch, type RowIntake } from './row-intake.js';

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
  admit(record: SourceRecord, eventTimeMs: number, path: string): boolean;
  /** Whether a buffer about to be opened for this time partition holds late rows. */
  isLate(partitionStartMs: number, sourcePartition: number): boolean;
}

/** One decoded batch being routed: its summary, and where each record went so far. */
export interface RoutingBatch {
  readonly records: readonly SourceRecord[];
  readonly decoded: DecodedBatch;
  readonly placements: Int32Array;
  readonly rejects: ReadonlyMap<number, DecodeReject>;
}

/**
 * The path of one record, shared by live ingestion and replay: decode (in the row store,
 * possibly a worker thread) → time partition → dedup → buffer per (time partition, source
 * partition) in the buffer table. What a rejection, a duplicate or a full buffer leads to is the
 * caller's business. A batch is decoded as a whole (`decode`), routed record by record on this
 * thread (`route`), then `place`d: the store appends the kept rows' values to their buffers.
 */
export class RecordRouter {
  constructor(
    private readonly dataset: DatasetConfig,
    private readonly rows: RowIntake,
    private readonly dedup: Deduplicator,
    readonly table: BufferTable,
  ) {}

  async decode(records: readonly SourceRecord[], sourcePartition: number, nowMs: number): Promise<RoutingBatch> {
    const decoded = await this.rows.decodeBatch(records, sourcePartition, nowMs);
    const rejects = new Map(decoded.rejects.map((r) => [r.index, r]));
    return { records, decoded, placements: new Int32Array(decoded.count).fill(DROPPED), rejects };
  }

  /** Routes record `index` of a decoded batch (its offset order is the caller's to keep). */
  route(batch: RoutingBatch, index: number, sourcePartition: number, nowMs: number, rules: RoutingRules): Routed {
    const { decoded } = batch;
    const record = batch.records[index] as SourceRecord;
    const pathIndex = decoded.pathIndex[index] as number;
    if (pathIndex < 0) {
      const reject = batch.rejects.get(index);
      return { kind: 'rejected', reason: reject?.reason ?? 'bad_json', message: reject?.message ?? 'the decoder gave no reason' };
    }
    const path = decoded.paths[pathIndex] as string;
    const eventId = decoded.eventIds[index] as string;
    const eventTimeMs = decoded.eventTimeMs[index] as number;
    if (!rules.admit(record, eventTimeMs, path)) return { kind: 'skipped', path };
    const key = BufferTable.keyOf(path, sourcePartition);
    if (this.dedup.isDuplicate(eventId, eventTimeMs)) return { kind: 'duplicate', key, path, partitionStartMs: decoded.pathStarts[pathIndex] as number };
    let buffer = this.table.get(key);
    if (!buffer) {
      const start = decoded.pathStarts[pathIndex] as number;
      buffer = this.table.openBuffer(path, start, sourcePartition, record.offset, nowMs);
      buffer.late = rules.isLate(start, sourcePartition);
      buffer.dedupMark = this.dedup.mark();
    }
    buffer.add({ eventId, eventTimeMs }, record.offset, nowMs, approxEventBytes(record));
    batch.placements[index] = buffer.rowsId;
    const files = this.dataset.files;
    return { kind: 'buffered', buffer, full: buffer.rowCount >= files.target_rows || buffer.approxBytes >= files.target_bytes };
  }

  /** Hands the batch's placements to the store (records not routed are dropped). Call once per decoded batch. */
  place(batch: RoutingBatch): void {
    this.rows.place(batch.decoded, batch.placements);
  }

  /**
   * Decodes, routes every record in order and places the batch, for callers whose per-record work
   * needs nothing before routing: `each` sees each result as it happens (sealing a full buffer
   * there makes the next rows start a new one, as in live ingestion).
   */
  async routeBatch(records: readonly SourceRecord[], sourcePartition: number, nowMs: number, rules: RoutingRules, each?: (routed: Routed) => void): Promise<Routed[]> {
    const batch = await this.decode(records, sourcePartition, nowMs);
    try {
      return records.map((_, i) => {
        const routed = this.route(batch, i, sourcePartition, nowMs, rules);
        each?.(routed);
        return routed;
      });
    } finally {
      this.place(batch);
    }
  }
}

/**
 * Memory of a buffered event: its JSON size twice over (decoded values and strings, held by the
 * row store, in a worker or here), plus object overhead. No copy of the record is kept (a flush
 * that fails for good re-reads it from Kafka).
 */
export function approxEventBytes(record: SourceRecord): number {
  return (record.value?.length ?? 0) * 2 + 160;
}

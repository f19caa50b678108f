import type { SourceRecord } from '../core/records.js';

/** What a dead letter needs of a buffered row's Kafka record: its own copy of the bytes. */
export interface OriginalRecord {
  key: Buffer | null;
  value: Buffer | null;
  timestampMs: number;
}

const FIRST_CHUNK = 4 * 1024;
const MAX_CHUNK = 1024 * 1024;
/** Per row in `rows`: chunk (-1: none kept), start, key length (-1: null), value length (-1: null), timestamp. */
const FIELDS = 5;

/**
 * The copies of a buffer's Kafka records (key and value bytes), kept for dead letters of a flush
 * that fails for good, in chunks that belong to this buffer alone: they are freed with it.
 * A `Buffer.from` per row would cut every copy from Node's shared 8 KiB pool, and a pool slab
 * stays resident while any row in it is still buffered; rows of many open time partitions share
 * slabs, so a few live rows would pin most of the memory of rows long written. One object per
 * row is also saved: the rows are read back only in the rare unflushable case.
 */
export class OriginalRecords {
  private readonly chunks: Buffer[] = [];
  private used = 0;
  private readonly rows: number[] = [];

  /** Appends a copy of `record` (or a row without one). */
  add(record: SourceRecord | undefined): void {
    if (!record) {
      this.rows.push(-1, 0, -1, -1, 0);
      return;
    }
    const keyLength = record.key?.length ?? -1;
    const valueLength = record.value?.length ?? -1;
    const size = Math.max(0, keyLength) + Math.max(0, valueLength);
    const chunk = this.room(size);
    const target = this.chunks[chunk] as Buffer;
    const start = this.used;
    if (record.key) target.set(record.key, start);
    if (record.value) target.set(record.value, start + Math.max(0, keyLength));
    this.used += size;
    this.rows.push(chunk, start, keyLength, valueLength, record.timestampMs);
  }

  /** The copy of row `index`, when one was kept. */
  at(index: number): OriginalRecord | undefined {
    const i = index * FIELDS;
    const chunk = this.rows[i] ?? -1;
    if (chunk < 0) return undefined;
    const bytes = this.chunks[chunk] as Buffer;
    const start = this.rows[i + 1] ?? 0;
    const keyLength = this.rows[i + 2] ?? -1;
    const valueLength = this.rows[i + 3] ?? -1;
    const valueStart = start + Math.max(0, keyLength);
    return {
      key: keyLength < 0 ? null : bytes.subarray(start, start + keyLength),
      value: valueLength < 0 ? null : bytes.subarray(valueStart, valueStart + valueLength),
      timestampMs: this.rows[i + 4] ?? 0,
    };
  }

  /** Bytes allocated for the copies. */
  get bytes(): number {
    let bytes = 0;
    for (const c of this.chunks) bytes += c.length;
    return bytes;
  }

  /** The chunk that has `size` bytes free at `used`: the last one, or a new one twice as large. */
  private room(size: number): number {
    const last = this.chunks[this.chunks.length - 1];
    if (last && last.length - this.used >= size) return this.chunks.length - 1;
    const next = Math.max(size, Math.min(MAX_CHUNK, last ? last.length * 2 : FIRST_CHUNK));
    this.chunks.push(Buffer.allocUnsafeSlow(next));
    this.used = 0;
    return this.chunks.length - 1;
  }
}

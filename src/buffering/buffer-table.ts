import { PartitionBuffer } from './partition-buffer.js';
import type { RowIntake } from './row-intake.js';

/** A buffer taken out of the open table for writing, with the offsets of the duplicates dropped while it was open. */
export interface SealedBuffer {
  id: number;
  buffer: PartitionBuffer;
  duplicateOffsets: number[];
}

/**
 * The buffers of one dataset: open ones (still taking rows), keyed by (time partition, source
 * partition), and sealed ones (in flight: being written; they no longer change). Pure
 * bookkeeping, no I/O: it answers what is pending, how much memory it holds, and how far each
 * source partition's offsets may be committed. A buffer that leaves the table (released after
 * its flush, or dropped on revoke) has its values freed in the row store.
 */
export class BufferTable {
  private readonly open = new Map<string, PartitionBuffer>();
  private readonly openDuplicates = new Map<string, number[]>();
  private readonly sealed = new Map<number, PartitionBuffer>();
  private nextId = 1;
  private nextRowsId = 1;

  constructor(private readonly rows?: Pick<RowIntake, 'free'>) {}

  static keyOf(partitionPath: string, sourcePartition: number): string {
    return `${partitionPath}|${sourcePartition}`;
  }

  get(key: string): PartitionBuffer | undefined {
    return this.open.get(key);
  }

  /** Opens a buffer for a time partition and source partition whose first row has `firstOffset`. */
  openBuffer(partitionPath: string, partitionStartMs: number, sourcePartition: number, firstOffset: number, nowMs: number): PartitionBuffer {
    const key = BufferTable.keyOf(partitionPath, sourcePartition);
    const buffer = new PartitionBuffer(key, partitionPath, partitionStartMs, sourcePartition, firstOffset, nowMs, this.nextRowsId++);
    this.open.set(key, buffer);
    return buffer;
  }

  /**
   * A duplicate dropped inside an open buffer's range: the buffer covers its offset, and its flush
   * records it (in a file, or as an accounted range). Live ingestion opens an empty buffer first
   * when none is open (materializer/duplicate-buffers.ts).
   */
  noteDuplicate(key: string, offset: number): void {
    const buffer = this.open.get(key);
    if (!buffer) return;
    buffer.cover(offset);
    const offsets = this.openDuplicates.get(key);
    if (offsets) offsets.push(offset);
    else this.openDuplicates.set(key, [offset]);
  }

  /** A snapshot of the open buffers, optionally of one source partition. */
  openBuffers(sourcePartition?: number): PartitionBuffer[] {
    const all = [...this.open.values()];
    return sourcePartition === undefined ? all : all.filter((b) => b.sourcePartition === sourcePartition);
  }

  inFlight(): IterableIterator<PartitionBuffer> {
    return this.sealed.values();
  }

  /** Moves an open buffer to the in-flight set; `release` with the id once it is written or given up. */
  seal(buffer: PartitionBuffer): SealedBuffer {
    this.open.delete(buffer.key);
    const duplicateOffsets = this.openDuplicates.get(buffer.key) ?? [];
    this.openDuplicates.delete(buffer.key);
    const id = this.nextId++;
    this.sealed.set(id, buffer);
    return { id, buffer, duplicateOffsets };
  }

  release(id: number): void {
    const buffer = this.sealed.get(id);
    this.sealed.delete(id);
    if (buffer) this.rows?.free([buffer]);
  }

  /**
   * Drops the open buffers of the given source partitions and returns the event ids that were
   * held unwritten by them and by their in-flight buffers (the caller's deduplicator forgets them).
   */
  dropSourcePartitions(gone: ReadonlySet<number>): string[] {
    const ids: string[] = [];
    const dropped: PartitionBuffer[] = [];
    for (const [key, buffer] of this.open) {
      if (!gone.has(buffer.sourcePartition)) continue;
      this.open.delete(key);
      this.openDuplicates.delete(key);
      dropped.push(buffer);
      ids.push(...buffer.eventIds());
    }
    // In-flight buffers are freed when their flush, which stops once it sees the revoke, releases them.
    if (dropped.length > 0) this.rows?.free(dropped);
    for (const flight of this.sealed.values()) if (gone.has(flight.sourcePartition)) ids.push(...flight.eventIds());
    return ids;
  }

  openBytes(): number {
    let bytes = 0;
    for (const b of this.open.values()) bytes += b.approxBytes;
    return bytes;
  }

  inFlightBytes(): number {
    let bytes = 0;
    for (const b of this.sealed.values()) bytes += b.approxBytes;
    return bytes;
  }

  /** Time partitions with rows not yet committed here (open or in flight). */
  pendingPaths(): Set<string> {
    const paths = new Set<string>();
    for (const b of this.open.values()) paths.add(b.partitionPath);
    for (const b of this.sealed.values()) paths.add(b.partitionPath);
    return paths;
  }

  /**
   * Caps each source partition's committable offset (`upTo`: what it would be with nothing
   * buffered) at the first offset of any of its open or in-flight buffers. Source partitions
   * absent from `upTo` (not owned) are not reported.
   */
  committableOffsets(upTo: ReadonlyMap<number, number>): Map<number, number> {
    const offsets = new Map(upTo);
    const lower = (p: number, offset: number): void => {
      const current = offsets.get(p);
      if (current !== undefined && offset < current) offsets.set(p, offset);
    };
    for (const b of this.open.values()) lower(b.sourcePartition, b.firstOffset);
    for (const b of this.sealed.values()) lower(b.sourcePartition, b.firstOffset);
    return offsets;
  }
}

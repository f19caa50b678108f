import type { PartitionBuffer } from '../buffering/partition-buffer.js';

/** The time rules of one dataset that decide when a buffer is due. */
export interface FlushTiming {
  /** Length of a time partition (the granularity), ms. */
  partitionMs: number;
  /** watermark.allowed_lateness, ms. */
  lateness: number;
  /** files.late_batch_window, ms: how long a late buffer collects rows before it is written. */
  lateBatchWindow: number;
  /** files.max_buffer_age, ms: a buffer open this long is written, due or not; 0 or absent: never for its age. */
  maxBufferAge?: number;
}

/** The watermark at which a time partition is over for a source partition: end plus allowed lateness. */
export function dueAfter(partitionStartMs: number, timing: FlushTiming): number {
  return partitionStartMs + timing.partitionMs + timing.lateness;
}

export function dueAt(buffer: PartitionBuffer, timing: FlushTiming): number {
  return dueAfter(buffer.partitionStartMs, timing);
}

/**
 * The open buffers to write now: those whose time partition the source partition's watermark
 * has passed (end plus allowed lateness), and those open for `maxBufferAge` (a bound on how long
 * a row waits to become visible, paid for in smaller files that compaction merges once the
 * partition completes). Late buffers wait for the late batch window, so that a trickle of late
 * events makes one new partition version rather than one per tick.
 */
export function dueBuffers(open: readonly PartitionBuffer[], watermark: number, now: number, timing: FlushTiming): PartitionBuffer[] {
  const maxAge = timing.maxBufferAge ?? 0;
  return open.filter((b) => {
    if (b.late) return now - b.createdAtMs >= timing.lateBatchWindow && dueAt(b, timing) <= watermark;
    return dueAt(b, timing) <= watermark || (maxAge > 0 && now - b.createdAtMs >= maxAge);
  });
}

/** The largest open buffers, largest first, until together they hold at least `bytesToFree`. */
export function largestToShed(open: readonly PartitionBuffer[], bytesToFree: number): PartitionBuffer[] {
  const chosen: PartitionBuffer[] = [];
  let freed = 0;
  for (const buffer of [...open].sort((a, b) => b.approxBytes - a.approxBytes)) {
    if (freed >= bytesToFree) break;
    freed += buffer.approxBytes;
    chosen.push(buffer);
  }
  return chosen;
}

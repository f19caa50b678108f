import type { PartitionBuffer } from '../buffering/partition-buffer.js';
import { inRanges } from '../core/offset-ranges.js';

/**
 * One part of a buffer's offset range that no committed range of its (time partition, source
 * partition) touches: the rows to write there, the duplicates dropped there, and the offsets it
 * covers (from its first to its last row or duplicate). It becomes one file, or, when no row is
 * left to write but some duplicates are, one accounted range.
 */
export interface FlushPiece {
  /** Row indices of the buffer, in offset order. */
  rows: number[];
  /** Duplicates (noted while the buffer was open) whose offsets fall in this piece. */
  duplicates: number;
  first: number;
  last: number;
}

/**
 * Splits a buffer into pieces around `committed` (offset ranges another writer of the same source
 * partition already committed to this time partition; disjoint). Rows inside them are dropped
 * (`PartitionBuffer.segmentsExcluding`), and so are duplicates inside them: that writer recorded
 * them. The rows and duplicates between two committed ranges make one piece.
 */
export function flushPieces(buffer: PartitionBuffer, duplicateOffsets: readonly number[], committed: ReadonlyArray<{ first: number; last: number }>): FlushPiece[] {
  const before = (offset: number): number => committed.filter((r) => r.last < offset).length; // which gap
  const pieces = new Map<number, FlushPiece>();
  for (const segment of buffer.segmentsExcluding(committed)) pieces.set(before(segment.first), { rows: segment.rows, duplicates: 0, first: segment.first, last: segment.last });
  for (const offset of duplicateOffsets) {
    if (inRanges(offset, committed)) continue;
    const gap = before(offset);
    const piece = pieces.get(gap);
    if (!piece) {
      pieces.set(gap, { rows: [], duplicates: 1, first: offset, last: offset });
      continue;
    }
    piece.duplicates++;
    piece.first = Math.min(piece.first, offset);
    piece.last = Math.max(piece.last, offset);
  }
  return [...pieces.values()].sort((a, b) => a.first - b.first);
}

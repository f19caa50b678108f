import type { AccountedRange, FileCommit, PartitionState, SourceRange } from '../lake/metadata-types.js';

/**
 * Every source offset range whose rows a file holds: one for a flushed file, several for a
 * compacted one (`sources`). The overlap check of a commit, the flusher's filter of rows already
 * committed, and a replay's plan all read a file's ranges through this.
 */
export function sourceRangesOf(file: FileCommit): SourceRange[] {
  return file.sources ?? [file.source];
}

const overlaps = (r: SourceRange, range: SourceRange): boolean =>
  r.topic === range.topic && r.partition === range.partition && r.first_offset <= range.last_offset && r.last_offset >= range.first_offset;

/** The first of `files` holding an offset of `range` (same topic and source partition), if any. */
export function fileOverlapping(files: readonly FileCommit[], range: SourceRange): FileCommit | undefined {
  return files.find((f) => sourceRangesOf(f).some((r) => overlaps(r, range)));
}

/** The first accounted range of a state overlapping `range` (same topic and source partition), if any. */
export function accountedOverlapping(state: PartitionState, range: SourceRange): AccountedRange | undefined {
  return state.accounted_ranges?.find((a) => overlaps(a.source, range));
}

/** Every source range a state covers: its files' ranges and its accounted ranges. */
export function coveredSourceRanges(state: PartitionState): SourceRange[] {
  return [...state.files.flatMap(sourceRangesOf), ...(state.accounted_ranges ?? []).map((a) => a.source)];
}

/** The offset ranges of one source partition that a state (when there is one) already covers. */
export function committedRangesOf(state: PartitionState | undefined, topic: string, sourcePartition: number): Array<{ first: number; last: number }> {
  if (!state) return [];
  return coveredSourceRanges(state)
    .filter((r) => r.topic === topic && r.partition === sourcePartition)
    .map((r) => ({ first: r.first_offset, last: r.last_offset }));
}

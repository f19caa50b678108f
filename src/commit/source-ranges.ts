import type { FileCommit, SourceRange } from '../lake/metadata-types.js';

/**
 * Every source offset range whose rows a file holds: one for a flushed file, several for a
 * compacted one (`sources`). The overlap check of a commit, the flusher's filter of rows already
 * committed, and a replay's plan all read a file's ranges through this.
 */
export function sourceRangesOf(file: FileCommit): SourceRange[] {
  return file.sources ?? [file.source];
}

/** The first of `files` holding an offset of `range` (same topic and source partition), if any. */
export function fileOverlapping(files: readonly FileCommit[], range: SourceRange): FileCommit | undefined {
  return files.find((f) =>
    sourceRangesOf(f).some((r) => r.topic === range.topic && r.partition === range.partition && r.first_offset <= range.last_offset && r.last_offset >= range.first_offset),
  );
}

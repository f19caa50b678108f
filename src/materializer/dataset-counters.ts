import type { RejectReason } from '../core/records.js';

/** Quality and progress counters of one dataset since start-up; the catalog and metrics read them. */
export class DatasetCounters {
  consumed = 0;
  rowsWritten = 0;
  bytesWritten = 0;
  filesWritten = 0;
  duplicates = 0;
  lateRows = 0;
  rejected = 0;
  readonly rejectedByReason = new Map<RejectReason, number>();
  /** Records read again after a restart that were already in committed files or dead letters. */
  recoveredSkips = 0;
  earlyFlushes = 0;
  /** Ids the dedup index evicted at its memory limit while still inside the dedup window. */
  dedupEvictedInWindow = 0;
  flushRetries = 0;
  deadLetterBatches = 0;
  partitionsCompleted = 0;
  compactionsStarted = 0;
  compactions = 0;
  compactionFailures = 0;
  compactedFilesIn = 0;
  compactedFilesOut = 0;
  compactedRows = 0;

  reject(reason: RejectReason): void {
    this.rejected++;
    this.rejectedByReason.set(reason, (this.rejectedByReason.get(reason) ?? 0) + 1);
  }

  fileWritten(rows: number, bytes: number, late: boolean): void {
    this.filesWritten++;
    this.rowsWritten += rows;
    this.bytesWritten += bytes;
    if (late) this.lateRows += rows;
  }

  toJSON(): Record<string, number | Record<string, number>> {
    return {
      consumed: this.consumed,
      rows_written: this.rowsWritten,
      bytes_written: this.bytesWritten,
      files_written: this.filesWritten,
      duplicates: this.duplicates,
      late_rows: this.lateRows,
      rejected: this.rejected,
      rejected_by_reason: Object.fromEntries(this.rejectedByReason),
      recovered_skips: this.recoveredSkips,
      early_flushes: this.earlyFlushes,
      dedup_evicted_in_window: this.dedupEvictedInWindow,
      flush_retries: this.flushRetries,
      dead_letter_batches: this.deadLetterBatches,
      partitions_completed: this.partitionsCompleted,
      compactions_started: this.compactionsStarted,
      compactions: this.compactions,
      compaction_failures: this.compactionFailures,
      compacted_files_in: this.compactedFilesIn,
      compacted_files_out: this.compactedFilesOut,
      compacted_rows: this.compactedRows,
    };
  }
}

import type { AccountedRange, FileCommit } from '../lake/metadata-types.js';
import { committedEventIds } from './dedup-recovery.js';
import { writtenDatasets, type PipelineContext } from './pipeline-context.js';
import { RecoveryCoverage, type CoveredRange } from './recovery-coverage.js';

/**
 * Takes ownership of a source partition whose records will be read from `committedOffset`, with
 * `logEndOffset` the end of its log when it was assigned: until it has read that far it has a
 * backlog, and a partition with a backlog is not idle however long its first fetch takes (it would
 * otherwise stop holding the watermark back, and hours it still has records for could complete).
 * Builds the recovery coverage from what S3 already holds past that offset, repairs any commit
 * whose commit-record step did not happen (a crash after the partition-state write), seeds the
 * deduplicator and the watermark where the previous owner left them.
 */
export async function assignSourcePartition(ctx: PipelineContext, sourcePartition: number, committedOffset: number, logEndOffset: number): Promise<void> {
  const { dataset, deps } = ctx;
  const { commitLog } = deps;
  const { files: commits, accounted } = await commitLog.recordsFrom(dataset.name, dataset.topic, sourcePartition, committedOffset);
  const deadLetters = await commitLog.deadLetterRangesFrom(dataset.name, dataset.topic, sourcePartition, committedOffset);
  // Also the files that open partitions' states list without a commit record (a crash between
  // the state write and the record): left out of the coverage, their records would be buffered
  // again and their ids remembered, although the flush then drops them as already committed;
  // one that was a duplicate in that file would make the deduplicator drop its other copy (in
  // another source partition, lost in the crash too), and neither would be written. Their
  // commit records are written now, so the coverage of later assignments finds them too.
  // Accounted ranges (duplicates without a file) are covered the same way: a re-read of one is a
  // skip, so its duplicates are not counted twice, and its ids do not reach the deduplicator.
  const recorded = new Set(commits.map((c) => c.key));
  const unrecorded: Array<{ file: FileCommit; ranges: CoveredRange[] }> = [];
  const accountedKey = (a: AccountedRange): string => `${a.partition_path}|${a.source.first_offset}|${a.source.last_offset}`;
  const recordedAccounted = new Set(accounted.map(accountedKey));
  const unrecordedAccounted: AccountedRange[] = [];
  for (const name of writtenDatasets(dataset)) {
    const open = await commitLog.openRecordsFrom(name, dataset.topic, sourcePartition, committedOffset);
    for (const found of open.files) if (!recorded.has(found.file.key)) unrecorded.push(found);
    for (const entry of open.accounted) if (!recordedAccounted.has(accountedKey(entry))) unrecordedAccounted.push(entry);
  }
  const allAccounted = [...accounted, ...unrecordedAccounted];
  let coverage: RecoveryCoverage | undefined;
  if (commits.length > 0 || deadLetters.length > 0 || unrecorded.length > 0 || allAccounted.length > 0) {
    coverage = new RecoveryCoverage();
    for (const c of commits) coverage.addFile(c.partition_path, { first: c.source.first_offset, last: c.source.last_offset });
    for (const { file, ranges } of unrecorded) for (const r of ranges) coverage.addFile(file.partition_path, r);
    for (const a of allAccounted) coverage.addFile(a.partition_path, { first: a.source.first_offset, last: a.source.last_offset });
    for (const r of deadLetters) coverage.addDeadLetters(r);
  }
  // A compacted file (several ranges) has no commit record of its own: its inputs had theirs.
  for (const { file } of unrecorded) if (file.sources === undefined) await commitLog.writeCommitRecord(file, dataset.name);
  for (const entry of unrecordedAccounted) await commitLog.writeAccountedRecord(entry, dataset.name);
  // The watermark continues where the previous owner left it, and the deduplicator learns the
  // ids this partition already wrote within the window.
  const checkpoint = await commitLog.readSourceCheckpoint(dataset.name, dataset.topic, sourcePartition);
  const restoredMax = checkpoint?.max_event_time_ms ?? Number.NEGATIVE_INFINITY;
  let seeded = 0;
  if (Number.isFinite(restoredMax)) {
    const horizon = restoredMax - dataset.watermark.dedup_window;
    for await (const { eventId, eventTimeMs } of committedEventIds(deps.store, commitLog, dataset.name, dataset.topic, sourcePartition, horizon)) {
      ctx.dedup.remember(eventId, eventTimeMs);
      seeded++;
    }
  }
  ctx.sources.set(sourcePartition, {
    nextOffset: committedOffset,
    highWatermark: Math.max(committedOffset, logEndOffset),
    coverage,
    deadLetters: undefined,
    deadLettersToWrite: [],
    lastPublished: undefined,
  });
  ctx.watermarks.track(sourcePartition, ctx.clock(), restoredMax);
  deps.logger.info(
    {
      dataset: dataset.name,
      partition: sourcePartition,
      from_offset: committedOffset,
      log_end_offset: logEndOffset,
      recovered_files: commits.length,
      recovered_unrecorded_files: unrecorded.length,
      recovered_accounted_ranges: allAccounted.length,
      recovered_dead_letter_batches: deadLetters.length,
      dedup_ids_restored: seeded,
    },
    'source partition assigned',
  );
}

/**
 * Gives up source partitions: their unflushed buffers are dropped; the next owner reads them
 * again. The deduplicator must forget the ids of rows dropped unwritten: if the partition comes
 * back to this instance before the next owner commits them, they are read again, and remembered
 * ids would turn them into "duplicates" and lose them. (A file an in-flight flush still commits
 * is found by the coverage and the dedup seeding of the next assignment.)
 */
export function revokeSourcePartitions(ctx: PipelineContext, sourcePartitions: number[]): void {
  for (const id of ctx.table.dropSourcePartitions(new Set(sourcePartitions))) ctx.dedup.forget(id);
  for (const p of sourcePartitions) {
    ctx.sources.delete(p);
    ctx.watermarks.untrack(p);
  }
}

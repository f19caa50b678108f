import type { DatasetConfig } from '../config/schema.js';
import type { ResolvedSchema } from '../core/resolved-schema.js';
import type { CommitLog } from '../commit/commit-log.js';
import type { AccountedRange, FileCommit, PartitionState } from '../lake/metadata-types.js';
import { committedRangesOf } from '../commit/source-ranges.js';
import { TukangError, isTukangError } from '../errors/catalogue.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { PartitionBuffer, Segment } from '../buffering/partition-buffer.js';
import type { RowEncoder } from './rows/row-store.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import { CommittedIds } from './committed-ids.js';
import { partitionLength } from '../cleansing/time-partition.js';
import { flushPieces } from './flush-pieces.js';

export interface FlushResult {
  /** The files committed for this buffer (usually one; none when another writer already had every row). */
  commits: FileCommit[];
  /** Pieces with duplicates but no row left to write, committed without a file. */
  accounted: AccountedRange[];
  lateRows: number;
  /** Rows dropped because the partition already held their event (committed from another source partition). */
  duplicates: number;
  /** Rows dropped because another writer of their source partition already committed their offsets. */
  reread: number;
}

const MAX_OVERLAP_RETRIES = 5;

/**
 * Writes one buffer as Parquet and commits it: sort, encode (in a worker), upload, then the
 * partition state (the commit point) and the commit record that recovery lists.
 *
 * Before encoding, two kinds of rows are dropped. Rows that another writer of the same source
 * partition already committed to this time partition (a previous owner whose flush was still in
 * flight when the partition moved here after a rebalance): the partition state's If-Match update
 * rejects overlapping ranges, so a race between the check and the commit is caught at the commit
 * and the flush starts over with the new state. And rows whose event id the time partition
 * already holds within the dedup window, from any source partition: the in-memory deduplicator
 * only knows what this process read, and after a restart or a rebalance the first copy of an
 * event can sit in a file written by another process. A file committed between this check and
 * the commit is refused (COMMIT_RECHECK); its ids are checked and the commit tried again.
 *
 * Each file records the duplicates dropped in its offset range. Where no row is left to write
 * (a buffer opened by a duplicate, or every row already in the lake), the duplicates are
 * committed as an accounted range instead (CommitLog.commitAccounted): no file, but the same
 * partition-state write and commit record, so the lake counts them once, also after a crash.
 */
export class FileFlusher {
  constructor(
    private readonly dataset: DatasetConfig,
    private readonly schema: ResolvedSchema,
    /** Holds the buffers' values and encodes them (in-process, or in the row workers). */
    private readonly rows: RowEncoder,
    private readonly store: ObjectStore,
    private readonly commitLog: CommitLog,
    private readonly layout: LakeLayout,
    private readonly committedIds = new CommittedIds(store, (key) => commitLog.placement.locate(key)),
  ) {}

  async flush(buffer: PartitionBuffer, targetDataset: string, duplicateOffsets: readonly number[], stillOwned: () => boolean): Promise<FlushResult> {
    const topic = this.dataset.topic;
    for (let attempt = 0; ; attempt++) {
      // The first pass may start from this process's copy of the state: the commit re-checks what
      // it does not know (COMMIT_RECHECK) and refuses an overlap (COMMIT_OVERLAP), after which the
      // next pass reads the state itself.
      const state = attempt === 0 ? await this.commitLog.knownPartition(targetDataset, buffer.partitionPath) : (await this.commitLog.readPartition(targetDataset, buffer.partitionPath))?.value;
      const files = state?.files ?? [];
      const result: FlushResult = { commits: [], accounted: [], lateRows: 0, duplicates: 0, reread: buffer.rowCount };
      try {
        const checked = new Set(files.map((f) => f.key));
        const pieces = flushPieces(buffer, duplicateOffsets, committedRangesOf(state, topic, buffer.sourcePartition));
        for (const piece of pieces) result.reread -= piece.rows.length;
        for (const piece of pieces) {
          if (!stillOwned()) return result;
          const rows = await this.rowsNotIn(buffer, piece.rows, files);
          const dropped = piece.rows.length - rows.length;
          result.duplicates += dropped;
          if (rows.length === 0) {
            const entry = await this.account(buffer, piece, targetDataset, piece.duplicates + dropped, stillOwned);
            if (entry === null) return result;
            if (entry) result.accounted.push(entry);
            continue;
          }
          const commit = await this.writeSegment(buffer, { rows, first: piece.first, last: piece.last }, targetDataset, piece.duplicates + dropped, checked, stillOwned);
          if (!commit) return result;
          result.commits.push(commit);
          checked.add(commit.key);
          if (commit.late) result.lateRows += commit.rows;
        }
        return result;
      } catch (err) {
        if (!isTukangError(err, 'COMMIT_OVERLAP') || attempt >= MAX_OVERLAP_RETRIES) throw err;
        // Another writer committed some of these offsets or events meanwhile: start over without them.
      }
    }
  }

  /**
   * Commits the offsets `first..last` of a buffer, which hold no row to write, as an accounted
   * range with `duplicates`. Undefined when there is nothing to account for; null when the source
   * partition was revoked meanwhile (its next owner reads them again).
   */
  async account(buffer: PartitionBuffer, range: { first: number; last: number }, targetDataset: string, duplicates: number, stillOwned: () => boolean): Promise<AccountedRange | undefined | null> {
    if (duplicates === 0) return undefined;
    if (!stillOwned()) return null;
    const source = { topic: this.dataset.topic, partition: buffer.sourcePartition, first_offset: range.first, last_offset: range.last };
    const entry: AccountedRange = { dataset: targetDataset, partition_path: buffer.partitionPath, source, duplicates, committed_at: new Date().toISOString() };
    await this.commitLog.commitAccounted(entry, this.dataset.name);
    return entry;
  }

  /** The rows (indices) whose event id no file in `files` holds with an event time within the dedup window. */
  private async rowsNotIn(buffer: PartitionBuffer, rows: number[], files: readonly FileCommit[]): Promise<number[]> {
    if (files.length === 0 || rows.length === 0) return rows;
    const window = this.dataset.watermark.dedup_window;
    let kept = rows;
    for (const file of files) {
      if (this.cannotHold(buffer, file.key)) continue;
      const ids = await this.committedIds.of(file);
      kept = kept.filter((i) => {
        const time = ids.get(buffer.eventIdAt(i));
        return time === undefined || Math.abs(time - buffer.eventTimeAt(i)) > window;
      });
      if (kept.length === 0) break;
    }
    return kept;
  }

  /** True when file `key` cannot hold a row of `buffer` (CommittedIds.cannotHold over the buffer's time partition). */
  private cannotHold(buffer: PartitionBuffer, key: string): boolean {
    const from = buffer.partitionStartMs;
    return this.committedIds.cannotHold(key, buffer.dedupMark, from, from + partitionLength(this.dataset.partitioning.granularity));
  }

  private async writeSegment(
    buffer: PartitionBuffer,
    segment: Segment,
    targetDataset: string,
    duplicates: number,
    checked: Set<string>,
    stillOwned: () => boolean,
  ): Promise<FileCommit | undefined> {
    const commit = await this.stage(buffer, segment, targetDataset, { duplicates, extension: extensionFor(this.dataset.files.compression), stillOwned });
    if (!commit) return undefined;
    // Known before the commit: flushes of this process committed in the same group (or just
    // before) need not re-check this file when the deduplicator vouches for both (cannotHold).
    this.committedIds.remember(commit.key, new Map(segment.rows.map((i) => [buffer.eventIdAt(i), buffer.eventTimeAt(i)])), buffer.dedupMark);
    const state = await this.commitChecked(buffer, segment.rows, commit, checked);
    const listed = state.files.find((f) => f.key === commit.key);
    if (!listed) throw new TukangError('INTERNAL', `file ${commit.key} is missing from the state it was just committed to`);
    return listed;
  }

  /**
   * Sorts and encodes a segment's rows and stages the file under `_tukang/` (folder readers see it
   * only once a commit lists it); returns its commit, not yet committed. Live flushes commit it
   * here; a replay collects them and switches the partition to them at once. Undefined when the
   * source partition was revoked meanwhile.
   */
  async stage(
    buffer: PartitionBuffer,
    segment: Segment,
    targetDataset: string,
    options: { duplicates: number; extension: string; metadata?: Record<string, string>; stillOwned?: () => boolean },
  ): Promise<FileCommit | undefined> {
    const topic = this.dataset.topic;
    const stillOwned = options.stillOwned ?? ((): boolean => true);
    const order = buffer.sortedRows(segment.rows);
    const { min, max } = buffer.minMaxEventTime(segment.rows);
    const encoded = await this.rows.encode(buffer, order, buffer.lineageOf(order, topic), {
      compression: this.dataset.files.compression,
      rowGroupRows: this.dataset.files.row_group_rows,
      keyValueMetadata: {
        'tukang.dataset': targetDataset,
        'tukang.schema_version': this.schema.version,
        'tukang.source': `${topic}/${buffer.sourcePartition}/${segment.first}-${segment.last}`,
        ...options.metadata,
      },
    });
    if (!stillOwned()) return undefined;
    const key = this.layout.dataFile(targetDataset, buffer.partitionPath, topic, buffer.sourcePartition, segment.first, segment.last, encoded.sha256, options.extension);
    await this.commitLog.placement.stage(key, encoded.bytes, 'application/vnd.apache.parquet');
    if (!stillOwned()) return undefined;
    return {
      dataset: targetDataset,
      partition_path: buffer.partitionPath,
      key,
      uri: this.commitLog.uriOf(key),
      bytes: encoded.bytes.byteLength,
      rows: encoded.rowCount,
      sha256: encoded.sha256,
      min_event_at: new Date(min).toISOString(),
      max_event_at: new Date(max).toISOString(),
      source: { topic, partition: buffer.sourcePartition, first_offset: segment.first, last_offset: segment.last },
      schema_version: this.schema.version,
      duplicates: options.duplicates,
      late: false,
      committed_at: new Date().toISOString(),
    };
  }

  /**
   * Commits, re-checking the files that other writers committed since the rows were checked: when
   * none of them holds one of these events, the same upload is committed; otherwise the flush
   * starts over (COMMIT_OVERLAP), and the next pass drops the rows they hold.
   */
  private async commitChecked(buffer: PartitionBuffer, rows: number[], commit: FileCommit, checked: Set<string>): Promise<PartitionState> {
    for (;;) {
      try {
        return await this.commitLog.commitFile(commit, this.dataset.name, (key) => checked.has(key) || this.cannotHold(buffer, key));
      } catch (err) {
        if (!isTukangError(err, 'COMMIT_RECHECK')) throw err;
      }
      const fresh = (await this.commitLog.readPartition(commit.dataset, commit.partition_path))?.value.files ?? [];
      const added = fresh.filter((f) => !checked.has(f.key));
      if ((await this.rowsNotIn(buffer, rows, added)).length < rows.length) {
        throw new TukangError('COMMIT_OVERLAP', `${commit.key}: a file committed meanwhile holds some of its events`);
      }
      for (const f of added) checked.add(f.key);
    }
  }
}

export function extensionFor(compression: DatasetConfig['files']['compression']): string {
  return compression === 'uncompressed' ? '.parquet' : `.${compression}.parquet`;
}

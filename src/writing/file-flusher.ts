import type { DatasetConfig } from '../config/schema.js';
import type { ResolvedSchema } from '../core/resolved-schema.js';
import type { CommitLog } from '../commit/commit-log.js';
import type { FileCommit } from '../commit/metadata-types.js';
import { sourceRangesOf } from '../commit/source-ranges.js';
import { TukangError, isTukangError } from '../errors/catalogue.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { PartitionBuffer, Segment } from '../buffering/partition-buffer.js';
import type { ParquetEncoderPool } from './parquet/encoder-pool.js';
import type { LakeLayout } from './lake-layout.js';

export interface FlushResult {
  /** The files committed for this buffer (usually one; none when another writer already had every row). */
  commits: FileCommit[];
  lateRows: number;
}

const MAX_OVERLAP_RETRIES = 5;

/**
 * Writes one buffer as Parquet and commits it: sort, encode (in a worker), upload, then the
 * partition state (the commit point) and the commit record that recovery lists.
 *
 * Before encoding, the rows that another writer of the same source partition already committed
 * to this time partition are dropped. That writer can be a previous owner whose flush was still
 * in flight when the partition moved here after a rebalance; the partition state's If-Match
 * update rejects overlapping ranges, so a race between the check and the commit is caught at
 * the commit and the flush starts over with the new state.
 */
export class FileFlusher {
  constructor(
    private readonly dataset: DatasetConfig,
    private readonly schema: ResolvedSchema,
    private readonly encoder: ParquetEncoderPool,
    private readonly store: ObjectStore,
    private readonly commitLog: CommitLog,
    private readonly layout: LakeLayout,
  ) {}

  async flush(buffer: PartitionBuffer, targetDataset: string, duplicates: number, stillOwned: () => boolean): Promise<FlushResult> {
    const topic = this.dataset.topic;
    for (let attempt = 0; ; attempt++) {
      const state = await this.commitLog.readPartition(targetDataset, buffer.partitionPath);
      const committed = (state?.value.files ?? [])
        .flatMap(sourceRangesOf)
        .filter((r) => r.topic === topic && r.partition === buffer.sourcePartition)
        .map((r) => ({ first: r.first_offset, last: r.last_offset }));
      const result: FlushResult = { commits: [], lateRows: 0 };
      try {
        for (const segment of buffer.segmentsExcluding(committed)) {
          if (!stillOwned()) return result;
          const commit = await this.writeSegment(buffer, segment, targetDataset, result.commits.length === 0 ? duplicates : 0, stillOwned);
          if (!commit) return result;
          result.commits.push(commit);
          if (commit.late) result.lateRows += commit.rows;
        }
        return result;
      } catch (err) {
        if (!isTukangError(err, 'COMMIT_OVERLAP') || attempt >= MAX_OVERLAP_RETRIES) throw err;
        // Another writer committed some of these offsets meanwhile: start over without them.
      }
    }
  }

  private async writeSegment(buffer: PartitionBuffer, segment: Segment, targetDataset: string, duplicates: number, stillOwned: () => boolean): Promise<FileCommit | undefined> {
    const topic = this.dataset.topic;
    const batch = buffer.toSortedBatch(this.schema.columns, topic, segment.rows);
    const { min, max } = buffer.minMaxEventTime(segment.rows);
    const encoded = await this.encoder.encode(batch, {
      compression: this.dataset.files.compression,
      rowGroupRows: this.dataset.files.row_group_rows,
      keyValueMetadata: {
        'tukang.dataset': targetDataset,
        'tukang.schema_version': this.schema.version,
        'tukang.source': `${topic}/${buffer.sourcePartition}/${segment.first}-${segment.last}`,
      },
    });
    if (!stillOwned()) return undefined;
    const key = this.layout.dataFile(
      targetDataset,
      buffer.partitionPath,
      topic,
      buffer.sourcePartition,
      segment.first,
      segment.last,
      encoded.sha256,
      extensionFor(this.dataset.files.compression),
    );
    // Staged under `_tukang/`: folder readers see the file only once the commit below lists it.
    await this.commitLog.placement.stage(key, encoded.bytes, 'application/vnd.apache.parquet');
    if (!stillOwned()) return undefined;
    const commit: FileCommit = {
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
      duplicates,
      late: false,
      committed_at: new Date().toISOString(),
    };
    const state = await this.commitLog.commitFile(commit, this.dataset.name);
    const listed = state.files.find((f) => f.key === key);
    if (!listed) throw new TukangError('INTERNAL', `file ${key} is missing from the state it was just committed to`);
    return listed;
  }
}

export function extensionFor(compression: DatasetConfig['files']['compression']): string {
  return compression === 'uncompressed' ? '.parquet' : `.${compression}.parquet`;
}

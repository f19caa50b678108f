import type { DatasetConfig } from '../config/schema.js';
import type { ResolvedSchema } from '../core/resolved-schema.js';
import type { CommitLog } from '../commit/commit-log.js';
import type { FileCommit, PartitionState } from '../commit/metadata-types.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { PartitionBuffer } from '../buffering/partition-buffer.js';
import type { ParquetEncoderPool } from './parquet/encoder-pool.js';
import type { LakeLayout } from './lake-layout.js';

export interface FlushResult {
  commit: FileCommit;
  state: PartitionState;
}

/**
 * Writes one buffer as one Parquet file and commits it: sort, encode (in a worker), upload to the
 * deterministic key, then the commit record and the partition state. Until the last step the
 * file is unreferenced, so readers following the metadata never meet a partial file.
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

  async flush(buffer: PartitionBuffer, targetDataset: string, duplicates: number): Promise<FlushResult> {
    const topic = this.dataset.topic;
    const batch = buffer.toSortedBatch(this.schema.columns, topic);
    const { min, max } = buffer.minMaxEventTime();
    const encoded = await this.encoder.encode(batch, {
      compression: this.dataset.files.compression,
      rowGroupRows: this.dataset.files.row_group_rows,
      keyValueMetadata: {
        'tukang.dataset': targetDataset,
        'tukang.schema_version': this.schema.version,
        'tukang.source': `${topic}/${buffer.sourcePartition}/${buffer.firstOffset}-${buffer.lastOffset}`,
      },
    });
    const key = this.layout.dataFile(targetDataset, buffer.partitionPath, topic, buffer.sourcePartition, buffer.firstOffset, extensionFor(this.dataset.files.compression));
    await this.store.put(key, encoded.bytes, { contentType: 'application/vnd.apache.parquet' });
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
      source: { topic, partition: buffer.sourcePartition, first_offset: buffer.firstOffset, last_offset: buffer.lastOffset },
      schema_version: this.schema.version,
      duplicates,
      late: false,
      committed_at: new Date().toISOString(),
    };
    const state = await this.commitLog.commitFile(commit, this.dataset.name);
    return { commit, state };
  }
}

function extensionFor(compression: DatasetConfig['files']['compression']): string {
  return compression === 'uncompressed' ? '.parquet' : `.${compression}.parquet`;
}

import { isTukangError } from '../errors/catalogue.js';
import { offsetsFromKey, padOffset, type LakeLayout } from '../lake/lake-layout.js';
import { fileCommitSchema, sourceCheckpointSchema } from '../lake/metadata-schemas.js';
import type { FileCommit, SourceCheckpoint } from '../lake/metadata-types.js';
import { readMetadata } from '../lake/read-metadata.js';
import { listAll, putJson, type ObjectStore } from '../storage/object-store.js';

/**
 * The per-source-partition side of the commit protocol: immutable commit records (what recovery
 * lists from Kafka's committed offset), source checkpoints (what completeness reads) and the
 * offset ranges of dead-letter batches. CommitLog builds the partition-state side on top.
 */
export class SourceRecords {
  constructor(
    protected readonly store: ObjectStore,
    protected readonly layout: LakeLayout,
  ) {}

  /**
   * The commit record of a listed file (step 4). Commit records stay with the dataset that
   * consumed the records (also for a late-data side table), so recovery finds every range of a
   * source partition in one listing. Idempotent: a 412 means an earlier attempt got through.
   */
  async writeCommitRecord(file: FileCommit, sourceDataset: string): Promise<void> {
    const recordKey = this.layout.commitRecord(sourceDataset, file.source.topic, file.source.partition, file.source.last_offset, file.source.first_offset, file.partition_path);
    try {
      await putJson(this.store, recordKey, file, { ifNoneMatch: '*' });
    } catch (err) {
      if (!isTukangError(err, 'S3_PRECONDITION_FAILED')) throw err;
    }
  }

  /** Commit records of a source partition whose last offset is at or past `fromOffset`, in offset order. */
  async commitsFrom(dataset: string, topic: string, sourcePartition: number, fromOffset: number): Promise<FileCommit[]> {
    const prefix = this.layout.commitsOf(dataset, topic, sourcePartition);
    const startAfter = fromOffset > 0 ? `${prefix}${padOffset(fromOffset - 1)}~` : undefined;
    const commits: FileCommit[] = [];
    for await (const object of listAll(this.store, prefix, startAfter === undefined ? {} : { startAfter })) {
      const range = offsetsFromKey(object.key);
      if (!range || range.last < fromOffset) continue;
      const record = await readMetadata(this.store, object.key, fileCommitSchema);
      if (record) commits.push(record.value);
    }
    return commits;
  }

  /** Keys of every commit record of a source partition, oldest offsets first. */
  async commitKeys(dataset: string, topic: string, sourcePartition: number): Promise<string[]> {
    const keys: string[] = [];
    for await (const object of listAll(this.store, this.layout.commitsOf(dataset, topic, sourcePartition))) keys.push(object.key);
    return keys;
  }

  async readCommit(key: string): Promise<FileCommit | undefined> {
    return (await readMetadata(this.store, key, fileCommitSchema))?.value;
  }

  async readSourceCheckpoint(dataset: string, topic: string, sourcePartition: number): Promise<SourceCheckpoint | undefined> {
    return (await readMetadata(this.store, this.layout.sourceCheckpoint(dataset, topic, sourcePartition), sourceCheckpointSchema))?.value;
  }

  /** Dead-letter batches of a source partition whose last offset is at or past `fromOffset`. */
  async deadLetterRangesFrom(dataset: string, topic: string, sourcePartition: number, fromOffset: number): Promise<Array<{ first: number; last: number }>> {
    const prefix = this.layout.deadLettersOf(dataset, topic, sourcePartition);
    const ranges: Array<{ first: number; last: number }> = [];
    for await (const object of listAll(this.store, prefix)) {
      const range = offsetsFromKey(object.key);
      if (range && range.last >= fromOffset) ranges.push(range);
    }
    return ranges;
  }

  async writeSourceCheckpoint(checkpoint: SourceCheckpoint): Promise<void> {
    await putJson(this.store, this.layout.sourceCheckpoint(checkpoint.dataset, checkpoint.topic, checkpoint.partition), checkpoint);
  }

  async readSourceCheckpoints(dataset: string, topic: string): Promise<SourceCheckpoint[]> {
    const checkpoints: SourceCheckpoint[] = [];
    for await (const object of listAll(this.store, this.layout.sourceCheckpoints(dataset, topic))) {
      const value = await readMetadata(this.store, object.key, sourceCheckpointSchema);
      if (value) checkpoints.push(value.value);
    }
    return checkpoints;
  }
}

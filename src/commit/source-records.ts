import { isTukangError } from '../errors/catalogue.js';
import { isAccountedRecord, offsetsFromKey, padOffset, type LakeLayout } from '../lake/lake-layout.js';
import { accountedRangeSchema, fileCommitSchema, sourceCheckpointSchema } from '../lake/metadata-schemas.js';
import type { AccountedRange, FileCommit, SourceCheckpoint } from '../lake/metadata-types.js';
import { readMetadata } from '../lake/read-metadata.js';
import { listAll, putJson, type ObjectStore } from '../storage/object-store.js';
import { lakeActivity, noteLakeActivity } from './lake-activity.js';

/**
 * The per-source-partition side of the commit protocol: immutable commit records (what recovery
 * lists from Kafka's committed offset), source checkpoints (what completeness reads) and the
 * offset ranges of dead-letter batches. CommitLog builds the partition-state side on top.
 */
export class SourceRecords {
  /** How long the completeness check may reuse an open-marker listing (openPartitionsForCompletion); 0 lists every time. */
  openListReuseMs = 0;
  clock: () => number = Date.now;
  private readonly openLists = new Map<string, { value: string[]; atMs: number; generation: number }>();
  private readonly checkpointObjects = new Map<string, { value: SourceCheckpoint; etag: string }>();
  private readonly checkpointReads = new Map<string, { value: SourceCheckpoint[]; atMs: number; generation: number }>();

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
    const { source } = file;
    await this.createOnce(this.layout.commitRecord(sourceDataset, source.topic, source.partition, source.last_offset, source.first_offset, file.partition_path), file);
  }

  /** The commit record of an accounted range, beside the files' (same rules as writeCommitRecord). */
  async writeAccountedRecord(entry: AccountedRange, sourceDataset: string): Promise<void> {
    const { source } = entry;
    await this.createOnce(this.layout.accountedRecord(sourceDataset, source.topic, source.partition, source.last_offset, source.first_offset, entry.partition_path), entry);
  }

  /** Idempotent: a 412 means an earlier attempt got through. */
  private async createOnce(key: string, document: unknown): Promise<void> {
    try {
      await putJson(this.store, key, document, { ifNoneMatch: '*' });
    } catch (err) {
      if (!isTukangError(err, 'S3_PRECONDITION_FAILED')) throw err;
    }
  }

  /** Commit records of a source partition whose last offset is at or past `fromOffset`, in offset order: files and accounted ranges. */
  async recordsFrom(dataset: string, topic: string, sourcePartition: number, fromOffset: number): Promise<{ files: FileCommit[]; accounted: AccountedRange[] }> {
    const prefix = this.layout.commitsOf(dataset, topic, sourcePartition);
    const startAfter = fromOffset > 0 ? `${prefix}${padOffset(fromOffset - 1)}~` : undefined;
    const files: FileCommit[] = [];
    const accounted: AccountedRange[] = [];
    for await (const object of listAll(this.store, prefix, startAfter === undefined ? {} : { startAfter })) {
      const range = offsetsFromKey(object.key);
      if (!range || range.last < fromOffset) continue;
      if (isAccountedRecord(object.key)) {
        const record = await readMetadata(this.store, object.key, accountedRangeSchema);
        if (record) accounted.push(record.value);
        continue;
      }
      const record = await readMetadata(this.store, object.key, fileCommitSchema);
      if (record) files.push(record.value);
    }
    return { files, accounted };
  }

  /** Keys of every file's commit record of a source partition (accounted ranges left out), oldest offsets first. */
  async commitKeys(dataset: string, topic: string, sourcePartition: number): Promise<string[]> {
    const keys: string[] = [];
    for await (const object of listAll(this.store, this.layout.commitsOf(dataset, topic, sourcePartition))) if (!isAccountedRecord(object.key)) keys.push(object.key);
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

  /**
   * Writes a source checkpoint. `announce` (the default) counts it as lake activity, so that this
   * process's completeness check reads every checkpoint and marker again at once: for a change
   * that may complete a partition. Without, the last reading stays in use, with this checkpoint
   * put in it.
   */
  async writeSourceCheckpoint(checkpoint: SourceCheckpoint, options: { announce?: boolean } = {}): Promise<void> {
    const key = this.layout.sourceCheckpoint(checkpoint.dataset, checkpoint.topic, checkpoint.partition);
    const { etag } = await putJson(this.store, key, checkpoint);
    // What was written is known: the next listing that shows this ETag needs no read of it.
    if (etag !== '') this.checkpointObjects.set(key, { value: checkpoint, etag });
    if (options.announce ?? true) {
      noteLakeActivity(this.layout.metaRoot(checkpoint.dataset));
      return;
    }
    const read = this.checkpointReads.get(`${checkpoint.dataset}\n${checkpoint.topic}`);
    if (read) read.value = [...read.value.filter((c) => c.partition !== checkpoint.partition), checkpoint];
  }

  async readSourceCheckpoints(dataset: string, topic: string): Promise<SourceCheckpoint[]> {
    const generation = lakeActivity(this.layout.metaRoot(dataset));
    const atMs = this.clock();
    const checkpoints: SourceCheckpoint[] = [];
    for await (const object of listAll(this.store, this.layout.sourceCheckpoints(dataset, topic))) {
      // The listing's ETag says whether the copy read last time is still the object.
      const known = this.checkpointObjects.get(object.key);
      if (known?.etag === object.etag) {
        checkpoints.push(known.value);
        continue;
      }
      const value = await readMetadata(this.store, object.key, sourceCheckpointSchema);
      if (value) {
        checkpoints.push(value.value);
        this.checkpointObjects.set(object.key, value);
      }
    }
    this.checkpointReads.set(`${dataset}\n${topic}`, { value: checkpoints, atMs, generation });
    return [...checkpoints];
  }

  /** readSourceCheckpoints for the completeness check, reused like openPartitionsForCompletion. */
  async readSourceCheckpointsForCompletion(dataset: string, topic: string): Promise<SourceCheckpoint[]> {
    const last = this.checkpointReads.get(`${dataset}\n${topic}`);
    if (last && this.reusable(dataset, last)) return [...last.value];
    return this.readSourceCheckpoints(dataset, topic);
  }

  /** Paths of the partitions of a dataset that have files and are not complete yet. */
  async openPartitions(dataset: string): Promise<string[]> {
    const generation = lakeActivity(this.layout.metaRoot(dataset));
    const atMs = this.clock();
    const paths: string[] = [];
    for await (const object of listAll(this.store, this.layout.openMarkers(dataset))) paths.push(this.layout.openMarkerPath(dataset, object.key));
    this.openLists.set(dataset, { value: paths, atMs, generation });
    return [...paths];
  }

  /**
   * openPartitions for the completeness check, which asks every tick: the last listing is reused
   * while this process wrote no marker, checkpoint or change record of the dataset and it is
   * younger than `openListReuseMs` (materializer.open_list_interval). An instance that changes
   * its checkpoint reads everything again, so the instance whose checkpoint completes a partition
   * sees it at once; an idle one sees other processes' markers that late.
   * Recovery and Iceberg call openPartitions, which always lists.
   */
  async openPartitionsForCompletion(dataset: string): Promise<string[]> {
    const last = this.openLists.get(dataset);
    if (last && this.reusable(dataset, last)) return [...last.value];
    return this.openPartitions(dataset);
  }

  /** A read is reusable while this process changed no marker, checkpoint or change record of the dataset since, for openListReuseMs. */
  private reusable(dataset: string, read: { atMs: number; generation: number }): boolean {
    return read.generation === lakeActivity(this.layout.metaRoot(dataset)) && this.clock() - read.atMs < this.openListReuseMs;
  }

  protected async addOpenMarker(dataset: string, partitionPath: string): Promise<void> {
    await this.store.put(this.layout.openMarker(dataset, partitionPath), '');
    noteLakeActivity(this.layout.metaRoot(dataset));
  }

  protected async dropOpenMarker(dataset: string, partitionPath: string): Promise<void> {
    await this.store.delete([this.layout.openMarker(dataset, partitionPath)]);
    noteLakeActivity(this.layout.metaRoot(dataset));
  }
}

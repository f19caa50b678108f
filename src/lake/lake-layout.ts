import { createHash } from 'node:crypto';
import { TukangError } from '../errors/catalogue.js';
import { flattenPath, unflattenPath } from './hive-path.js';

/**
 * Where everything lives in the lake bucket. Data files sit under Hive-style paths that query
 * engines read directly; Tukang's metadata sits under `_tukang/`, which engines skip because of
 * the leading underscore. Every name is derived from source coordinates, so a retry writes the
 * same key instead of a second object. docs/architecture.md documents this layout for loaders.
 */

/** Zero-padded so that lexicographic key order is numeric order (S3 lists keys sorted). */
export function padOffset(offset: number): string {
  return String(offset).padStart(20, '0');
}

export function padPartition(partition: number): string {
  return String(partition).padStart(5, '0');
}

export class LakeLayout {
  constructor(
    /** The lake's key prefix in the bucket: '' or ending with '/'. */
    readonly root: string,
  ) {}

  /** `orders/event_date=2026-11-21/event_hour=10/` */
  partitionDir(dataset: string, partitionPath: string): string {
    return `${this.root}${dataset}/${partitionPath}/`;
  }

  /**
   * One data file per flushed buffer, named by its source coordinates (topic, partition, first
   * and last offset) and the first bytes of its checksum: a retry of the same flush writes the
   * same key, and two writers with different content can never overwrite each other.
   */
  dataFile(
    dataset: string,
    partitionPath: string,
    topic: string,
    sourcePartition: number,
    firstOffset: number,
    lastOffset: number,
    sha256: string,
    extension: string,
  ): string {
    const name = `part-${topic}-${padPartition(sourcePartition)}-${padOffset(firstOffset)}-${padOffset(lastOffset)}-${sha256.slice(0, 8)}`;
    return `${this.partitionDir(dataset, partitionPath)}${name}${extension}`;
  }

  /**
   * Where a data file's bytes wait between upload and commit: under `_tukang/staging/`, which
   * query engines skip, so an upload in flight or orphaned by a crash never shows in a Hive
   * folder. `key` is the file's Hive key (what `state.json` lists); the commit copies it there.
   */
  stagedFile(key: string): string {
    return `${this.root}_tukang/staging/${this.relativeDataKey(key)}`;
  }

  /**
   * Where a data file goes once a newer version no longer lists it: out of the Hive folder, so
   * folder readers never count it, but still readable (through the catalog's manifests) until
   * garbage collection deletes it after `replay.retention`.
   */
  supersededFile(key: string): string {
    return `${this.root}_tukang/superseded/${this.relativeDataKey(key)}`;
  }

  /** Every place a data file can be, in the order it passes through them. */
  fileLocations(key: string): { staged: string; current: string; superseded: string } {
    return { staged: this.stagedFile(key), current: key, superseded: this.supersededFile(key) };
  }

  stagingRoot(dataset: string): string {
    return `${this.root}_tukang/staging/${dataset}/`;
  }

  supersededRoot(dataset: string): string {
    return `${this.root}_tukang/superseded/${dataset}/`;
  }

  /** True for a key that names a data file directly in a partition's Hive folder (not `_SUCCESS`, not a `_`/`.` name). */
  isFolderDataFile(key: string): boolean {
    const name = key.slice(key.lastIndexOf('/') + 1);
    return name.endsWith('.parquet') && !name.startsWith('_') && !name.startsWith('.');
  }

  /** `orders/event_date=…/part-….parquet` of a Hive key, the part every location shares. */
  private relativeDataKey(key: string): string {
    if (!key.startsWith(this.root)) throw new TukangError('INTERNAL', `data file ${key} is outside the lake root ${this.root}`);
    return key.slice(this.root.length);
  }

  /**
   * A compacted file: rows of many source ranges, sorted across the partition. Named by the
   * version it makes, its place in that version and its checksum, so no other file shares it.
   */
  compactedFile(dataset: string, partitionPath: string, version: number, index: number, sha256: string, extension: string): string {
    return `${this.partitionDir(dataset, partitionPath)}part-compacted-v${String(version).padStart(6, '0')}-${String(index).padStart(5, '0')}-${sha256.slice(0, 8)}${extension}`;
  }

  /** A partition waiting for compaction (written when requested, deleted when done), so a restart resumes it. */
  compactionRequest(dataset: string, partitionPath: string): string {
    return `${this.compactionRequests(dataset)}${flattenPath(partitionPath)}`;
  }

  /** The partition path a compaction request (or open marker) key names: the inverse of its flattening. */
  partitionOfFlatKey(prefix: string, key: string): string {
    return unflattenPath(key.slice(prefix.length));
  }

  compactionRequests(dataset: string): string {
    return `${this.metaRoot(dataset)}compactions/`;
  }

  /** Marker written when a partition version becomes complete (Spark/Hadoop convention). */
  successMarker(dataset: string, partitionPath: string): string {
    return `${this.partitionDir(dataset, partitionPath)}_SUCCESS`;
  }

  metaRoot(dataset: string): string {
    return `${this.root}_tukang/datasets/${dataset}/`;
  }

  datasetDefinition(dataset: string): string {
    return `${this.metaRoot(dataset)}dataset.json`;
  }

  /** The reader-facing state of one partition: status, current version, its files, history. */
  partitionState(dataset: string, partitionPath: string): string {
    return `${this.metaRoot(dataset)}partitions/${partitionPath}/state.json`;
  }

  partitionManifest(dataset: string, partitionPath: string, version: number): string {
    return `${this.metaRoot(dataset)}partitions/${partitionPath}/manifests/v${String(version).padStart(6, '0')}.json`;
  }

  /**
   * Commit records of one source partition, keyed by the LAST offset they cover: on recovery,
   * listing with StartAfter = committed offset - 1 yields exactly the commits that reach past
   * Kafka's committed offset.
   */
  commitsOf(dataset: string, topic: string, sourcePartition: number): string {
    return `${this.metaRoot(dataset)}commits/${topic}/${padPartition(sourcePartition)}/`;
  }

  commitRecord(dataset: string, topic: string, sourcePartition: number, lastOffset: number, firstOffset: number, partitionPath: string): string {
    return `${this.commitsOf(dataset, topic, sourcePartition)}${padOffset(lastOffset)}-${padOffset(firstOffset)}-${flattenPath(partitionPath)}.json`;
  }

  /**
   * The commit record of an accounted range (no data file), beside the files' records so that one
   * listing finds both: `<last>-<first>-accounted-<flat path>.json` (a flat path starts with
   * `event_date=`, so the two kinds never share a name).
   */
  accountedRecord(dataset: string, topic: string, sourcePartition: number, lastOffset: number, firstOffset: number, partitionPath: string): string {
    return `${this.commitsOf(dataset, topic, sourcePartition)}${padOffset(lastOffset)}-${padOffset(firstOffset)}-${ACCOUNTED_MARK}${flattenPath(partitionPath)}.json`;
  }

  /** Per source partition: the watermark its owner has flushed through (for completeness). */
  sourceCheckpoint(dataset: string, topic: string, sourcePartition: number): string {
    return `${this.metaRoot(dataset)}sources/${topic}/${padPartition(sourcePartition)}.json`;
  }

  sourceCheckpoints(dataset: string, topic: string): string {
    return `${this.metaRoot(dataset)}sources/${topic}/`;
  }

  /** The catalog's persisted index of a dataset (catalog/lake/index-snapshots.ts). */
  indexSnapshot(dataset: string): string {
    return `${this.metaRoot(dataset)}catalog/index-snapshot.json`;
  }

  /** Records that could not be decoded or failed the schema, with their bytes and the reason. */
  deadLetters(dataset: string): string {
    return `${this.root}_tukang/dead-letters/${dataset}/`;
  }

  deadLettersOf(dataset: string, topic: string, sourcePartition: number): string {
    return `${this.deadLetters(dataset)}${topic}/${padPartition(sourcePartition)}/`;
  }

  deadLetterBatch(dataset: string, topic: string, sourcePartition: number, lastOffset: number, firstOffset: number): string {
    return `${this.deadLettersOf(dataset, topic, sourcePartition)}${padOffset(lastOffset)}-${padOffset(firstOffset)}.ndjson`;
  }

  /**
   * The objects holding one (time partition, source partition)'s unflushable rows, followed by
   * `<last>-<first>.ndjson`. Not named like the batches of rejected records: those ranges claim
   * every rejected record between their ends, and these rows interleave with other time partitions'.
   */
  unflushableDeadLetters(dataset: string, topic: string, sourcePartition: number, partitionPath: string): string {
    const pathHash = createHash('sha256').update(partitionPath).digest('hex').slice(0, 12);
    return `${this.deadLettersOf(dataset, topic, sourcePartition)}unflushable-${pathHash}-`;
  }

  /**
   * The dataset's Apache Iceberg table: `metadata/` holds `v<N>.metadata.json`, the manifest
   * lists and manifests, and `version-hint.text` for engines that read a table from a path.
   */
  icebergTable(dataset: string): string {
    return `${this.metaRoot(dataset)}iceberg/`;
  }

  /** Append-only change log: one object per partition change, named so that keys sort by time. */
  changeLog(dataset: string): string {
    return `${this.metaRoot(dataset)}changes/`;
  }

  /** `<at>-<flattened path>-v<version:6>.json`: written again for the same change, it is the same key. */
  changeRecord(dataset: string, at: string, partitionPath: string, version: number): string {
    return `${this.changeLog(dataset)}${at}-${flattenPath(partitionPath)}-v${String(version).padStart(6, '0')}.json`;
  }

  /**
   * Open markers: one empty object per partition that has files and is not complete (or whose
   * folder may need repair), named by the flattened partition path (see `flattenPath`).
   */
  openMarkers(dataset: string): string {
    return `${this.metaRoot(dataset)}open/`;
  }

  openMarker(dataset: string, partitionPath: string): string {
    return `${this.openMarkers(dataset)}${flattenPath(partitionPath)}`;
  }

  /** The partition path an open marker key names. */
  openMarkerPath(dataset: string, key: string): string {
    return this.partitionOfFlatKey(this.openMarkers(dataset), key);
  }

  replayJobs(): string {
    return `${this.root}_tukang/replays/`;
  }

  replayJob(id: string): string {
    return `${this.replayJobs()}${id}.json`;
  }

  /** The lock that keeps two replays of one partition apart. */
  replayLock(dataset: string, partitionPath: string): string {
    return `${this.metaRoot(dataset)}partitions/${partitionPath}/replay.lock`;
  }
}

/** The `<at>`, partition path and version of a change-log object's name, or undefined for another name. */
export function parseChangeRecordName(name: string): { at: string; partitionPath: string; version: number } | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)-(.+)-v(\d+)\.json$/.exec(name);
  if (!match) return undefined;
  return { at: match[1] as string, partitionPath: unflattenPath(match[2] as string), version: Number(match[3]) };
}

/** Parses `...{last}-{first}...` names of commit records and dead-letter batches. */
const ACCOUNTED_MARK = 'accounted-';

/** Whether a commit record's key is an accounted range's (LakeLayout.accountedRecord), not a file's. */
export function isAccountedRecord(key: string): boolean {
  return key.slice(key.lastIndexOf('/') + 1).startsWith(ACCOUNTED_MARK, 42);
}

export function offsetsFromKey(key: string): { last: number; first: number } | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const match = /^(\d{20})-(\d{20})/.exec(name);
  if (!match) return undefined;
  return { last: Number(match[1]), first: Number(match[2]) };
}

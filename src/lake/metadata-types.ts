/**
 * The JSON documents Tukang keeps under `_tukang/` in the lake bucket. They are the contract with
 * loaders that read the lake without the service (docs/architecture.md documents them): field
 * names are snake_case, times are RFC 3339 UTC strings ending in `_at`.
 */

export interface SourceRange {
  topic: string;
  partition: number;
  first_offset: number;
  last_offset: number;
}

/** One committed data file. Immutable once written. */
export interface FileCommit {
  dataset: string;
  partition_path: string;
  key: string;
  uri: string;
  bytes: number;
  rows: number;
  sha256: string;
  min_event_at: string;
  max_event_at: string;
  source: SourceRange;
  /** A compacted file's rows come from several ranges (of several source partitions): all of them; `source` is the first. */
  sources?: SourceRange[];
  schema_version: string;
  /** Records of this range dropped as duplicates (their first copy is in the lake). */
  duplicates: number;
  /** True when the file was committed after its partition was complete. */
  late: boolean;
  committed_at: string;
}

/**
 * Source offsets of a partition accounted for without a data file: records of one time partition
 * and one source partition that were all dropped as duplicates (their first copy is in the lake),
 * or the duplicates of a buffer whose rows went to the dead-letter area. Kept in the partition
 * state (its `duplicates` include these) and, like a file, as a commit record, so that recovery
 * skips a re-read of these offsets instead of counting its duplicates twice. Immutable.
 */
export interface AccountedRange {
  dataset: string;
  partition_path: string;
  /** Every offset of this range that belongs to the time partition is accounted for here or in a file of the state. */
  source: SourceRange;
  duplicates: number;
  committed_at: string;
}

export interface PartitionVersion {
  version: number;
  reason: 'ingest' | 'late_data' | 'replay' | 'compaction';
  /** The replay job that made this version (reason `replay`). */
  replay_id?: string;
  created_at: string;
  completed_at: string | null;
  files: number;
  rows: number;
  manifest: string | null;
}

/** The reader-facing state of one partition. Updated only with If-Match, so writers never lose each other's files. */
export interface PartitionState {
  dataset: string;
  partition_path: string;
  values: Record<string, string>;
  start_at: string;
  end_at: string;
  status: 'open' | 'complete';
  version: number;
  files: FileCommit[];
  /** Offset ranges of the current version accounted for without a file (absent when none; older documents never have it). */
  accounted_ranges?: AccountedRange[];
  rows: number;
  bytes: number;
  /** Records dropped as duplicates: the files' `duplicates` plus the accounted ranges'. */
  duplicates: number;
  late_rows: number;
  min_event_at: string | null;
  max_event_at: string | null;
  versions: PartitionVersion[];
  created_at: string;
  updated_at: string;
}

/** What the owner of a source partition has durably flushed; completeness reads these. */
export interface SourceCheckpoint {
  dataset: string;
  topic: string;
  partition: number;
  /** Every time partition ending (plus lateness) at or before this is flushed and committed for this source partition. */
  flushed_through_ms: number;
  max_event_time_ms: number | null;
  idle: boolean;
  updated_at: string;
}

/** Redshift COPY manifest shape, plus Tukang's own fields. */
export interface PartitionManifest {
  dataset: string;
  partition_path: string;
  version: number;
  status: 'complete';
  rows: number;
  created_at: string;
  entries: Array<{ url: string; mandatory: true; meta: { content_length: number; record_count: number } }>;
}

export interface ChangeRecord {
  dataset: string;
  partition_path: string;
  version: number;
  change: 'complete' | 'late_data' | 'replay' | 'compaction';
  at: string;
}

/** A replay job as it is kept in S3 (`_tukang/replays/<id>.json`) and shown to users. */
export interface ReplayJob {
  id: string;
  dataset: string;
  partitions: string[];
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  dry_run: boolean;
  records_total: number;
  records_read: number;
  rows_written: number;
  files_written: number;
  duplicates: number;
  rejected: number;
  /** Per partition: the version it had when the job started and the one it made. */
  versions: Array<{ partition_path: string; from_version: number; to_version: number | null }>;
  error: string | null;
  host: string;
  pid: number;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** The lock of one partition's replay (`partitions/<path>/replay.lock`): who holds it, refreshed by heartbeats. */
export interface ReplayLock {
  job_id: string;
  host: string;
  pid: number;
  heartbeat_at: string;
}

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

/** One source partition's offsets to read again, and the time partitions they feed. */
export interface ReplayRange {
  partition: number;
  first: number;
  last: number;
}

export interface ReplayPlan {
  dataset: string;
  topic: string;
  partitions: Array<{ partition_path: string; version: number; files: number; rows: number; ranges: ReplayRange[] }>;
  /** Merged per source partition. */
  ranges: ReplayRange[];
  records_total: number;
}

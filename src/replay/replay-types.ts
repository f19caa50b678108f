export type { ReplayJob } from '../lake/metadata-types.js';

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

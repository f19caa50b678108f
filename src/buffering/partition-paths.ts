import type { DatasetConfig } from '../config/schema.js';
import type { CleanEvent } from '../core/records.js';
import type { ResolvedSchema } from '../core/resolved-schema.js';
import { partitionPath, partitionStart } from '../cleansing/time-partition.js';

/** The Hive path of an event's partition, memoized for datasets partitioned by time only. */
export class PartitionPaths {
  private readonly timePaths = new Map<number, string>();
  private readonly granularity: DatasetConfig['partitioning']['granularity'];

  constructor(
    dataset: DatasetConfig,
    private readonly schema: ResolvedSchema,
  ) {
    this.granularity = dataset.partitioning.granularity;
  }

  /** The partition of a decoded event: its path and start (epoch ms). */
  of(event: Pick<CleanEvent, 'eventTimeMs' | 'partitionValues'>): { path: string; startMs: number } {
    const startMs = partitionStart(event.eventTimeMs, this.granularity);
    const fields = this.schema.partitionFields;
    if (fields.length === 0) return { path: this.timePath(startMs), startMs };
    return { path: partitionPath(startMs, this.granularity, fields.map((f, i) => ({ name: f.name, value: event.partitionValues[i] ?? '' }))), startMs };
  }

  /**
   * The Hive path of a time partition, memoized: formatting a date per record was 3 % of the main
   * thread's time in the benchmark's profile, and a stream touches few distinct hours at once.
   */
  private timePath(startMs: number): string {
    let path = this.timePaths.get(startMs);
    if (path === undefined) {
      if (this.timePaths.size >= 4096) this.timePaths.clear();
      path = partitionPath(startMs, this.granularity);
      this.timePaths.set(startMs, path);
    }
    return path;
  }
}

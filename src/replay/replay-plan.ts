import type { DatasetConfig } from '../config/schema.js';
import type { CommitLog } from '../commit/commit-log.js';
import { coveredSourceRanges } from '../commit/source-ranges.js';
import { TukangError } from '../errors/catalogue.js';
import type { TopicOffsets } from './replay-bus.js';
import type { ReplayPlan, ReplayRange } from './replay-types.js';

/**
 * What a replay of these partitions reads: the source offset ranges of every file of each
 * partition's current version (late amendments included) and of its accounted ranges, merged
 * per source partition. Refuses,
 * before anything changes, partitions that are missing or still open, and ranges that Kafka's
 * retention has already dropped.
 */
export async function planReplay(dataset: DatasetConfig, partitionPaths: string[], commitLog: CommitLog, fetchOffsets: (topic: string) => Promise<TopicOffsets[]>): Promise<ReplayPlan> {
  if (partitionPaths.length === 0) throw new TukangError('REPLAY_REFUSED', 'no partitions to replay');
  const partitions: ReplayPlan['partitions'] = [];
  for (const path of partitionPaths) {
    const state = (await commitLog.readPartition(dataset.name, path))?.value;
    if (!state) throw new TukangError('REPLAY_REFUSED', `partition ${path} of ${dataset.name} does not exist`, { details: { partition_path: path } });
    if (state.status !== 'complete') {
      throw new TukangError('REPLAY_PARTITION_OPEN', `partition ${path} is still open: live ingestion is writing it; replay it once it is complete`, {
        details: { partition_path: path },
      });
    }
    // Accounted ranges too: the replay counts their duplicates again (and the switch drops them).
    const ranges = coveredSourceRanges(state)
      .filter((r) => r.topic === dataset.topic)
      .map((r) => ({ partition: r.partition, first: r.first_offset, last: r.last_offset }));
    partitions.push({ partition_path: path, version: state.version, files: state.files.length, rows: state.rows, ranges: mergeRanges(ranges) });
  }
  const ranges = mergeRanges(partitions.flatMap((p) => p.ranges));
  const available = new Map((await fetchOffsets(dataset.topic)).map((o) => [o.partition, { low: o.low, high: o.high }]));
  const gone = ranges.filter((r) => {
    const bounds = available.get(r.partition);
    return bounds === undefined || r.first < bounds.low || r.last >= bounds.high;
  });
  if (gone.length > 0) {
    const missing = gone.map((r) => {
      const bounds = available.get(r.partition);
      return `partition ${r.partition} offsets ${r.first}-${r.last} (Kafka holds ${bounds && bounds.high > bounds.low ? `${bounds.low}-${bounds.high - 1}` : 'nothing'})`;
    });
    // Structured as well as in words: the API returns the ranges to clients (missing_ranges).
    const missingRanges = gone.map((r) => {
      const bounds = available.get(r.partition);
      const held = bounds && bounds.high > bounds.low ? { first_offset: bounds.low, last_offset: bounds.high - 1 } : null;
      return { partition: r.partition, first_offset: r.first, last_offset: r.last, available: held };
    });
    throw new TukangError('REPLAY_OFFSETS_GONE', `${dataset.topic} no longer holds every offset to replay: ${missing.join('; ')}`, { details: { missing, missing_ranges: missingRanges } });
  }
  return { dataset: dataset.name, topic: dataset.topic, partitions, ranges, records_total: ranges.reduce((n, r) => n + (r.last - r.first + 1), 0) };
}

/** Sorted, with overlapping or adjacent ranges of the same source partition joined. */
export function mergeRanges(ranges: ReplayRange[]): ReplayRange[] {
  const sorted = [...ranges].sort((a, b) => a.partition - b.partition || a.first - b.first);
  const merged: ReplayRange[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && last.partition === r.partition && r.first <= last.last + 1) last.last = Math.max(last.last, r.last);
    else merged.push({ ...r });
  }
  return merged;
}

import type { PartitionBuffer } from '../buffering/partition-buffer.js';
import type { SourceCheckpoint } from '../lake/metadata-types.js';
import { dueAt, type FlushTiming } from './flush-triggers.js';

/** What one source partition has pending here, for its checkpoint. */
export interface SourceProgress {
  partition: number;
  watermark: number;
  /** The source partition is quiet and caught up (the idle rule). */
  quiet: boolean;
  maxEventTimeMs: number;
  open: readonly PartitionBuffer[];
  inFlight: readonly PartitionBuffer[];
}

/**
 * What this instance vouches for, for one owned source partition: every time partition whose
 * end plus lateness is at or before `flushed_through_ms` has all its rows from this source
 * partition committed. `endOf` gives a time partition's end from its path. `updated_at` is left
 * empty: the caller stamps it when it writes the checkpoint.
 */
export function checkpointFor(
  dataset: string,
  topic: string,
  progress: SourceProgress,
  timing: FlushTiming,
  endOf: (partitionPath: string) => number,
): SourceCheckpoint {
  let through = progress.watermark;
  let pending = false;
  for (const b of progress.open) {
    // Late rows belong to partitions this source already vouched for; they must not hold newer ones back.
    if (b.late) continue;
    through = Math.min(through, dueAt(b, timing) - 1);
    pending = true;
  }
  for (const f of progress.inFlight) {
    through = Math.min(through, endOf(f.partitionPath) + timing.lateness - 1);
    pending = true;
  }
  return {
    dataset,
    topic,
    partition: progress.partition,
    flushed_through_ms: Number.isFinite(through) ? through : -1,
    max_event_time_ms: Number.isFinite(progress.maxEventTimeMs) ? progress.maxEventTimeMs : null,
    // Only a partition with nothing pending may stop holding completeness back.
    idle: !pending && progress.quiet,
    updated_at: '',
  };
}

/**
 * The event time through which every source partition of the topic is durable. Idle partitions
 * do not hold it back; when all are idle, the stream has stopped and everything seen is durable.
 * Undefined while some partition has never reported.
 */
export function completedThrough(checkpoints: SourceCheckpoint[], partitionCount: number): number | undefined {
  if (checkpoints.length === 0 || checkpoints.length < partitionCount) return undefined;
  const active = checkpoints.filter((c) => !c.idle);
  if (active.length === 0) return Math.max(...checkpoints.map((c) => c.flushed_through_ms));
  return Math.min(...active.map((c) => c.flushed_through_ms));
}

/** The open partitions that may complete: past `through` (end plus lateness) and with nothing pending in this instance. */
export function partitionsToComplete<T extends { path: string }>(
  open: readonly T[],
  through: number,
  pendingHere: ReadonlySet<string>,
  lateness: number,
  endOf: (partitionPath: string) => number,
): T[] {
  return open.filter((p) => !pendingHere.has(p.path) && endOf(p.path) + lateness <= through);
}

/** How many time partitions (counted from the epoch) a checkpoint says are over: what completeness acts on. */
function partitionsPassed(checkpoint: SourceCheckpoint, timing: FlushTiming): number {
  return Math.floor((checkpoint.flushed_through_ms - timing.lateness) / timing.partitionMs);
}

/**
 * Whether a checkpoint must be written now rather than at the next interval: the first one, a
 * change of idleness, or a time partition's end (plus lateness) passed in either direction. Any
 * of these can complete a partition (completedThrough); a move within a time partition cannot,
 * and only makes the catalog's watermark and a new owner's restored watermark fresher.
 */
export function checkpointIsUrgent(previous: SourceCheckpoint | undefined, next: SourceCheckpoint, timing: FlushTiming): boolean {
  if (previous === undefined) return true;
  return previous.idle !== next.idle || partitionsPassed(previous, timing) !== partitionsPassed(next, timing);
}

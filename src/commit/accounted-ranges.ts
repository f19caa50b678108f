import { TukangError } from '../errors/catalogue.js';
import type { AccountedRange, PartitionState } from '../lake/metadata-types.js';
import { accountedOverlapping, fileOverlapping } from './source-ranges.js';

const sameRange = (a: AccountedRange, b: AccountedRange): boolean =>
  a.source.topic === b.source.topic && a.source.partition === b.source.partition && a.source.first_offset === b.source.first_offset && a.source.last_offset === b.source.last_offset;

/**
 * The state with an accounted range added and its duplicates counted (commit step 3 for a range
 * without a file); undefined when it is already listed (a retry). Refused with COMMIT_OVERLAP
 * when a file or another accounted range of the same source partition covers some of its offsets.
 * No new version, even for a complete partition: no row changes, only the duplicates count.
 */
export function withAccounted(current: PartitionState, entry: AccountedRange, now: string): PartitionState | undefined {
  if (current.accounted_ranges?.some((a) => sameRange(a, entry))) return undefined;
  const overlapping = fileOverlapping(current.files, entry.source)?.key ?? (accountedOverlapping(current, entry.source) && 'an accounted range');
  if (overlapping) {
    throw new TukangError('COMMIT_OVERLAP', `accounted offsets ${entry.source.partition}:${entry.source.first_offset}-${entry.source.last_offset} of ${entry.partition_path} overlap ${overlapping}`);
  }
  return {
    ...current,
    accounted_ranges: [...(current.accounted_ranges ?? []), entry],
    duplicates: current.duplicates + entry.duplicates,
    updated_at: now,
  };
}

/**
 * The accounted ranges a version switch keeps. A compaction changes no row: all of them. A replay
 * read every range of the version it replaces (accounted ones included, see replay-plan.ts) and
 * counted their duplicates itself: only those outside what it read (committed while it ran) stay.
 */
export function accountedKept(current: PartitionState, replayed: ReadonlyArray<{ partition: number; first: number; last: number }> | undefined): AccountedRange[] {
  const all = current.accounted_ranges ?? [];
  if (replayed === undefined) return all;
  return all.filter((a) => !replayed.some((r) => r.partition === a.source.partition && r.first <= a.source.first_offset && r.last >= a.source.last_offset));
}

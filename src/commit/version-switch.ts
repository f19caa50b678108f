import { TukangError } from '../errors/catalogue.js';
import type { FileCommit, PartitionState } from '../lake/metadata-types.js';
import { accountedKept } from './accounted-ranges.js';

/** What a switch to a new version of a partition sets: its files and why (a replay or a compaction). */
export interface VersionSwitch {
  /** The version the switch was planned against; another one means someone changed the partition meanwhile. */
  expectedVersion: number;
  files: FileCommit[];
  replayId: string;
  reason: 'replay' | 'compaction';
  /** A replay's read ranges of this partition: the accounted ranges inside them go (see accountedKept). */
  replayed?: ReadonlyArray<{ partition: number; first: number; last: number }>;
  /** The manifest key of a version of this partition. */
  manifest: (version: number) => string;
}

/**
 * The partition state after an atomic switch (CommitLog.switchToReplay): version n+1 with
 * `files`, complete at once, its totals recomputed from them. Throws REPLAY_CONFLICT when the
 * partition is no longer at the expected version (late data arrived while the job ran).
 */
export function switchedState(current: PartitionState, change: VersionSwitch, now: string): PartitionState {
  const { expectedVersion, files, reason, replayId } = change;
  if (current.version !== expectedVersion) {
    throw new TukangError('REPLAY_CONFLICT', `partition ${current.partition_path} changed from version ${expectedVersion} to ${current.version} while the replay ran`);
  }
  const version = current.version + 1;
  const rows = files.reduce((n, f) => n + f.rows, 0);
  const accounted = accountedKept(current, reason === 'replay' ? (change.replayed ?? []) : undefined);
  const { accounted_ranges: _replaced, ...rest } = current;
  return {
    ...rest,
    ...(accounted.length > 0 ? { accounted_ranges: accounted } : {}),
    version,
    files,
    rows,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    duplicates: files.reduce((n, f) => n + f.duplicates, 0) + accounted.reduce((n, a) => n + a.duplicates, 0),
    // A compaction changes no row, so the partition's late-row count stays.
    late_rows: reason === 'compaction' ? current.late_rows : 0,
    min_event_at: files.map((f) => f.min_event_at).sort()[0] ?? null,
    max_event_at: files.map((f) => f.max_event_at).sort().at(-1) ?? null,
    updated_at: now,
    versions: [
      ...current.versions,
      {
        version,
        reason,
        ...(reason === 'replay' ? { replay_id: replayId } : {}),
        created_at: now,
        completed_at: now,
        files: files.length,
        rows,
        manifest: change.manifest(version),
      },
    ],
  };
}

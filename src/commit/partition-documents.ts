import { partitionBounds, partitionValues } from '../lake/hive-path.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import type { ChangeRecord, PartitionManifest, PartitionState } from '../lake/metadata-types.js';
import { putJson, type ObjectStore } from '../storage/object-store.js';
import { noteLakeActivity } from './lake-activity.js';

/**
 * The documents a partition state begets: its first state, the manifest of a version (Redshift
 * COPY shape) and the change-log record of each change. Pure builders plus their single writes.
 */

/** Writes the manifest of the state's current version (always `complete`: only finished versions get one). */
export async function writeManifest(store: ObjectStore, layout: LakeLayout, state: PartitionState): Promise<void> {
  const manifest: PartitionManifest = {
    dataset: state.dataset,
    partition_path: state.partition_path,
    version: state.version,
    status: 'complete',
    rows: state.rows,
    created_at: new Date().toISOString(),
    entries: state.files.map((f) => ({ url: f.uri, mandatory: true, meta: { content_length: f.bytes, record_count: f.rows } })),
  };
  await putJson(store, layout.partitionManifest(state.dataset, state.partition_path, state.version), manifest);
}

/** Appends one change to the dataset's change log; written again for the same change, it is the same object. */
export async function appendChange(store: ObjectStore, layout: LakeLayout, change: ChangeRecord): Promise<void> {
  await putJson(store, layout.changeRecord(change.dataset, change.at, change.partition_path, change.version), change);
  noteLakeActivity(layout.metaRoot(change.dataset));
}

export function newPartitionState(dataset: string, partitionPath: string, now: string): PartitionState {
  const values = partitionValues(partitionPath);
  const { startMs: start, endMs: end } = partitionBounds(partitionPath);
  return {
    dataset,
    partition_path: partitionPath,
    values,
    start_at: new Date(start).toISOString(),
    end_at: new Date(end).toISOString(),
    status: 'open',
    version: 1,
    files: [],
    rows: 0,
    bytes: 0,
    duplicates: 0,
    late_rows: 0,
    min_event_at: null,
    max_event_at: null,
    versions: [{ version: 1, reason: 'ingest', created_at: now, completed_at: null, files: 0, rows: 0, manifest: null }],
    created_at: now,
    updated_at: now,
  };
}

export function minIso(a: string | null, b: string): string {
  return a === null || b < a ? b : a;
}

export function maxIso(a: string | null, b: string): string {
  return a === null || b > a ? b : a;
}

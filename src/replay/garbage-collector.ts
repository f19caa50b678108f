import type { PartitionManifest, PartitionState } from '../lake/metadata-types.js';
import { partitionManifestSchema, partitionStateSchema } from '../lake/metadata-schemas.js';
import { readMetadata } from '../lake/read-metadata.js';
import { listAll, type ObjectStore } from '../storage/object-store.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import { findOrphans, type OrphanFile } from './orphan-sweep.js';

/** A partition's current state and the manifests of its earlier versions (whichever exist). */
export interface PartitionHistory {
  state: PartitionState;
  manifests: PartitionManifest[];
}

export interface GcFile {
  dataset: string;
  partition_path: string;
  key: string;
  bytes: number;
  /** The newest version whose manifest lists the file. */
  last_version: number;
  /** When the version that no longer lists it was created. */
  superseded_at: string;
}

export interface GcPlan {
  /** Superseded longer ago than the retention: safe to delete. */
  delete: GcFile[];
  /** Staged uploads never committed and superseded files, written longer ago than the retention (orphan-sweep.ts). */
  orphans?: OrphanFile[];
  /** Superseded, but within the retention: kept (a loader may still read that version). */
  retained: GcFile[];
}

export interface GcPlanOptions {
  bucket: string;
  /** The data prefix of a dataset (`<prefix><dataset>/`); nothing outside it is ever deleted. */
  dataRoot: (dataset: string) => string;
  retentionMs: number;
  nowMs: number;
}

/**
 * Which data files of earlier partition versions can go. A file is a candidate only when an
 * earlier version's manifest lists it, the current state does not, and it lies under the
 * dataset's data prefix in this bucket. Its superseding version is the first later version
 * whose manifest was read that no longer lists it (or the current version): when a manifest in
 * between is missing, this errs towards a later time, so towards keeping.
 */
export function planGc(histories: PartitionHistory[], options: GcPlanOptions): GcPlan {
  const plan: GcPlan = { delete: [], retained: [] };
  const bucketPrefix = `s3://${options.bucket}/`;
  for (const { state, manifests } of histories) {
    const current = new Set(state.files.map((f) => f.key));
    const created = new Map(state.versions.map((v) => [v.version, v.created_at]));
    const known = [...manifests.filter((m) => m.version < state.version)].sort((a, b) => a.version - b.version);
    const listedIn = new Map<string, { last: number; bytes: number }>();
    for (const m of known) {
      for (const e of m.entries) {
        if (!e.url.startsWith(bucketPrefix)) continue;
        const key = e.url.slice(bucketPrefix.length);
        if (current.has(key) || !key.startsWith(options.dataRoot(state.dataset))) continue;
        listedIn.set(key, { last: m.version, bytes: e.meta.content_length });
      }
    }
    for (const [key, { last, bytes }] of listedIn) {
      const next = known.find((m) => m.version > last)?.version ?? state.version;
      const supersededAt = created.get(next) ?? state.updated_at;
      const file: GcFile = { dataset: state.dataset, partition_path: state.partition_path, key, bytes, last_version: last, superseded_at: supersededAt };
      if (options.nowMs - Date.parse(supersededAt) > options.retentionMs) plan.delete.push(file);
      else plan.retained.push(file);
    }
  }
  plan.delete.sort((a, b) => a.key.localeCompare(b.key));
  plan.retained.sort((a, b) => a.key.localeCompare(b.key));
  return plan;
}

/** Reads the histories of every partition of a dataset that has more than one version. */
export async function readHistories(store: ObjectStore, layout: LakeLayout, dataset: string): Promise<PartitionHistory[]> {
  const prefix = `${layout.metaRoot(dataset)}partitions/`;
  const histories: PartitionHistory[] = [];
  for await (const o of listAll(store, prefix)) {
    if (!o.key.endsWith('/state.json')) continue;
    const state = (await readMetadata(store, o.key, partitionStateSchema))?.value;
    if (!state || state.version < 2) continue;
    const manifests: PartitionManifest[] = [];
    for (const v of state.versions) {
      if (v.version >= state.version || v.manifest === null) continue;
      const m = await readMetadata(store, v.manifest, partitionManifestSchema);
      if (m) manifests.push(m.value);
    }
    histories.push({ state, manifests });
  }
  return histories;
}

/**
 * Plans and (unless `dryRun`) deletes. Each partition's state is read again right before its
 * files go, and files it references are spared, so a concurrent change cannot lose a live file.
 */
export async function collectGarbage(
  store: ObjectStore,
  layout: LakeLayout,
  options: { bucket: string; datasets: string[]; retentionMs: number; dryRun: boolean; nowMs?: number },
): Promise<GcPlan> {
  const histories = (await Promise.all(options.datasets.map((d) => readHistories(store, layout, d)))).flat();
  const nowMs = options.nowMs ?? Date.now();
  const plan = planGc(histories, { bucket: options.bucket, dataRoot: (d) => `${layout.root}${d}/`, retentionMs: options.retentionMs, nowMs });
  const orphans = await findOrphans(store, layout, { datasets: options.datasets, retentionMs: options.retentionMs, nowMs });
  if (options.dryRun) return { ...plan, orphans };
  for (let i = 0; i < orphans.length; i += 1000) await store.delete(orphans.slice(i, i + 1000).map((o) => o.key));
  const byPartition = new Map<string, GcFile[]>();
  for (const f of plan.delete) byPartition.set(`${f.dataset}\u0000${f.partition_path}`, [...(byPartition.get(`${f.dataset}\u0000${f.partition_path}`) ?? []), f]);
  const deleted: GcFile[] = [];
  for (const files of byPartition.values()) {
    const first = files[0];
    if (!first) continue;
    const state = (await readMetadata(store, layout.partitionState(first.dataset, first.partition_path), partitionStateSchema))?.value;
    const live = new Set(state?.files.map((f) => f.key) ?? []);
    const doomed = files.filter((f) => !live.has(f.key));
    // A superseded file was moved out of its folder (file-placement.ts); delete it wherever it is.
    const keys = doomed.flatMap((f) => Object.values(layout.fileLocations(f.key)));
    for (let i = 0; i < keys.length; i += 999) await store.delete(keys.slice(i, i + 999));
    deleted.push(...doomed);
  }
  return { delete: deleted, retained: plan.retained, orphans };
}

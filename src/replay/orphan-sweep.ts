import type { PartitionState } from '../lake/metadata-types.js';
import { partitionStateSchema } from '../lake/metadata-schemas.js';
import { readMetadata } from '../lake/read-metadata.js';
import { listAll, type ObjectStore } from '../storage/object-store.js';
import type { LakeLayout } from '../lake/lake-layout.js';

export interface OrphanFile {
  dataset: string;
  partition_path: string;
  /** Where the bytes are (staged or superseded location). */
  key: string;
  /** The Hive key the file had or would have had. */
  data_key: string;
  bytes: number;
  written_at: string;
}

/**
 * Files outside every Hive folder that no version will need: uploads staged but never committed
 * (a crash before the commit, a replay or compaction that failed), staged copies of files already
 * published (a crash before their deferred delete), and files moved out of a folder
 * (superseded by a replay or compaction, or orphans found by a reconciliation). Both are dated by
 * when they were written there, which for a superseded file is when its version was replaced; only
 * those older than the retention go, and never one the partition's current state lists.
 */
export async function findOrphans(
  store: ObjectStore,
  layout: LakeLayout,
  options: { datasets: string[]; retentionMs: number; nowMs: number },
): Promise<OrphanFile[]> {
  const orphans: OrphanFile[] = [];
  const states = new Map<string, Set<string>>();
  const currentKeys = async (dataset: string, partitionPath: string): Promise<Set<string>> => {
    const id = `${dataset}\u0000${partitionPath}`;
    let keys = states.get(id);
    if (!keys) {
      const state = (await readMetadata(store, layout.partitionState(dataset, partitionPath), partitionStateSchema))?.value;
      keys = new Set(state?.files.map((f) => f.key) ?? []);
      states.set(id, keys);
    }
    return keys;
  };
  for (const dataset of options.datasets) {
    for (const root of [layout.stagingRoot(dataset), layout.supersededRoot(dataset)]) {
      for await (const o of listAll(store, root)) {
        if (o.lastModifiedMs === undefined || options.nowMs - o.lastModifiedMs <= options.retentionMs) continue;
        const relative = o.key.slice(root.length);
        const cut = relative.lastIndexOf('/');
        if (cut < 0) continue;
        const partitionPath = relative.slice(0, cut);
        const dataKey = `${layout.partitionDir(dataset, partitionPath)}${relative.slice(cut + 1)}`;
        // Committed and not yet published: it stays. Committed and published, a staged copy is one
        // a crash kept the service from deleting (FilePlacement.deferStagedDeletes): it goes.
        if ((await currentKeys(dataset, partitionPath)).has(dataKey) && (root !== layout.stagingRoot(dataset) || (await store.head(dataKey)) === undefined)) continue;
        orphans.push({ dataset, partition_path: partitionPath, key: o.key, data_key: dataKey, bytes: o.size, written_at: new Date(o.lastModifiedMs).toISOString() });
      }
    }
  }
  return orphans;
}

import { partitionBounds } from '../lake/hive-path.js';
import { listAll, type ObjectStore } from '../storage/object-store.js';
import type { LakeLayout } from '../lake/lake-layout.js';

/**
 * Paths of the partitions of a dataset that start in [fromMs, toMs), sorted. Read from the
 * partition states in S3 (not a cache) so that a replay selects exactly what is committed.
 */
export async function partitionsStartingBetween(store: ObjectStore, layout: LakeLayout, dataset: string, fromMs: number, toMs: number): Promise<string[]> {
  const prefix = `${layout.metaRoot(dataset)}partitions/`;
  const paths: string[] = [];
  for await (const o of listAll(store, prefix)) {
    if (!o.key.endsWith('/state.json')) continue;
    const path = o.key.slice(prefix.length, -'/state.json'.length);
    const { startMs } = partitionBounds(path);
    if (startMs >= fromMs && startMs < toMs) paths.push(path);
  }
  return paths.sort();
}

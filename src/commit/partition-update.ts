import { setTimeout as sleep } from 'node:timers/promises';
import { TukangError, isTukangError } from '../errors/catalogue.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import { partitionStateSchema } from '../lake/metadata-schemas.js';
import type { PartitionState } from '../lake/metadata-types.js';
import { readMetadata } from '../lake/read-metadata.js';
import { putJson, type ObjectStore } from '../storage/object-store.js';
import { newPartitionState } from './partition-documents.js';

const MAX_CONFLICT_RETRIES = 12;

/**
 * Read-modify-write of a partition state with optimistic concurrency (If-Match on the ETag read,
 * If-None-Match when creating). `mutate` returns the new state, or undefined when nothing needs
 * to change (which makes every caller idempotent); it may throw to refuse the change.
 */
export async function updatePartitionState(
  store: ObjectStore,
  layout: LakeLayout,
  dataset: string,
  partitionPath: string,
  mutate: (current: PartitionState, nowIso: string) => PartitionState | undefined,
): Promise<PartitionState> {
  const key = layout.partitionState(dataset, partitionPath);
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    const now = new Date().toISOString();
    const existing = await readMetadata(store, key, partitionStateSchema);
    const current = existing?.value ?? newPartitionState(dataset, partitionPath, now);
    const next = mutate(current, now);
    if (next === undefined) return current;
    try {
      await putJson(store, key, next, existing ? { ifMatch: existing.etag } : { ifNoneMatch: '*' });
      return next;
    } catch (err) {
      if (!isTukangError(err, 'S3_PRECONDITION_FAILED')) throw err;
      // Another writer got there first: re-read and re-apply, after a short jittered pause.
      await sleep(10 + Math.random() * 40 * (attempt + 1));
    }
  }
  throw new TukangError('COMMIT_CONFLICT', `partition ${dataset}/${partitionPath}: ${MAX_CONFLICT_RETRIES} concurrent updates in a row; giving up this attempt`);
}

import { setTimeout as sleep } from 'node:timers/promises';
import { TukangError, isTukangError } from '../errors/catalogue.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import { partitionStateSchema } from '../lake/metadata-schemas.js';
import type { PartitionState } from '../lake/metadata-types.js';
import { readMetadata } from '../lake/read-metadata.js';
import { putJson, type ObjectStore } from '../storage/object-store.js';
import { newPartitionState } from './partition-documents.js';

const MAX_CONFLICT_RETRIES = 12;

type Mutation = (current: PartitionState, nowIso: string) => PartitionState | undefined;

interface PendingUpdate {
  mutate: Mutation;
  resolve: (state: PartitionState) => void;
  reject: (err: unknown) => void;
}

/**
 * Read-modify-write of partition states with optimistic concurrency (If-Match on the ETag read,
 * If-None-Match when creating). A `mutate` returns the new state, or undefined when nothing needs
 * to change (which makes every caller idempotent); it may throw to refuse its own change.
 *
 * Group commit: updates of one partition state asked for while a write of it is in flight wait
 * and then go together, applied in the order they were asked for, in one read and one write.
 * Flushes of the 16 source partitions of one hour would otherwise race each other on the same
 * ETag, and all but one would lose, re-read and write again. Other processes still meet at
 * the ETag.
 */
export class PartitionUpdates {
  private readonly queues = new Map<string, PendingUpdate[]>();

  constructor(
    private readonly store: ObjectStore,
    private readonly layout: LakeLayout,
  ) {}

  /** Resolves with the state that was written (or found unchanged), which holds this update. */
  update(dataset: string, partitionPath: string, mutate: Mutation): Promise<PartitionState> {
    const key = this.layout.partitionState(dataset, partitionPath);
    return new Promise((resolve, reject) => {
      const item = { mutate, resolve, reject };
      const queue = this.queues.get(key);
      if (queue !== undefined) {
        queue.push(item);
        return;
      }
      const fresh = [item];
      this.queues.set(key, fresh);
      void this.drain(key, dataset, partitionPath, fresh);
    });
  }

  private async drain(key: string, dataset: string, partitionPath: string, queue: PendingUpdate[]): Promise<void> {
    while (queue.length > 0) await writeGroup(this.store, key, dataset, partitionPath, queue.splice(0));
    this.queues.delete(key);
  }
}

/** One read and one conditional write for a group of updates; each is re-applied on a conflict, and one that throws fails alone. */
async function writeGroup(store: ObjectStore, key: string, dataset: string, partitionPath: string, group: PendingUpdate[]): Promise<void> {
  try {
    for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
      const now = new Date().toISOString();
      const existing = await readMetadata(store, key, partitionStateSchema);
      let state = existing?.value ?? newPartitionState(dataset, partitionPath, now);
      let changed = false;
      const failures = new Map<PendingUpdate, unknown>();
      for (const item of group) {
        try {
          const next = item.mutate(state, now);
          if (next === undefined) continue;
          state = next;
          changed = true;
        } catch (err) {
          failures.set(item, err);
        }
      }
      try {
        if (changed) await putJson(store, key, state, existing ? { ifMatch: existing.etag } : { ifNoneMatch: '*' });
        for (const item of group) {
          if (failures.has(item)) item.reject(failures.get(item));
          else item.resolve(state);
        }
        return;
      } catch (err) {
        if (!isTukangError(err, 'S3_PRECONDITION_FAILED')) throw err;
        // Another writer got there first: re-read and re-apply, after a short jittered pause.
        await sleep(10 + Math.random() * 40 * (attempt + 1));
      }
    }
    throw new TukangError('COMMIT_CONFLICT', `partition ${dataset}/${partitionPath}: ${MAX_CONFLICT_RETRIES} concurrent updates in a row; giving up this attempt`);
  } catch (err) {
    for (const item of group) item.reject(err);
  }
}

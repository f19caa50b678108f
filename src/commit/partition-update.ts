import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import { TukangError, isTukangError } from '../errors/catalogue.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import { partitionStateSchema } from '../lake/metadata-schemas.js';
import type { PartitionState } from '../lake/metadata-types.js';
import { readMetadata } from '../lake/read-metadata.js';
import { putJson, type ObjectStore } from '../storage/object-store.js';
import { newPartitionState } from './partition-documents.js';

const MAX_CONFLICT_RETRIES = 12;
/** States this process keeps as it last wrote or read them: the open partitions of a few datasets. */
const KNOWN_STATES = 256;
const KNOWN_STATES_BYTES = 16 * 1024 * 1024;

/** The state of one partition as read or written, with the ETag it had then. */
export interface KnownState {
  value: PartitionState;
  etag: string;
}

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
 *
 * Known states: the state this process last wrote (or read) is kept with its ETag, and a group's
 * first attempt applies its updates to it and writes it If-Match without reading. When another
 * process changed the state since, the write is refused (412) and the group reads and tries
 * again, so a stale copy costs a retry, never a wrong write. A group whose updates all refused or
 * changed nothing on a kept copy reads the state before it answers: only a write proves a copy
 * current.
 */
export class PartitionUpdates {
  private readonly queues = new Map<string, PendingUpdate[]>();
  private readonly known = new LRUCache<string, KnownState>({
    max: KNOWN_STATES,
    maxSize: KNOWN_STATES_BYTES,
    // About the size of the state's JSON: a file entry is most of it.
    sizeCalculation: (s) => 2_048 + 1_024 * (s.value.files.length + s.value.versions.length + (s.value.accounted_ranges?.length ?? 0)),
  });

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

  /**
   * The state as this process last wrote or read it, else as read now. It may be older than the
   * object: for writers whose next step is a conditional write of it (a flush), not for answers.
   */
  async knownOrRead(dataset: string, partitionPath: string): Promise<PartitionState | undefined> {
    const key = this.layout.partitionState(dataset, partitionPath);
    const known = this.known.get(key);
    if (known) return known.value;
    const read = await this.read(key);
    return read?.value;
  }

  /** The state as this process last wrote or read it, without reading; undefined when not kept. */
  peek(dataset: string, partitionPath: string): PartitionState | undefined {
    return this.known.get(this.layout.partitionState(dataset, partitionPath))?.value;
  }

  private async read(key: string): Promise<KnownState | undefined> {
    const read = await readMetadata(this.store, key, partitionStateSchema);
    if (read) this.known.set(key, read);
    else this.known.delete(key);
    return read;
  }

  private async drain(key: string, dataset: string, partitionPath: string, queue: PendingUpdate[]): Promise<void> {
    while (queue.length > 0) await this.writeGroup(key, dataset, partitionPath, queue.splice(0));
    this.queues.delete(key);
  }

  /** One read and one conditional write for a group of updates; each is re-applied on a conflict, and one that throws fails alone. */
  private async writeGroup(key: string, dataset: string, partitionPath: string, group: PendingUpdate[]): Promise<void> {
    try {
      let useKnown = true;
      for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
        const now = new Date().toISOString();
        const kept = useKnown ? this.known.get(key) : undefined;
        useKnown = false;
        const existing = kept ?? (await this.read(key));
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
        // Refusals and "nothing to change" are answers about the object: not from a kept copy.
        if (kept && (!changed || failures.size > 0)) continue;
        try {
          if (changed) {
            const { etag } = await putJson(this.store, key, state, existing ? { ifMatch: existing.etag } : { ifNoneMatch: '*' });
            if (etag !== '') this.known.set(key, { value: state, etag });
            else this.known.delete(key);
          }
          for (const item of group) {
            if (failures.has(item)) item.reject(failures.get(item));
            else item.resolve(state);
          }
          return;
        } catch (err) {
          if (!isTukangError(err, 'S3_PRECONDITION_FAILED')) throw err;
          this.known.delete(key);
          // A kept copy was stale: read again at once. Another writer got there first: re-read and
          // re-apply after a short jittered pause.
          if (!kept) await sleep(10 + Math.random() * 40 * (attempt + 1));
        }
      }
      throw new TukangError('COMMIT_CONFLICT', `partition ${dataset}/${partitionPath}: ${MAX_CONFLICT_RETRIES} concurrent updates in a row; giving up this attempt`);
    } catch (err) {
      this.known.delete(key);
      for (const item of group) item.reject(err);
    }
  }
}

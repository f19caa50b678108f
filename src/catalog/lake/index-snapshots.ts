import { describeError, isTukangError } from '../../errors/catalogue.js';
import type { Logger } from '../../log/logger.js';
import type { ObjectStore } from '../../storage/object-store.js';
import type { LakeLayout } from '../../lake/lake-layout.js';
import type { ChangeEntry, DatasetIndex } from '../index/dataset-index.js';
import { decodeSnapshot, encodeSnapshot } from '../index/index-snapshot.js';

/** What a catalog instance knows of the snapshot object: its ETag (null when there is none). */
export interface SnapshotSeen {
  etag: string | null;
}

export type SnapshotLoad = { index: DatasetIndex; seen: SnapshotSeen } | { index: undefined; seen: SnapshotSeen };

/**
 * Reads and writes `_tukang/datasets/<name>/catalog/index-snapshot.json`. Writes are conditional
 * on the ETag this instance last saw (If-None-Match: * when there was none), so instances that
 * snapshot the same dataset never overwrite a snapshot they have not read: the loser of a race
 * skips its turn and adopts the winner's ETag.
 */
export class IndexSnapshots {
  constructor(
    private readonly store: ObjectStore,
    private readonly layout: LakeLayout,
    private readonly logger: Logger,
    private readonly parseChange: (name: string) => ChangeEntry | undefined,
  ) {}

  key(dataset: string): string {
    return this.layout.indexSnapshot(dataset);
  }

  /** The snapshot as an index, or no index when it is missing or corrupt (logged as METADATA_CORRUPT). */
  async load(dataset: string): Promise<SnapshotLoad> {
    const object = await this.store.get(this.key(dataset));
    if (!object) return { index: undefined, seen: { etag: null } };
    try {
      return { index: decodeSnapshot(dataset, Buffer.from(object.body).toString('utf8'), this.parseChange), seen: { etag: object.etag } };
    } catch (err) {
      if (!isTukangError(err, 'METADATA_CORRUPT')) throw err;
      this.logger.error({ dataset, code: err.code, key: this.key(dataset), err: err.message }, 'catalog index snapshot is corrupt; building the index from the partition states');
      return { index: undefined, seen: { etag: object.etag } };
    }
  }

  /** Writes the index over the snapshot last seen; false when another instance wrote first. */
  async save(dataset: string, index: DatasetIndex, seen: SnapshotSeen, nowMs: number): Promise<boolean> {
    const body = JSON.stringify(encodeSnapshot(dataset, index, nowMs));
    const key = this.key(dataset);
    try {
      const { etag } = await this.store.put(key, body, { contentType: 'application/json', ...(seen.etag === null ? { ifNoneMatch: '*' } : { ifMatch: seen.etag }) });
      seen.etag = etag;
      return true;
    } catch (err) {
      if (!isTukangError(err, 'S3_PRECONDITION_FAILED')) throw err;
      const head = await this.store.head(key);
      seen.etag = head?.etag ?? null;
      this.logger.info({ dataset, err: describeError(err) }, 'another catalog instance wrote the index snapshot first; skipping this turn');
      return false;
    }
  }
}

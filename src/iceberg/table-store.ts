/**
 * Where a dataset's Iceberg table lives in S3, and the atomic commit of a new metadata version.
 *
 * The commit point is the conditional create (`If-None-Match: *`) of `v<N+1>.metadata.json`:
 * of several writers that based their change on version N, exactly one creates N+1; the others
 * get a 412, reload and retry. `version-hint.text` then names N+1 (replaced only with `If-Match`
 * and only forwards), for engines that read a table from its path; it may lag by a version after
 * a crash, which is why readers (`latest`) probe forward from it.
 */
import { isTukangError } from '../errors/catalogue.js';
import { getJson, type ObjectStore } from '../storage/object-store.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import type { TableMetadata } from './table-metadata.js';

export interface LoadedTable {
  version: number;
  key: string;
  metadata: TableMetadata;
}

export class TableStore {
  constructor(
    private readonly store: ObjectStore,
    private readonly layout: LakeLayout,
    private readonly bucket: string,
  ) {}

  uri(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  /** The key of an s3:// URI in this bucket. */
  keyOf(uri: string): string {
    const prefix = `s3://${this.bucket}/`;
    return uri.startsWith(prefix) ? uri.slice(prefix.length) : uri;
  }

  tableDir(dataset: string): string {
    return this.layout.icebergTable(dataset);
  }

  metadataKey(dataset: string, version: number): string {
    return `${this.tableDir(dataset)}metadata/v${version}.metadata.json`;
  }

  versionHintKey(dataset: string): string {
    return `${this.tableDir(dataset)}metadata/version-hint.text`;
  }

  manifestKey(dataset: string, bucket: string, snapshotId: number): string {
    return `${this.tableDir(dataset)}metadata/m-${bucket}-${snapshotId}.avro`;
  }

  manifestListKey(dataset: string, snapshotId: number, attempt: string): string {
    return `${this.tableDir(dataset)}metadata/snap-${snapshotId}-${attempt}.avro`;
  }

  /**
   * A manifest rewritten by snapshot `bySnapshotId` to name moved files (relocate-retired.ts):
   * the original's name (without earlier `-r<id>` suffixes) with `-r<bySnapshotId>`.
   */
  rewrittenManifestKey(originalPath: string, bySnapshotId: number): string {
    const key = this.keyOf(originalPath);
    return `${key.replace(/(?:-r\d+)*\.avro$/, '')}-r${bySnapshotId}.avro`;
  }

  /** The bucket a manifest this module wrote (or rewrote) belongs to, from its name. */
  bucketOfManifest(path: string): string | undefined {
    return /\/m-(.+?)-\d+(?:-r\d+)*\.avro$/.exec(path)?.[1];
  }

  /** Where a data file of the lake is once a newer version no longer lists it (LakeLayout.fileLocations). */
  supersededUri(dataFileUri: string): string {
    return this.uri(this.layout.fileLocations(this.keyOf(dataFileUri)).superseded);
  }

  /** The newest committed metadata version, or undefined when the table has none yet. */
  async latest(dataset: string): Promise<LoadedTable | undefined> {
    const hint = await this.store.get(this.versionHintKey(dataset));
    let version = hint ? Number.parseInt(Buffer.from(hint.body).toString('utf8').trim(), 10) || 0 : 0;
    // The hint may lag (a writer died between its commit and the hint): probe forward.
    while (await this.store.head(this.metadataKey(dataset, version + 1))) version++;
    if (version === 0) return undefined;
    const key = this.metadataKey(dataset, version);
    const loaded = await getJson<TableMetadata>(this.store, key);
    // Deleted by a newer writer's metadata-log retention between the probe and the read: go again.
    if (!loaded) return this.latest(dataset);
    return { version, key, metadata: loaded.value };
  }

  /** Creates version `version`; false when another writer created it first. */
  async create(dataset: string, version: number, metadata: TableMetadata): Promise<boolean> {
    try {
      await this.store.put(this.metadataKey(dataset, version), `${JSON.stringify(metadata)}\n`, { ifNoneMatch: '*', contentType: 'application/json' });
      return true;
    } catch (err) {
      if (isTukangError(err, 'S3_PRECONDITION_FAILED')) return false;
      throw err;
    }
  }

  /** Moves `version-hint.text` forward to `version` (never back), with conditional writes. */
  async advanceHint(dataset: string, version: number): Promise<void> {
    const key = this.versionHintKey(dataset);
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.store.get(key);
      const at = current ? Number.parseInt(Buffer.from(current.body).toString('utf8').trim(), 10) || 0 : 0;
      if (at >= version) return;
      try {
        await this.store.put(key, String(version), current ? { ifMatch: current.etag, contentType: 'text/plain' } : { ifNoneMatch: '*', contentType: 'text/plain' });
        return;
      } catch (err) {
        if (!isTukangError(err, 'S3_PRECONDITION_FAILED')) throw err;
      }
    }
  }
}

/**
 * Brings one dataset's Iceberg table up to date with Tukang's committed partition states: read
 * the table's current version, re-read the changed partitions' `state.json` (the truth), plan a
 * snapshot, write its manifests and manifest list, and create the next metadata version. A lost
 * race reloads and plans again; metadata the new version no longer reaches is deleted afterwards.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CommitLog } from '../commit/commit-log.js';
import type { PartitionState } from '../lake/metadata-types.js';
import { partitionBounds } from '../lake/hive-path.js';
import { TukangError, isTukangError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import type { ObjectStore } from '../storage/object-store.js';
import { STATUS, decodeManifest, decodeManifestList, encodeManifest, encodeManifestList, type ManifestFile } from './manifests.js';
import { relocateRetired } from './relocate-retired.js';
import { planSnapshot, type SnapshotPlan } from './snapshot-plan.js';
import { currentSnapshot, newSnapshotId, newTableMetadata, withSnapshot, type Retention, type Snapshot, type TableMetadata } from './table-metadata.js';
import type { TableLayout } from './table-schema.js';
import type { TableStore } from './table-store.js';

const MAX_ATTEMPTS = 10;
const READ_CONCURRENCY = 16;

export interface CommitOutcome {
  version: number;
  snapshotId: number;
  operation: Snapshot['summary']['operation'];
}

export class TableCommitter {
  constructor(
    readonly dataset: string,
    private readonly layout: TableLayout,
    private readonly dataLocation: string,
    private readonly store: ObjectStore,
    private readonly tables: TableStore,
    private readonly commitLog: CommitLog,
    private readonly retention: Retention,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Commits the current state of `partitionPaths`; undefined when the table already matched. */
  async commit(partitionPaths: readonly string[]): Promise<CommitOutcome | undefined> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const loaded = await this.tables.latest(this.dataset);
      const base = loaded?.metadata ?? newTableMetadata(this.layout, this.tables.uri(this.tables.tableDir(this.dataset)).replace(/\/$/, ''), this.dataLocation, this.clock());
      const written: string[] = [];
      try {
        const parent = currentSnapshot(base);
        const current = parent ? await this.manifestsOf(parent) : [];
        // Read after the table: a state is never older than what the loaded version reflects.
        const states = await this.readStates(partitionPaths);
        const snapshotId = newSnapshotId();
        const sequenceNumber = base['last-sequence-number'] + 1;
        const plan = await planSnapshot({
          layout: this.layout,
          current: current.map((file) => ({ bucket: this.tables.bucketOfManifest(file.path) ?? file.path, file })),
          states,
          snapshotId,
          sequenceNumber,
          readManifest: async (file) => decodeManifest(await this.read(file.path)),
        });
        if (!plan) return undefined;
        const manifests: ManifestFile[] = [...plan.kept];
        // Files this snapshot deletes leave the Hive folder at the switch (file-placement.ts).
        const moved = this.movedFiles(plan);
        for (const m of plan.manifests) {
          const key = this.tables.manifestKey(this.dataset, m.bucket, snapshotId);
          const body = encodeManifest(this.layout, m.entries.map((e) => (e.status === STATUS.deleted ? { ...e, path: moved.get(e.path) ?? e.path } : e)));
          await this.store.put(key, body, { contentType: 'application/octet-stream' });
          written.push(key);
          manifests.push({ ...m.summary, path: this.tables.uri(key), length: body.length });
        }
        manifests.sort((a, b) => (a.path < b.path ? -1 : 1));
        const listKey = this.tables.manifestListKey(this.dataset, snapshotId, String(attempt));
        await this.store.put(listKey, encodeManifestList(manifests, { id: snapshotId, parentId: parent?.['snapshot-id'] ?? null, sequenceNumber }));
        written.push(listKey);
        const snapshot = await this.snapshot(base, plan, manifests, states, snapshotId, sequenceNumber, this.tables.uri(listKey));
        const { metadata, expired } = withSnapshot(base, snapshot, loaded ? this.tables.uri(loaded.key) : null, this.retention);
        // The snapshots kept from before this one read the moved files at their new place.
        const relocation = await relocateRetired({
          dataset: this.dataset,
          layout: this.layout,
          store: this.store,
          tables: this.tables,
          read: (uri) => this.read(uri),
          snapshots: metadata.snapshots.slice(0, -1),
          moved,
          buckets: new Set(plan.manifests.filter((m) => m.entries.some((e) => e.status === STATUS.deleted)).map((m) => m.bucket)),
          bySnapshotId: snapshotId,
        });
        written.push(...relocation.written);
        metadata.snapshots = [...relocation.snapshots, snapshot];
        const version = (loaded?.version ?? 0) + 1;
        if (await this.tables.create(this.dataset, version, metadata)) {
          await this.tables.advanceHint(this.dataset, version);
          await this.cleanUp(base, metadata, expired, relocation.replaced).catch((err: unknown) => this.logger.warn({ dataset: this.dataset, err: String(err) }, 'deleting expired Iceberg metadata failed; it is retried after the next expiry'));
          return { version, snapshotId, operation: snapshot.summary.operation };
        }
      } catch (err) {
        // Metadata of the loaded version vanished while it was read: another instance committed
        // on top and expired it. Not corrupt: plan again on the newer version.
        if (!isTukangError(err, 'METADATA_CORRUPT') || !(await this.movedOn(loaded?.version ?? 0))) throw err;
        await this.store.delete(written).catch(() => undefined);
        continue;
      }
      // Another instance committed version N+1 first: nothing of ours is referenced; plan again.
      await this.store.delete(written).catch(() => undefined);
      await sleep(20 + Math.random() * 80 * attempt);
    }
    throw new TukangError('COMMIT_CONFLICT', `Iceberg table ${this.dataset}: ${MAX_ATTEMPTS} concurrent commits in a row; the next interval retries`);
  }

  private async snapshot(
    base: TableMetadata,
    plan: SnapshotPlan,
    manifests: readonly ManifestFile[],
    states: readonly PartitionState[],
    snapshotId: number,
    sequenceNumber: number,
    manifestList: string,
  ): Promise<Snapshot> {
    const compaction = plan.deletedFiles > 0 && states.every((s) => String(s.versions.at(-1)?.reason) === 'compaction');
    const operation = plan.deletedFiles === 0 ? 'append' : compaction ? 'replace' : 'overwrite';
    const live = manifests.reduce((acc, m) => ({ files: acc.files + m.addedFiles + m.existingFiles, rows: acc.rows + m.addedRows + m.existingRows }), { files: 0, rows: 0 });
    const parent = currentSnapshot(base);
    return {
      'snapshot-id': snapshotId,
      ...(parent ? { 'parent-snapshot-id': parent['snapshot-id'] } : {}),
      'sequence-number': sequenceNumber,
      'timestamp-ms': Math.max(this.clock(), base['last-updated-ms']),
      'manifest-list': manifestList,
      'schema-id': this.layout.schema['schema-id'],
      summary: {
        operation,
        'added-data-files': String(plan.addedFiles),
        'deleted-data-files': String(plan.deletedFiles),
        'added-records': String(plan.addedRows),
        'deleted-records': String(plan.deletedRows),
        'total-data-files': String(live.files),
        'total-records': String(live.rows),
        'total-delete-files': '0',
        'total-position-deletes': '0',
        'total-equality-deletes': '0',
        // Which Tukang partition versions this snapshot brought in, and up to when all is complete.
        'tukang.partitions': JSON.stringify(Object.fromEntries(states.map((s) => [s.partition_path, { version: s.version, status: s.status }]))),
        'tukang.complete-before': await this.completeBefore(manifests),
      },
    };
  }

  /**
   * Every partition ending at or before this time is complete: the start of the oldest partition
   * still open (its open marker exists from before its first file), or, with none open, the end of
   * the newest partition in the table.
   */
  private async completeBefore(manifests: readonly ManifestFile[]): Promise<string> {
    const open = await this.commitLog.openPartitions(this.dataset);
    if (open.length > 0) return utcSeconds(Math.min(...open.map((p) => partitionBounds(p).startMs)));
    const unit = this.layout.partitionKeys[0]?.kind === 'day' ? 86_400_000 : 3_600_000;
    const uppers = manifests.map((m) => m.partitions[0]?.upper).filter((u): u is Uint8Array => u instanceof Uint8Array && u.length === 4);
    const newest = Math.max(0, ...uppers.map((u) => Buffer.from(u).readInt32LE(0) + 1));
    return utcSeconds(newest * unit);
  }

  /** Data file URI → superseded URI, for each file the plan deletes. */
  /** True when the table has a version newer than `version`. */
  private async movedOn(version: number): Promise<boolean> {
    return ((await this.tables.latest(this.dataset))?.version ?? 0) > version;
  }

  private movedFiles(plan: SnapshotPlan): Map<string, string> {
    const moved = new Map<string, string>();
    for (const m of plan.manifests) for (const e of m.entries) if (e.status === STATUS.deleted) moved.set(e.path, this.tables.supersededUri(e.path));
    return moved;
  }

  private async manifestsOf(snapshot: Snapshot): Promise<ManifestFile[]> {
    return decodeManifestList(await this.read(snapshot['manifest-list']));
  }

  private async read(uri: string): Promise<Uint8Array> {
    const object = await this.store.get(this.tables.keyOf(uri));
    if (!object) throw new TukangError('METADATA_CORRUPT', `Iceberg table ${this.dataset}: ${uri} is missing`);
    return object.body;
  }

  private async readStates(paths: readonly string[]): Promise<PartitionState[]> {
    const states: PartitionState[] = [];
    for (let i = 0; i < paths.length; i += READ_CONCURRENCY) {
      const batch = await Promise.all(paths.slice(i, i + READ_CONCURRENCY).map((p) => this.commitLog.readPartition(this.dataset, p)));
      for (const s of batch) if (s) states.push(s.value);
    }
    return states;
  }

  /**
   * Deletes what the new version cannot reach: manifest lists of expired snapshots, manifests
   * that only they listed (a manifest, once replaced, is never listed again, so comparing with
   * the oldest retained snapshot suffices), the manifests and lists a relocation replaced, and the
   * metadata file that left the metadata log.
   */
  private async cleanUp(base: TableMetadata, next: TableMetadata, expired: readonly Snapshot[], relocated: readonly string[]): Promise<void> {
    const keys: string[] = [...relocated];
    const oldest = next.snapshots[0];
    if (expired.length > 0 && oldest) {
      const retained = new Set((await this.manifestsOf(oldest)).map((m) => m.path));
      for (const s of expired) {
        keys.push(this.tables.keyOf(s['manifest-list']));
        const listed = await this.manifestsOf(s).catch(() => []);
        for (const m of listed) if (!retained.has(m.path)) keys.push(this.tables.keyOf(m.path));
      }
    }
    const kept = new Set(next['metadata-log'].map((e) => e['metadata-file']));
    for (const e of base['metadata-log']) if (!kept.has(e['metadata-file'])) keys.push(this.tables.keyOf(e['metadata-file']));
    if (keys.length > 0) await this.store.delete([...new Set(keys)]);
  }
}

/**
 * RFC 3339 with an explicit `+00:00` and whole seconds (`2026-11-21T09:00:00+00:00`): the form
 * PyIceberg's timestamptz literals accept (it refuses `…T09:00:00.000Z`), and DuckDB too.
 */
export function utcSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

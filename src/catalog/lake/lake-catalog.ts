import { LRUCache } from 'lru-cache';
import { partitionStateSchema } from '../../lake/metadata-schemas.js';
import { readMetadata } from '../../lake/read-metadata.js';
import type { PartitionState } from '../../lake/metadata-types.js';
import type { DatasetConfig } from '../../config/schema.js';
import { describeError } from '../../errors/catalogue.js';
import type { Logger } from '../../log/logger.js';
import type { Component } from '../../core/component.js';
import { lakeActivity } from '../../commit/lake-activity.js';
import { listAll, type ObjectStore } from '../../storage/object-store.js';
import { parseChangeRecordName, type LakeLayout } from '../../lake/lake-layout.js';
import { DatasetIndex, type ChangeEntry } from '../index/dataset-index.js';
import { IndexSnapshots, type SnapshotSeen } from './index-snapshots.js';
import { mapLimit } from './map-limit.js';

export interface LakeCatalogSettings {
  stateCacheSize: number;
  refreshMs: number;
  relistMs: number;
  /**
   * Change records are named by the writer's clock and land a moment after that time, so one can
   * appear with a name below a cursor already handed out. Changes younger than this are held
   * back from "changed since" answers, and the change log is re-listed this far back.
   */
  settleMs: number;
  /**
   * A refresh that changed nothing doubles the wait before the next, up to this; any change (or
   * a commit by this process: lake-activity) brings it back to refreshMs. Bounds an idle dataset's
   * S3 requests.
   */
  idleRefreshMs: number;
  /** How often an instance writes the index snapshot when its index changed; 0 never writes one. */
  snapshotMs: number;
}

const READ_CONCURRENCY = 16;

interface DatasetState {
  index: DatasetIndex;
  ready: Promise<void>;
  refreshing: Promise<void> | undefined;
  lastRelistMs: number;
  /** The snapshot object as this instance last saw it (undefined until looked at). */
  snapshot: SnapshotSeen | undefined;
  /** True once every state.json was listed against the index: only then may it be snapshotted. */
  verified: boolean;
  snapshotGeneration: number;
  lastSnapshotMs: number;
  /** The current wait between timer-driven refreshes, the time of the next, and the process-local activity seen then. */
  waitMs: number;
  nextRefreshMs: number;
  activity: number;
}

/**
 * The catalog's view of the lake: one in-memory index per dataset, built by listing its
 * partition states once, then kept current by tailing the change log and re-reading open
 * partitions (every refreshMs) and by a full re-listing that compares ETags (every relistMs).
 * Full partition states are kept in an LRU and re-read only when the index saw a new ETag.
 * Stateless apart from caches: any number of instances can serve the same lake.
 */
export class LakeCatalog implements Component {
  readonly name = 'catalog-index';
  private readonly datasets = new Map<string, DatasetState>();
  private readonly states: LRUCache<string, { state: PartitionState; etag: string }>;
  private timer: NodeJS.Timeout | undefined;
  private readonly snapshots: IndexSnapshots;

  constructor(
    private readonly store: ObjectStore,
    /** Also tells the manifest route where a superseded version's files now are. */
    readonly layout: LakeLayout,
    readonly configs: readonly DatasetConfig[],
    private readonly settings: LakeCatalogSettings,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.states = new LRUCache({ max: settings.stateCacheSize });
    this.snapshots = new IndexSnapshots(store, layout, logger, parseChangeName);
  }

  dataset(name: string): DatasetConfig | undefined {
    return this.configs.find((d) => d.name === name);
  }

  /** Builds indexes in the background so the first requests find them warm. */
  async start(): Promise<void> {
    // A failed build is logged and retried by the next request (or the next refresh).
    for (const d of this.configs) {
      void this.index(d.name).catch((err: unknown) => this.logger.warn({ dataset: d.name, err: describeError(err) }, 'building the catalog index failed; retrying on demand'));
    }
    this.timer = setInterval(() => void this.refreshDue(), this.settings.refreshMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.datasets.values()].map((d) => d.refreshing?.catch(() => undefined)));
  }

  /** The dataset's index; the first call builds it (a failed build is retried by the next call). */
  async index(dataset: string): Promise<DatasetIndex> {
    let entry = this.datasets.get(dataset);
    if (!entry) {
      const now = this.clock();
      const created: DatasetState = { index: new DatasetIndex(), ready: Promise.resolve(), refreshing: undefined, lastRelistMs: now, snapshot: undefined, verified: false, snapshotGeneration: -1, lastSnapshotMs: now, waitMs: this.settings.refreshMs, nextRefreshMs: now, activity: -1 };
      created.ready = this.build(dataset, created);
      created.ready.catch(() => {
        if (this.datasets.get(dataset) === created) this.datasets.delete(dataset);
      });
      this.datasets.set(dataset, created);
      entry = created;
    }
    await entry.ready;
    return entry.index;
  }

  /** A partition's full state, from the LRU when the index's ETag says it is current. */
  async state(dataset: string, path: string): Promise<{ state: PartitionState; etag: string } | undefined> {
    const index = await this.index(dataset);
    const etag = index.etag(path);
    const cached = this.states.get(`${dataset}/${path}`);
    if (etag !== undefined && cached?.etag === etag) return cached;
    // Unknown to the index yet (created since the last refresh) or changed: read it now.
    const read = await readMetadata(this.store, this.layout.partitionState(dataset, path), partitionStateSchema);
    if (!read) return undefined;
    this.remember(dataset, index, read.value, read.etag);
    return { state: read.value, etag: read.etag };
  }

  /** Brings a dataset's index up to date now (tests, and the timer). */
  async refresh(dataset: string): Promise<void> {
    const entry = this.datasets.get(dataset);
    if (!entry) return;
    await entry.ready;
    entry.refreshing ??= this.refreshOnce(dataset, entry).finally(() => (entry.refreshing = undefined));
    await entry.refreshing;
  }

  /** The newest time a change may have to be served to "changed since" readers (see settleMs). */
  changesUntilMs(): number {
    return this.clock() - this.settings.settleMs;
  }

  /** The timer's turn: refreshes the datasets that are due or that this process committed to. */
  async refreshDue(): Promise<void> {
    for (const [name, entry] of this.datasets) {
      if (this.clock() < entry.nextRefreshMs && lakeActivity(this.layout.metaRoot(name)) === entry.activity) continue;
      await this.refresh(name).catch((err: unknown) => this.logger.warn({ dataset: name, err: describeError(err) }, 'catalog index refresh failed'));
    }
  }

  private async refreshOnce(dataset: string, entry: DatasetState): Promise<void> {
    entry.activity = lakeActivity(this.layout.metaRoot(dataset));
    const generation = entry.index.generation;
    try {
      await this.refreshSteps(dataset, entry);
    } finally {
      entry.waitMs = entry.index.generation !== generation ? this.settings.refreshMs : Math.min(entry.waitMs * 2, Math.max(this.settings.idleRefreshMs, this.settings.refreshMs));
      entry.nextRefreshMs = this.clock() + entry.waitMs;
    }
  }

  private async refreshSteps(dataset: string, entry: DatasetState): Promise<void> {
    let current: ReadonlySet<string> = new Set();
    if (!entry.verified || this.clock() - entry.lastRelistMs >= this.settings.relistMs) {
      entry.lastRelistMs = this.clock();
      current = await this.relist(dataset, entry.index);
      entry.verified = true;
    }
    await this.catchUp(dataset, entry.index, current);
    await this.maybeSnapshot(dataset, entry);
  }

  /**
   * Tails the change log and re-reads the states it names and those of the open partitions, but
   * not those a re-list just found at the index's ETag (`current`).
   */
  private async catchUp(dataset: string, index: DatasetIndex, current: ReadonlySet<string> = new Set()): Promise<void> {
    const changed = await this.tailChanges(dataset, index);
    // Open partitions grow with every commit and have no change record until complete: re-read them.
    for await (const object of listAll(this.store, this.layout.openMarkers(dataset))) {
      const path = this.layout.openMarkerPath(dataset, object.key);
      if (!current.has(path)) changed.add(path);
    }
    await mapLimit([...changed], READ_CONCURRENCY, (path) => this.reread(dataset, index, path));
  }

  /**
   * From the snapshot when there is a readable one (then only the change log after it and the open
   * partitions are read; the first refresh re-lists every state.json to verify it), otherwise from
   * every partition state.
   */
  private async build(dataset: string, entry: DatasetState): Promise<void> {
    const started = this.clock();
    if (this.settings.snapshotMs > 0) {
      const loaded = await this.snapshots.load(dataset);
      entry.snapshot = loaded.seen;
      if (loaded.index) {
        entry.index = loaded.index;
        entry.snapshotGeneration = entry.index.generation;
        await this.catchUp(dataset, entry.index);
        this.logger.info({ dataset, partitions: entry.index.size, ms: this.clock() - started, from: 'snapshot' }, 'catalog index built');
        return;
      }
    }
    await this.relist(dataset, entry.index);
    await this.tailChanges(dataset, entry.index);
    entry.verified = true;
    this.logger.info({ dataset, partitions: entry.index.size, ms: this.clock() - started, from: 'states' }, 'catalog index built');
  }

  /** Writes the snapshot when the verified index changed since the last one and the interval passed. */
  private async maybeSnapshot(dataset: string, entry: DatasetState): Promise<void> {
    if (this.settings.snapshotMs <= 0 || !entry.verified || entry.index.generation === entry.snapshotGeneration) return;
    // A fresh build writes its first snapshot at once: that is what spares the next cold start.
    if (entry.snapshotGeneration !== -1 && this.clock() - entry.lastSnapshotMs < this.settings.snapshotMs) return;
    const seen = (entry.snapshot ??= { etag: (await this.store.head(this.snapshots.key(dataset)))?.etag ?? null });
    const generation = entry.index.generation;
    entry.lastSnapshotMs = this.clock();
    if (await this.snapshots.save(dataset, entry.index, seen, this.clock())) entry.snapshotGeneration = generation;
  }

  /** Lists every state.json and re-reads those whose ETag the index does not know; returns the paths found current. */
  private async relist(dataset: string, index: DatasetIndex): Promise<Set<string>> {
    const prefix = `${this.layout.metaRoot(dataset)}partitions/`;
    const stale: string[] = [];
    const current = new Set<string>();
    for await (const object of listAll(this.store, prefix)) {
      if (!object.key.endsWith('/state.json')) continue;
      const path = object.key.slice(prefix.length, -'/state.json'.length);
      if (index.etag(path) !== object.etag) stale.push(path);
      else current.add(path);
    }
    await mapLimit(stale, READ_CONCURRENCY, (path) => this.reread(dataset, index, path));
    return current;
  }

  /** Lists change-log objects from a little before the newest known one; returns the paths they name. */
  private async tailChanges(dataset: string, index: DatasetIndex): Promise<Set<string>> {
    const prefix = this.layout.changeLog(dataset);
    const last = index.lastChange();
    const options = last ? { startAfter: `${prefix}${new Date(last.atMs - this.settings.settleMs).toISOString()}` } : {};
    const paths = new Set<string>();
    const fresh: ChangeEntry[] = [];
    for await (const object of listAll(this.store, prefix, options)) {
      const name = object.key.slice(prefix.length);
      if (index.hasChange(name)) continue;
      const change = parseChangeName(name);
      if (!change) continue;
      fresh.push(change);
      paths.add(change.path);
    }
    // States first, so that each change finds its partition (and the reason of its version).
    await mapLimit([...paths].filter((p) => index.etag(p) === undefined || last !== undefined), READ_CONCURRENCY, (path) => this.reread(dataset, index, path));
    for (const change of fresh) {
      const state = this.states.get(`${dataset}/${change.path}`)?.state;
      const reason = state?.versions.find((v) => v.version === change.version)?.reason;
      // The name does not carry the kind; the version's reason does (the state may have left the LRU).
      const kind = reason === undefined ? (change.version === 1 ? 'complete' : 'late_data') : reason === 'ingest' ? 'complete' : reason;
      index.addChange({ ...change, change: kind });
    }
    return paths;
  }

  private async reread(dataset: string, index: DatasetIndex, path: string): Promise<void> {
    const read = await readMetadata(this.store, this.layout.partitionState(dataset, path), partitionStateSchema);
    if (read) this.remember(dataset, index, read.value, read.etag);
  }

  private remember(dataset: string, index: DatasetIndex, state: PartitionState, etag: string): void {
    index.upsert(state, etag);
    this.states.set(`${dataset}/${state.partition_path}`, { state, etag });
  }
}

/** `2026-11-21T11:01:02.345Z-event_date=2026-11-21+event_hour=10-v000001.json` */
export function parseChangeName(name: string): ChangeEntry | undefined {
  const parsed = parseChangeRecordName(name);
  if (!parsed) return undefined;
  return { name, at: parsed.at, atMs: Date.parse(parsed.at), path: parsed.partitionPath, version: parsed.version, change: 'complete' };
}

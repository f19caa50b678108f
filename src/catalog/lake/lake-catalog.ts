import { LRUCache } from 'lru-cache';
import type { PartitionState } from '../../commit/metadata-types.js';
import type { DatasetConfig } from '../../config/schema.js';
import { describeError } from '../../errors/catalogue.js';
import type { Logger } from '../../log/logger.js';
import type { Component } from '../../core/component.js';
import { getJson, listAll, type ObjectStore } from '../../storage/object-store.js';
import type { LakeLayout } from '../../writing/lake-layout.js';
import { DatasetIndex, type ChangeEntry } from '../index/dataset-index.js';
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
}

const READ_CONCURRENCY = 16;

interface DatasetState {
  index: DatasetIndex;
  ready: Promise<void>;
  refreshing: Promise<void> | undefined;
  lastRelistMs: number;
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
    this.timer = setInterval(() => void this.refreshAll(), this.settings.refreshMs);
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
      const index = new DatasetIndex();
      const created: DatasetState = { index, ready: this.build(dataset, index), refreshing: undefined, lastRelistMs: this.clock() };
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
    const entry = index.get(path);
    const key = `${dataset}/${path}`;
    const cached = this.states.get(key);
    if (entry && cached && cached.etag === entry.etag) return cached;
    // Unknown to the index yet (created since the last refresh) or changed: read it now.
    const read = await getJson<PartitionState>(this.store, this.layout.partitionState(dataset, path));
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

  private async refreshAll(): Promise<void> {
    for (const name of this.datasets.keys()) {
      await this.refresh(name).catch((err: unknown) => this.logger.warn({ dataset: name, err: describeError(err) }, 'catalog index refresh failed'));
    }
  }

  private async refreshOnce(dataset: string, entry: DatasetState): Promise<void> {
    if (this.clock() - entry.lastRelistMs >= this.settings.relistMs) {
      entry.lastRelistMs = this.clock();
      await this.relist(dataset, entry.index);
    }
    const changed = await this.tailChanges(dataset, entry.index);
    // Open partitions grow with every commit and have no change record until complete: re-read them.
    for await (const object of listAll(this.store, `${this.layout.metaRoot(dataset)}open/`)) {
      changed.add(object.key.slice(object.key.lastIndexOf('/') + 1).replaceAll('+', '/'));
    }
    await mapLimit([...changed], READ_CONCURRENCY, (path) => this.reread(dataset, entry.index, path));
  }

  private async build(dataset: string, index: DatasetIndex): Promise<void> {
    const started = this.clock();
    await this.relist(dataset, index);
    await this.tailChanges(dataset, index);
    this.logger.info({ dataset, partitions: index.size, ms: this.clock() - started }, 'catalog index built');
  }

  /** Lists every state.json and re-reads those whose ETag the index does not know. */
  private async relist(dataset: string, index: DatasetIndex): Promise<void> {
    const prefix = `${this.layout.metaRoot(dataset)}partitions/`;
    const stale: string[] = [];
    for await (const object of listAll(this.store, prefix)) {
      if (!object.key.endsWith('/state.json')) continue;
      const path = object.key.slice(prefix.length, -'/state.json'.length);
      if (index.get(path)?.etag !== object.etag) stale.push(path);
    }
    await mapLimit(stale, READ_CONCURRENCY, (path) => this.reread(dataset, index, path));
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
    await mapLimit([...paths].filter((p) => !index.get(p) || last !== undefined), READ_CONCURRENCY, (path) => this.reread(dataset, index, path));
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
    const read = await getJson<PartitionState>(this.store, this.layout.partitionState(dataset, path));
    if (read) this.remember(dataset, index, read.value, read.etag);
  }

  private remember(dataset: string, index: DatasetIndex, state: PartitionState, etag: string): void {
    index.upsert(state, etag);
    this.states.set(`${dataset}/${state.partition_path}`, { state, etag });
  }
}

/** `2026-11-21T11:01:02.345Z-event_date=2026-11-21+event_hour=10-v000001.json` */
export function parseChangeName(name: string): ChangeEntry | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)-(.+)-v(\d+)\.json$/.exec(name);
  if (!match) return undefined;
  const at = match[1] as string;
  return { name, at, atMs: Date.parse(at), path: (match[2] as string).replaceAll('+', '/'), version: Number(match[3]), change: 'complete' };
}

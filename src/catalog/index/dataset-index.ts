import type { ChangeRecord, PartitionState } from '../../lake/metadata-types.js';
import { partitionIdOf } from './partition-id.js';

/** What listing needs of a partition; the full state (files, versions) stays in S3 and the LRU. */
export interface PartitionEntry {
  path: string;
  id: string;
  startMs: number;
  endMs: number;
  /** RFC 3339 forms of the bounds, formatted once: listings render thousands of them. */
  startAt: string;
  endAt: string;
  status: 'open' | 'complete';
  version: number;
  rows: number;
  bytes: number;
  fileCount: number;
  duplicates: number;
  lateRows: number;
  updatedAt: string;
  completedAt: string | null;
  /** ETag of state.json this entry was built from; a differing ETag in a listing means re-read. */
  etag: string;
  /** The name of the partition's latest change-log object, if any. */
  change: ChangeEntry | undefined;
}

export interface ChangeEntry {
  /** Object name below `changes/`; its order is the change order. */
  name: string;
  path: string;
  change: ChangeRecord['change'];
  version: number;
  at: string;
  atMs: number;
}

export interface PartitionFilter {
  fromMs?: number;
  toMs?: number;
  status?: 'open' | 'complete';
}

export interface Totals {
  total: number;
  complete: number;
  open: number;
  rows: number;
  bytes: number;
  duplicates: number;
  lateRows: number;
}

export function entryOf(state: PartitionState, etag: string, previous?: PartitionEntry): PartitionEntry {
  const current = state.versions.find((v) => v.version === state.version);
  return {
    path: state.partition_path,
    id: partitionIdOf(state.partition_path),
    startMs: Date.parse(state.start_at),
    endMs: Date.parse(state.end_at),
    startAt: new Date(state.start_at).toISOString(),
    endAt: new Date(state.end_at).toISOString(),
    status: state.status,
    version: state.version,
    rows: state.rows,
    bytes: state.bytes,
    fileCount: state.files.length,
    duplicates: state.duplicates,
    lateRows: state.late_rows,
    updatedAt: state.updated_at,
    completedAt: current?.completed_at ?? null,
    etag,
    change: previous?.change,
  };
}

function compareEntry(a: { startMs: number; path: string }, b: { startMs: number; path: string }): number {
  return a.startMs - b.startMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/**
 * The in-memory index of one dataset's partitions: sorted by event time for range listings, and
 * the change log sorted by key for "changed since" listings. Both answer a page with a binary
 * search and a short scan, so listing never touches S3.
 */
export class DatasetIndex {
  private readonly byPath = new Map<string, PartitionEntry>();
  /** By (start, path). */
  private readonly sorted: PartitionEntry[] = [];
  /** By name; only every partition's latest change counts when listing. */
  private readonly changes: ChangeEntry[] = [];
  private readonly changeNames = new Set<string>();
  /** Bumped on every change, so responses can be cached by it. */
  generation = 0;

  get size(): number {
    return this.sorted.length;
  }

  get(path: string): PartitionEntry | undefined {
    return this.byPath.get(path);
  }

  paths(): IterableIterator<string> {
    return this.byPath.keys();
  }

  /** Adds or replaces a partition's entry; returns false when the ETag was already known. */
  upsert(state: PartitionState, etag: string): boolean {
    const previous = this.byPath.get(state.partition_path);
    if (previous?.etag === etag) return false;
    this.put(entryOf(state, etag, previous));
    return true;
  }

  /** Adds or replaces an entry as it is (a snapshot's); its bounds must be those of its path. */
  put(entry: PartitionEntry): void {
    const previous = this.byPath.get(entry.path);
    this.byPath.set(entry.path, entry);
    if (previous) this.sorted[this.indexOf(entry)] = entry;
    else this.sorted.splice(this.lowerBound(entry), 0, entry);
    this.generation++;
  }

  /** Every entry in (start, path) order, and every change in name order: what a snapshot keeps. */
  entries(): readonly PartitionEntry[] {
    return this.sorted;
  }

  changeLog(): readonly ChangeEntry[] {
    return this.changes;
  }

  hasChange(name: string): boolean {
    return this.changeNames.has(name);
  }

  /** Records a change-log object. Names usually arrive in order; a late one is inserted in place. */
  addChange(change: ChangeEntry): void {
    if (this.changeNames.has(change.name)) return;
    this.changeNames.add(change.name);
    const last = this.changes.at(-1);
    if (!last || last.name < change.name) this.changes.push(change);
    else this.changes.splice(this.changeBound(change.name), 0, change);
    const entry = this.byPath.get(change.path);
    if (entry && (!entry.change || entry.change.name < change.name)) entry.change = change;
    this.generation++;
  }

  lastChange(): ChangeEntry | undefined {
    return this.changes.at(-1);
  }

  /** Partitions in event-time order after (startMs, path), matching the filter. */
  listByTime(filter: PartitionFilter, after: { startMs: number; path: string } | undefined, limit: number): { items: PartitionEntry[]; more: boolean } {
    let i = after ? this.upperBound(after) : 0;
    // Partitions of one dataset share a length, so end order is start order: skip to the first ending after `from`.
    if (filter.fromMs !== undefined) i = Math.max(i, this.firstEndingAfter(filter.fromMs));
    const items: PartitionEntry[] = [];
    for (; i < this.sorted.length; i++) {
      const entry = this.sorted[i] as PartitionEntry;
      if (filter.toMs !== undefined && entry.startMs >= filter.toMs) return { items, more: false };
      if (filter.status !== undefined && entry.status !== filter.status) continue;
      if (items.length === limit) return { items, more: true };
      items.push(entry);
    }
    return { items, more: false };
  }

  /**
   * Partitions whose latest change is after `afterName` and at or before `untilMs`, in change
   * order. `last` is the last change examined, the cursor to continue from (also past changes
   * the filter skipped, so a poll never examines them again).
   */
  listByChange(filter: PartitionFilter, afterName: string, untilMs: number, limit: number): { items: Array<{ entry: PartitionEntry; change: ChangeEntry }>; more: boolean; last: string } {
    const items: Array<{ entry: PartitionEntry; change: ChangeEntry }> = [];
    let last = afterName;
    for (let i = this.changeBound(afterName, true); i < this.changes.length; i++) {
      const change = this.changes[i] as ChangeEntry;
      if (change.atMs > untilMs) break;
      const entry = this.byPath.get(change.path);
      const latest = entry?.change?.name === change.name;
      if (entry && latest && matches(entry, filter)) {
        if (items.length === limit) return { items, more: true, last };
        items.push({ entry, change });
      }
      last = change.name;
    }
    return { items, more: false, last };
  }

  totals(): Totals {
    const t: Totals = { total: 0, complete: 0, open: 0, rows: 0, bytes: 0, duplicates: 0, lateRows: 0 };
    for (const e of this.sorted) {
      t.total++;
      if (e.status === 'complete') t.complete++;
      else t.open++;
      t.rows += e.rows;
      t.bytes += e.bytes;
      t.duplicates += e.duplicates;
      t.lateRows += e.lateRows;
    }
    return t;
  }

  newestComplete(): PartitionEntry | undefined {
    for (let i = this.sorted.length - 1; i >= 0; i--) {
      const e = this.sorted[i] as PartitionEntry;
      if (e.status === 'complete') return e;
    }
    return undefined;
  }

  private indexOf(entry: PartitionEntry): number {
    return this.lowerBound(entry);
  }

  private lowerBound(key: { startMs: number; path: string }): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntry(this.sorted[mid] as PartitionEntry, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private upperBound(key: { startMs: number; path: string }): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntry(this.sorted[mid] as PartitionEntry, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private firstEndingAfter(ms: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.sorted[mid] as PartitionEntry).endMs <= ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First change index with name >= name (or > name when `after`). */
  private changeBound(name: string, after = false): number {
    let lo = 0;
    let hi = this.changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const n = (this.changes[mid] as ChangeEntry).name;
      if (n < name || (after && n === name)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function matches(entry: PartitionEntry, filter: PartitionFilter): boolean {
  if (filter.status !== undefined && entry.status !== filter.status) return false;
  if (filter.fromMs !== undefined && entry.endMs <= filter.fromMs) return false;
  if (filter.toMs !== undefined && entry.startMs >= filter.toMs) return false;
  return true;
}

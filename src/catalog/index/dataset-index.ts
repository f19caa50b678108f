import type { PartitionState } from '../../lake/metadata-types.js';
import { ChangeColumns, type ChangeEntry } from './change-columns.js';
import { PartitionColumns, type PartitionFacts } from './partition-columns.js';
import { partitionIdOf } from './partition-id.js';

export type { ChangeEntry } from './change-columns.js';
export type { PartitionFacts } from './partition-columns.js';

/** A partition as listings show it: its stored facts and what derives from them. Built on demand. */
export interface PartitionEntry extends PartitionFacts {
  id: string;
  /** RFC 3339 forms of the bounds. */
  startAt: string;
  endAt: string;
  /** The partition's latest change-log object, if any. */
  change: ChangeEntry | undefined;
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

/** What the index keeps of a partition state read with this ETag. */
export function factsOf(state: PartitionState, etag: string): PartitionFacts {
  const current = state.versions.find((v) => v.version === state.version);
  return {
    path: state.partition_path,
    startMs: Date.parse(state.start_at),
    endMs: Date.parse(state.end_at),
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
  };
}

const ORDER_START = 64;

/**
 * The in-memory index of one dataset's partitions: sorted by event time for range listings, and
 * the change log sorted by key for "changed since" listings. Both answer a page with a binary
 * search and a short scan, so listing never touches S3.
 *
 * Partitions live in PartitionColumns by slot, and the time order is an Int32Array of slots;
 * the change log is parallel arrays whose only objects are the names. Entries are built when a
 * caller asks for them, so what stays in the heap is about two objects per partition, which a
 * mark-compact visits quickly (docs/catalog.md, "Memory").
 */
export class DatasetIndex {
  private readonly columns = new PartitionColumns();
  private readonly slots = new Map<string, number>();
  /** Slots by (start, path). */
  private order = new Int32Array(ORDER_START);
  /** By slot: the name of the partition's latest change, if any. */
  private readonly latest: Array<string | undefined> = [];
  /** The change log by name (only every partition's latest change counts when listing). */
  private readonly changes = new ChangeColumns();
  /** Bumped on every change, so responses can be cached by it. */
  generation = 0;

  get size(): number {
    return this.columns.count;
  }

  get(path: string): PartitionEntry | undefined {
    const slot = this.slots.get(path);
    return slot === undefined ? undefined : this.entryAt(slot);
  }

  /** The ETag a partition's entry was built from (no entry is built). */
  etag(path: string): string | undefined {
    const slot = this.slots.get(path);
    return slot === undefined ? undefined : this.columns.etag(slot);
  }

  paths(): IterableIterator<string> {
    return this.slots.keys();
  }

  /** Adds or replaces a partition's entry; returns false when the ETag was already known. */
  upsert(state: PartitionState, etag: string): boolean {
    if (this.etag(state.partition_path) === etag) return false;
    this.put(factsOf(state, etag));
    return true;
  }

  /** Adds or replaces a partition's facts (a snapshot's); its bounds must be those of its path. */
  put(facts: PartitionFacts): void {
    const known = this.slots.get(facts.path);
    if (known !== undefined) this.columns.set(known, facts);
    else {
      const at = this.lowerBound(facts);
      const slot = this.columns.add(facts);
      this.slots.set(facts.path, slot);
      this.latest.push(undefined);
      if (slot === this.order.length) {
        const order = new Int32Array(this.order.length * 2);
        order.set(this.order);
        this.order = order;
      }
      this.order.copyWithin(at + 1, at, slot);
      this.order[at] = slot;
    }
    this.generation++;
  }

  /** Every partition's facts in (start, path) order: what a snapshot keeps. */
  *entries(): Generator<PartitionFacts> {
    for (let i = 0; i < this.size; i++) yield this.columns.facts(this.slotAt(i));
  }

  /** Every change in name order. */
  *changeLog(): Generator<ChangeEntry> {
    for (let i = 0; i < this.changes.length; i++) yield this.changes.entry(i);
  }

  hasChange(name: string): boolean {
    return this.changes.has(name);
  }

  /** Records a change-log object. Names usually arrive in order; a late one is inserted in place. */
  addChange(change: ChangeEntry): void {
    const slot = this.slots.get(change.path);
    // The partition's own path string where it is known, so the change adds only its name to the heap.
    if (!this.changes.add(change, slot === undefined ? change.path : this.columns.path(slot))) return;
    if (slot !== undefined) {
      const current = this.latest[slot];
      if (current === undefined || current < change.name) this.latest[slot] = change.name;
    }
    this.generation++;
  }

  lastChange(): ChangeEntry | undefined {
    return this.changes.length === 0 ? undefined : this.changes.entry(this.changes.length - 1);
  }

  /** Partitions in event-time order after (startMs, path), matching the filter. */
  listByTime(filter: PartitionFilter, after: { startMs: number; path: string } | undefined, limit: number): { items: PartitionEntry[]; more: boolean } {
    let i = after ? this.upperBound(after) : 0;
    // Partitions of one dataset share a length, so end order is start order: skip to the first ending after `from`.
    if (filter.fromMs !== undefined) i = Math.max(i, this.firstEndingAfter(filter.fromMs));
    const items: PartitionEntry[] = [];
    for (; i < this.size; i++) {
      const slot = this.slotAt(i);
      if (filter.toMs !== undefined && this.columns.startMs(slot) >= filter.toMs) return { items, more: false };
      if (filter.status !== undefined && this.columns.status(slot) !== filter.status) continue;
      if (items.length === limit) return { items, more: true };
      items.push(this.entryAt(slot));
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
    for (let i = this.changes.bound(afterName, true); i < this.changes.length; i++) {
      if (this.changes.timeMs(i) > untilMs) break;
      const name = this.changes.name(i);
      const slot = this.slots.get(this.changes.path(i));
      if (slot !== undefined && this.latest[slot] === name && this.matches(slot, filter)) {
        if (items.length === limit) return { items, more: true, last };
        items.push({ entry: this.entryAt(slot), change: this.changes.entry(i) });
      }
      last = name;
    }
    return { items, more: false, last };
  }

  totals(): Totals {
    const t: Totals = { total: this.size, complete: 0, open: 0, rows: 0, bytes: 0, duplicates: 0, lateRows: 0 };
    for (let slot = 0; slot < this.size; slot++) {
      if (this.columns.status(slot) === 'complete') t.complete++;
      else t.open++;
      this.columns.addCounts(slot, t);
    }
    return t;
  }

  newestComplete(): PartitionEntry | undefined {
    for (let i = this.size - 1; i >= 0; i--) {
      const slot = this.slotAt(i);
      if (this.columns.status(slot) === 'complete') return this.entryAt(slot);
    }
    return undefined;
  }

  private slotAt(i: number): number {
    return this.order[i] as number;
  }

  private entryAt(slot: number): PartitionEntry {
    const facts = this.columns.facts(slot);
    const latest = this.latest[slot];
    return {
      ...facts,
      id: partitionIdOf(facts.path),
      startAt: new Date(facts.startMs).toISOString(),
      endAt: new Date(facts.endMs).toISOString(),
      change: latest === undefined ? undefined : this.changes.entry(this.changes.bound(latest)),
    };
  }

  private matches(slot: number, filter: PartitionFilter): boolean {
    if (filter.status !== undefined && this.columns.status(slot) !== filter.status) return false;
    if (filter.fromMs !== undefined && this.columns.endMs(slot) <= filter.fromMs) return false;
    if (filter.toMs !== undefined && this.columns.startMs(slot) >= filter.toMs) return false;
    return true;
  }

  /** (start, path) of the i-th slot in time order against a key. */
  private compareAt(i: number, key: { startMs: number; path: string }): number {
    const slot = this.slotAt(i);
    const path = this.columns.path(slot);
    return this.columns.startMs(slot) - key.startMs || (path < key.path ? -1 : path > key.path ? 1 : 0);
  }

  private lowerBound(key: { startMs: number; path: string }): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareAt(mid, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private upperBound(key: { startMs: number; path: string }): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareAt(mid, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private firstEndingAfter(ms: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.columns.endMs(this.slotAt(mid)) <= ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

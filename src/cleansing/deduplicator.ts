import { LRUCache } from 'lru-cache';

/**
 * A point in a deduplicator's history. While its generation is unchanged, the deduplicator has
 * forgotten nothing it was told since the mark: no id was evicted, forgotten or replaced.
 */
export interface DedupMark {
  readonly dedup: Deduplicator;
  readonly generation: number;
}

/**
 * Drops the second and later copies of an event id seen within the dedup window (event time).
 * Memory is bounded by `maxEntries`: the least recently seen ids are forgotten first. With the
 * default of two million entries this holds about an hour at 500 events/s per partition of 1 KB
 * events for 16 partitions, at roughly 100 bytes per entry.
 *
 * The generation counts every loss of memory (an eviction, a `forget`, an id whose remembered
 * time is replaced by one outside the window). Between two marks of the same generation, any
 * two copies of an event within the window that were both admitted would have been caught here:
 * the flusher relies on that to skip re-reading this process's own files.
 */
export class Deduplicator {
  private readonly seen: LRUCache<string, number>;
  private losses = 0;

  constructor(
    private readonly windowMs: number,
    maxEntries: number,
  ) {
    this.seen = new LRUCache<string, number>({
      max: maxEntries,
      dispose: (_value, _key, reason) => {
        if (reason !== 'set') this.losses++;
      },
    });
  }

  /** True when `eventId` was seen with an event time within the window; otherwise remembers it. */
  isDuplicate(eventId: string, eventTimeMs: number): boolean {
    const previous = this.seen.get(eventId);
    if (previous !== undefined && Math.abs(eventTimeMs - previous) <= this.windowMs) return true;
    if (previous !== undefined) this.losses++; // the earlier time is forgotten
    this.seen.set(eventId, eventTimeMs);
    return false;
  }

  /** Remembers ids already written (from committed files) without counting them. */
  remember(eventId: string, eventTimeMs: number): void {
    const previous = this.seen.get(eventId);
    if (previous !== undefined && previous !== eventTimeMs) this.losses++;
    this.seen.set(eventId, eventTimeMs);
  }

  /** Forgets an id whose record was dropped unwritten (a revoked partition's buffer): it may come again. */
  forget(eventId: string): void {
    this.seen.delete(eventId);
  }

  /** The current point in this deduplicator's history (see DedupMark). */
  mark(): DedupMark {
    return { dedup: this, generation: this.losses };
  }

  /** True when nothing was lost since every one of `marks`, all of them this deduplicator's. */
  unchangedSince(...marks: ReadonlyArray<DedupMark | undefined>): boolean {
    return marks.every((m) => m !== undefined && m.dedup === this && m.generation === this.losses);
  }

  get size(): number {
    return this.seen.size;
  }
}

import { LRUCache } from 'lru-cache';

/**
 * The deduplicator as it was before the compact index (src/cleansing/deduplicator.ts): an
 * lru-cache of id → event time, about 100 bytes per entry on the V8 heap. Kept as the reference
 * the index's unit tests compare answers with, and the baseline of bench/dedup-index.ts.
 */
export class LruDeduplicator {
  private readonly seen: LRUCache<string, number>;

  constructor(
    private readonly windowMs: number,
    maxEntries: number,
  ) {
    this.seen = new LRUCache<string, number>({ max: maxEntries });
  }

  /** True when `eventId` was seen with an event time within the window; otherwise remembers it. */
  isDuplicate(eventId: string, eventTimeMs: number): boolean {
    const previous = this.seen.get(eventId);
    if (previous !== undefined && Math.abs(eventTimeMs - previous) <= this.windowMs) return true;
    this.seen.set(eventId, eventTimeMs);
    return false;
  }

  /** Remembers ids already written (from committed files) without counting them. */
  remember(eventId: string, eventTimeMs: number): void {
    this.seen.set(eventId, eventTimeMs);
  }

  /** Forgets an id whose record was dropped unwritten (a revoked partition's buffer): it may come again. */
  forget(eventId: string): void {
    this.seen.delete(eventId);
  }

  get size(): number {
    return this.seen.size;
  }
}

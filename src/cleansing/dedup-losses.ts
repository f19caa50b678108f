/**
 * What a deduplicator has lost (an id evicted, forgotten, or its remembered time replaced), by
 * event time. Between a mark and now, if nothing was lost whose event time is near a time range,
 * any two copies of an event in that range that were both admitted would have been caught: the
 * flusher relies on that to skip re-reading this process's own files of a time partition.
 */
export interface DedupMark {
  readonly losses: DedupLosses;
  readonly generation: number;
}

/** Buckets of event time kept before the oldest are folded into one floor. */
const MAX_BUCKETS = 4096;

export class DedupLosses {
  private generation = 0;
  /** Event-time bucket → the generation of its latest loss. */
  private readonly latest = new Map<number, number>();
  /** The latest generation of buckets folded away: any bucket without an entry may have lost up to it. */
  private floor = 0;
  private readonly bucketMs: number;

  /** `windowMs`: the dedup window; a loss matters to times within it. */
  constructor(private readonly windowMs: number) {
    this.bucketMs = Math.max(windowMs, 60_000);
  }

  /** An id with event time `timeMs` is no longer known. */
  note(timeMs: number): void {
    this.generation++;
    const bucket = Number.isFinite(timeMs) ? Math.floor(timeMs / this.bucketMs) : Number.NaN;
    if (Number.isNaN(bucket)) {
      this.floor = this.generation; // a time we cannot place: every range is affected
      return;
    }
    this.latest.delete(bucket); // re-inserted last: the map stays in order of latest loss
    this.latest.set(bucket, this.generation);
    if (this.latest.size > MAX_BUCKETS) {
      for (const [b, g] of this.latest) {
        if (this.latest.size <= MAX_BUCKETS / 2) break;
        this.floor = Math.max(this.floor, g);
        this.latest.delete(b);
      }
    }
  }

  mark(): DedupMark {
    return { losses: this, generation: this.generation };
  }

  /**
   * True when all `marks` are this history's and nothing was lost since the oldest of them whose
   * event time is within the window of [fromMs, toMs).
   */
  unchangedSince(fromMs: number, toMs: number, ...marks: ReadonlyArray<DedupMark | undefined>): boolean {
    let since = Number.POSITIVE_INFINITY;
    for (const m of marks) {
      if (m === undefined || m.losses !== this) return false;
      since = Math.min(since, m.generation);
    }
    if (this.floor > since) return false;
    const first = Math.floor((fromMs - this.windowMs) / this.bucketMs);
    const last = Math.floor((toMs + this.windowMs) / this.bucketMs);
    if (last - first > this.latest.size) {
      for (const [b, g] of this.latest) if (b >= first && b <= last && g > since) return false;
      return true;
    }
    for (let b = first; b <= last; b++) if ((this.latest.get(b) ?? 0) > since) return false;
    return true;
  }
}

/**
 * Event-time watermarks, one per source partition. A partition's watermark is the highest event
 * time it has delivered minus the allowed out-of-orderness: the point before which Tukang expects
 * no more of its events. The dataset's low watermark is the minimum over partitions that are not
 * idle; an idle partition (no records for the idle timeout) stops holding the others back.
 */
export interface SourceWatermark {
  partition: number;
  /** Highest event time seen, epoch ms; -Infinity before the first event. */
  maxEventTimeMs: number;
  watermarkMs: number;
  /** Wall-clock time of the last record, epoch ms. */
  lastRecordAtMs: number;
  idle: boolean;
}

export class WatermarkTracker {
  private readonly partitions = new Map<number, { maxEventTimeMs: number; lastRecordAtMs: number }>();

  constructor(
    private readonly maxOutOfOrdernessMs: number,
    private readonly idleTimeoutMs: number,
  ) {}

  /** Registers a partition (on assignment) so that it holds the watermark back until it delivers or idles. */
  track(partition: number, nowMs: number, restoredMaxEventTimeMs = Number.NEGATIVE_INFINITY): void {
    if (!this.partitions.has(partition)) this.partitions.set(partition, { maxEventTimeMs: restoredMaxEventTimeMs, lastRecordAtMs: nowMs });
  }

  untrack(partition: number): void {
    this.partitions.delete(partition);
  }

  observe(partition: number, eventTimeMs: number, nowMs: number): void {
    let state = this.partitions.get(partition);
    if (!state) {
      state = { maxEventTimeMs: Number.NEGATIVE_INFINITY, lastRecordAtMs: nowMs };
      this.partitions.set(partition, state);
    }
    if (eventTimeMs > state.maxEventTimeMs) state.maxEventTimeMs = eventTimeMs;
    state.lastRecordAtMs = nowMs;
  }

  /** The watermark of one source partition. */
  watermarkOf(partition: number): number {
    const state = this.partitions.get(partition);
    return state ? state.maxEventTimeMs - this.maxOutOfOrdernessMs : Number.NEGATIVE_INFINITY;
  }

  isIdle(partition: number, nowMs: number): boolean {
    const state = this.partitions.get(partition);
    return state !== undefined && nowMs - state.lastRecordAtMs >= this.idleTimeoutMs;
  }

  snapshot(nowMs: number): SourceWatermark[] {
    return [...this.partitions.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partition, s]) => ({
        partition,
        maxEventTimeMs: s.maxEventTimeMs,
        watermarkMs: s.maxEventTimeMs - this.maxOutOfOrdernessMs,
        lastRecordAtMs: s.lastRecordAtMs,
        idle: nowMs - s.lastRecordAtMs >= this.idleTimeoutMs,
      }));
  }

  partitionsTracked(): number[] {
    return [...this.partitions.keys()].sort((a, b) => a - b);
  }
}

import type { Kafka } from 'kafkajs';
import { LRUCache } from 'lru-cache';
import type { CommitLog } from '../../commit/commit-log.js';
import type { DatasetConfig } from '../../config/schema.js';

export interface ConsumerLag {
  total: number;
  partitions: Array<{ partition: number; lag: number }>;
}

/** Consumer lag of the materializer's group on a topic; null when Kafka cannot tell. */
export interface LagProbe {
  lag(topic: string): Promise<ConsumerLag | null>;
}

/**
 * Lag from Kafka itself (committed offsets of the group vs. the log end), so a catalog-only
 * instance reports the same number as one running beside the materializer. Cached for `ttlMs`
 * because each answer costs two admin round trips.
 */
export class KafkaLagProbe implements LagProbe {
  private readonly cache: LRUCache<string, { value: ConsumerLag | null }>;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    ttlMs: number,
  ) {
    this.cache = new LRUCache({ max: 1_000, ttl: ttlMs });
  }

  async lag(topic: string): Promise<ConsumerLag | null> {
    const cached = this.cache.get(topic);
    if (cached) return cached.value;
    const value = await this.fetch(topic).catch(() => null);
    this.cache.set(topic, { value });
    return value;
  }

  private async fetch(topic: string): Promise<ConsumerLag> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: this.groupId, topics: [topic] })]);
      const committedBy = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      const partitions = ends
        .map((e) => {
          const high = Number(e.high);
          const done = committedBy.get(e.partition) ?? -1;
          // No commit yet: everything from the log start is still to do.
          return { partition: e.partition, lag: Math.max(0, high - (done < 0 ? Number(e.low) : done)) };
        })
        .sort((a, b) => a.partition - b.partition);
      return { total: partitions.reduce((n, p) => n + p.lag, 0), partitions };
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/**
 * The dataset's low watermark from the source checkpoints in S3: the lowest watermark (highest
 * event time seen minus the out-of-orderness bound) among source partitions that still hold
 * completeness back; when all are idle, the highest.
 */
export class WatermarkReader {
  private readonly cache: LRUCache<string, { value: number | null }>;

  constructor(
    private readonly commitLog: CommitLog,
    ttlMs: number,
  ) {
    this.cache = new LRUCache({ max: 1_000, ttl: ttlMs });
  }

  async lowWatermarkMs(dataset: DatasetConfig): Promise<number | null> {
    const cached = this.cache.get(dataset.name);
    if (cached) return cached.value;
    const checkpoints = await this.commitLog.readSourceCheckpoints(dataset.name, dataset.topic);
    const marks = checkpoints
      .filter((c) => c.max_event_time_ms !== null)
      .map((c) => ({ idle: c.idle, ms: (c.max_event_time_ms as number) - dataset.watermark.max_out_of_orderness }));
    const active = marks.filter((m) => !m.idle);
    const value = marks.length === 0 ? null : active.length > 0 ? Math.min(...active.map((m) => m.ms)) : Math.max(...marks.map((m) => m.ms));
    this.cache.set(dataset.name, { value });
    return value;
  }
}

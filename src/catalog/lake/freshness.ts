import { groupProgress } from '../../source/kafka-admin.js';
import type { KafkaClient } from '../../source/kafka-client.js';
import { LRUCache } from 'lru-cache';
import type { CommitLog } from '../../commit/commit-log.js';
import type { DatasetConfig } from '../../config/schema.js';

export interface ConsumerLag {
  total: number;
  partitions: Array<{ partition: number; lag: number }>;
}

/** Why a dataset's consumer lag is null: documented in the OpenAPI document's `consumer_lag_reason`. */
export type LagUnavailable = 'not_configured' | 'kafka_pending' | 'kafka_unavailable';

export interface LagReading {
  lag: ConsumerLag | null;
  /** Null exactly when `lag` is known. */
  reason: LagUnavailable | null;
}

/** Consumer lag of the materializer's group on a topic; never waits long on Kafka. */
export interface LagProbe {
  lag(topic: string): Promise<LagReading>;
}

/** How long a read waits for a first answer from Kafka when none is known yet. */
export const LAG_FIRST_WAIT_MS = 500;

/**
 * Lag from Kafka itself (committed offsets of the group vs. the log end), so a catalog-only
 * instance reports the same number as one running beside the materializer. Each answer costs two
 * admin round trips, so it is reused for `ttlMs`; after that it is still served while a newer one
 * is fetched in the background. A read thus never waits on Kafka, except up to
 * `LAG_FIRST_WAIT_MS` for the very first answer of a topic; when Kafka cannot be reached the lag
 * is null with the reason, and dataset reads stay as fast as S3.
 */
export class KafkaLagProbe implements LagProbe {
  private readonly known = new Map<string, { reading: LagReading; atMs: number }>();
  private readonly fetching = new Map<string, Promise<LagReading>>();

  constructor(
    private readonly kafka: KafkaClient,
    private readonly groupId: string,
    private readonly ttlMs: number,
    private readonly firstWaitMs = LAG_FIRST_WAIT_MS,
  ) {}

  async lag(topic: string): Promise<LagReading> {
    const known = this.known.get(topic);
    const refresh = known && Date.now() - known.atMs < this.ttlMs ? undefined : this.refresh(topic);
    if (known) return known.reading;
    let timer: NodeJS.Timeout | undefined;
    const pending = new Promise<LagReading>((resolve) => {
      timer = setTimeout(() => resolve({ lag: null, reason: 'kafka_pending' }), this.firstWaitMs);
      timer.unref();
    });
    try {
      return await Promise.race([refresh ?? pending, pending]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One fetch per topic at a time; its outcome, success or failure, becomes the known reading. */
  private refresh(topic: string): Promise<LagReading> {
    let running = this.fetching.get(topic);
    if (!running) {
      running = this.fetch(topic)
        .then((lag): LagReading => ({ lag, reason: null }))
        .catch((): LagReading => ({ lag: null, reason: 'kafka_unavailable' }))
        .then((reading) => {
          this.known.set(topic, { reading, atMs: Date.now() });
          this.fetching.delete(topic);
          return reading;
        });
      this.fetching.set(topic, running);
    }
    return running;
  }

  private async fetch(topic: string): Promise<ConsumerLag> {
    const { ends, committed } = await groupProgress(this.kafka, this.groupId, topic);
    const partitions = ends
      .map((e) => {
        // No commit yet: everything from the log start is still to do.
        const done = committed.get(e.partition) ?? e.low;
        return { partition: e.partition, lag: Math.max(0, e.high - done) };
      })
      .sort((a, b) => a.partition - b.partition);
    return { total: partitions.reduce((n, p) => n + p.lag, 0), partitions };
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

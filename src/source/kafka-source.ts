import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { SourceRecord } from '../core/records.js';
import type { Logger } from '../log/logger.js';
import { describeError } from '../errors/catalogue.js';
import { isRetryableKafkaError } from './kafka-retry.js';

export interface SourceHandler {
  /**
   * A partition was assigned (or delivered its first batch since); `fromOffset` is where reading
   * starts and `logEndOffset` where its log ended then (the backlog lies between them).
   */
  onAssigned(topic: string, partition: number, fromOffset: number, logEndOffset: number): Promise<void>;
  /** Partitions this member no longer owns after a rebalance. */
  onRevoked(topic: string, partitions: number[]): void;
  /** One fetched batch, in offset order. May wait: fetching for this partition waits with it (backpressure). */
  onBatch(topic: string, partition: number, records: SourceRecord[], highWatermark: number, heartbeat: () => Promise<void>): Promise<void>;
  /** The consumer crashed and cannot be replaced (a non-retryable error): nothing is consumed any more. */
  onFailed?(err: unknown): void;
}

/** Where reading a partition starts, and where its log ended when that was read. */
interface ReadStart {
  from: number;
  end: number;
}

export interface KafkaSourceOptions {
  groupId: string;
  topics: string[];
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  /** Bytes one fetch may return; fetched records sit in memory beside the buffers. */
  fetchMaxBytes: number;
  /** Partitions whose batches are handled at once (default 1); each partition's batches stay in order. */
  partitionsConsumedConcurrently?: number;
}

/**
 * The Kafka side of the pipeline, behind a small interface: kafkajs consumer-group membership,
 * batches handed to the handler, and manual offset commits. Auto-commit is off: offsets are
 * committed only through commit(), which the materializer calls with what is durable in S3.
 */
export class KafkaSource {
  private consumer: Consumer;
  private readonly admin: Admin;
  private stopping = false;
  private restarting: Promise<void> | undefined;
  private readonly assigned = new Map<string, Set<number>>();
  /** Assignments being set up (recovery reads S3 first); batches of that partition wait for it. */
  private readonly assigning = new Map<string, Promise<void>>();
  private readonly committed = new Map<string, number>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaSourceOptions,
    private readonly handler: SourceHandler,
    private readonly logger: Logger,
  ) {
    this.consumer = this.createConsumer();
    this.admin = kafka.admin();
  }

  private createConsumer(): Consumer {
    const options = this.options;
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(options.sessionTimeoutMs / 3)),
      // kafkajs heartbeats from its fetch loop: a long-polling fetch must end well within the session.
      maxWaitTimeInMs: Math.min(5_000, Math.floor(options.sessionTimeoutMs / 3)),
      allowAutoTopicCreation: false,
      maxBytesPerPartition: Math.min(4 * 1024 * 1024, options.fetchMaxBytes),
      maxBytes: options.fetchMaxBytes,
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.onGroupJoin(event.payload.memberAssignment));
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart || this.stopping) return;
      // kafkajs gave up and will not restart this consumer (seen when a broker restart outlasted
      // its retries): without this, the service would stay up but never consume again.
      this.logger.error({ err: describeError(event.payload.error) }, 'Kafka consumer crashed and kafkajs will not restart it; starting a new one');
      this.restarting ??= this.restart().finally(() => (this.restarting = undefined));
    });
    return consumer;
  }

  /**
   * Replaces a crashed consumer. Everything it owned is treated as revoked first (buffers are
   * dropped; their offsets were never committed), exactly as for a process restart, so that no
   * state from before the crash meets an assignment made while this member was gone.
   */
  private async restart(): Promise<void> {
    for (const [topic, owned] of this.assigned) {
      const revoked = [...owned];
      owned.clear();
      if (revoked.length > 0) this.handler.onRevoked(topic, revoked);
    }
    this.assigning.clear();
    this.committed.clear();
    for (let attempt = 0; !this.stopping; attempt++) {
      await this.consumer.disconnect().catch(() => undefined);
      this.consumer = this.createConsumer();
      try {
        await this.start();
        this.logger.info({ attempt }, 'Kafka consumer restarted');
        return;
      } catch (err) {
        if (!isRetryableKafkaError(err)) {
          // Trying again cannot help (bad credentials, a code that says so): say it once and stop.
          this.logger.error({ attempt, err: describeError(err) }, 'restarting the Kafka consumer failed for a reason that is not retryable; giving up');
          this.handler.onFailed?.(err);
          return;
        }
        this.logger.warn({ attempt, err: describeError(err) }, 'restarting the Kafka consumer failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(15_000, 1_000 * 2 ** attempt)));
      }
    }
  }

  /** Resolves once every topic exists; until then it says so in the log every `pollMs`. */
  async waitForTopics(pollMs: number, stopped: () => boolean): Promise<void> {
    await this.admin.connect();
    for (;;) {
      const existing = new Set(await this.admin.listTopics());
      const missing = this.options.topics.filter((t) => !existing.has(t));
      if (missing.length === 0 || stopped()) return;
      this.logger.warn({ missing }, 'waiting for topics to exist');
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Commits offsets (the next offset to read, per partition) for partitions this member still owns. */
  async commit(topic: string, offsets: Map<number, number>): Promise<void> {
    const owned = this.assigned.get(topic);
    const toCommit: Array<{ topic: string; partition: number; offset: string }> = [];
    for (const [partition, offset] of offsets) {
      // Never commit for a partition after it was revoked: its new owner decides from now on.
      if (!owned?.has(partition)) continue;
      const key = `${topic}/${partition}`;
      if (this.committed.get(key) === offset) continue;
      toCommit.push({ topic, partition, offset: String(offset) });
    }
    if (toCommit.length === 0) return;
    try {
      await this.consumer.commitOffsets(toCommit);
      for (const c of toCommit) this.committed.set(`${c.topic}/${c.partition}`, Number(c.offset));
    } catch (err) {
      // A rebalance in progress rejects commits; what is durable is committed again next time.
      this.logger.warn({ err: describeError(err) }, 'offset commit failed; will retry');
    }
  }

  /** Stops fetching (a batch being handled finishes) while staying in the group. */
  pause(): void {
    this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.stop();
  }

  async disconnect(): Promise<void> {
    this.stopping = true;
    await this.restarting;
    await this.consumer.disconnect();
    await this.admin.disconnect();
  }

  /** Number of partitions of each topic, from the cluster's metadata. */
  async partitionCounts(): Promise<Map<string, number>> {
    const metadata = await this.admin.fetchTopicMetadata({ topics: this.options.topics });
    return new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
  }

  /**
   * Sets a partition up once. `start` says where reading starts (the group's committed offset,
   * or the configured start of the log when the group has none) and where the log ends now.
   */
  private ensureAssigned(topic: string, partition: number, start: () => Promise<ReadStart>): Promise<void> {
    const key = `${topic}/${partition}`;
    let pending = this.assigning.get(key);
    if (!pending) {
      pending = (async () => {
        const { from, end } = await start();
        await this.handler.onAssigned(topic, partition, from, end);
        let owned = this.assigned.get(topic);
        if (!owned) {
          owned = new Set();
          this.assigned.set(topic, owned);
        }
        owned.add(partition);
      })();
      this.assigning.set(key, pending);
      pending.catch(() => this.assigning.delete(key));
    }
    return pending;
  }

  /** Where reading starts in each partition of a topic, and where its log ends now: one round trip for the topic. */
  private async startOffsets(topic: string): Promise<(partition: number) => ReadStart> {
    const [committed, offsets] = await Promise.all([this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] }), this.admin.fetchTopicOffsets(topic)]);
    return (partition) => {
      const offset = Number(committed[0]?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
      const bounds = offsets.find((p) => p.partition === partition);
      const end = Number(bounds?.high ?? 0);
      if (offset >= 0) return { from: offset, end };
      return { from: this.options.fromBeginning ? Number(bounds?.low ?? 0) : end, end };
    };
  }

  private onGroupJoin(assignment: Record<string, number[]>): void {
    for (const [topic, owned] of this.assigned) {
      const now = new Set(assignment[topic] ?? []);
      const revoked = [...owned].filter((p) => !now.has(p));
      if (revoked.length > 0) {
        for (const p of revoked) {
          owned.delete(p);
          this.committed.delete(`${topic}/${p}`);
          this.assigning.delete(`${topic}/${p}`);
        }
        this.handler.onRevoked(topic, revoked);
      }
    }
    this.logger.info({ assignment }, 'consumer group assignment');
    // Partitions without records must still be tracked: their checkpoints let partitions complete.
    for (const [topic, partitions] of Object.entries(assignment)) {
      let starts: Promise<(partition: number) => ReadStart> | undefined;
      const startOf = async (p: number): Promise<ReadStart> => (await (starts ??= this.startOffsets(topic)))(p);
      for (const p of partitions) {
        this.ensureAssigned(topic, p, () => startOf(p)).catch((err: unknown) => this.logger.warn({ topic, partition: p, err: describeError(err) }, 'setting up partition failed; retried on its first batch'));
      }
    }
  }

  private async eachBatch({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const { topic, partition } = batch;
    const known = { from: Number(batch.firstOffset() ?? batch.messages[0]?.offset ?? 0), end: Number(batch.highWatermark) };
    await this.ensureAssigned(topic, partition, () => Promise.resolve(known));
    const records: SourceRecord[] = batch.messages.map((m) => ({
      topic,
      partition,
      offset: Number(m.offset),
      timestampMs: Number(m.timestamp),
      key: m.key ?? null,
      value: m.value ?? null,
    }));
    await this.handler.onBatch(topic, partition, records, Number(batch.highWatermark), heartbeat);
  }
}

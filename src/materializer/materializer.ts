import type { KafkaClient } from '../source/kafka-client.js';
import type { TukangConfig } from '../config/schema.js';
import type { SourceRecord } from '../core/records.js';
import { CommitLog } from '../commit/commit-log.js';
import type { FilePlacement } from '../commit/file-placement.js';
import type { CommitListener } from '../commit/commit-listener.js';
import { resolveSchema } from '../cleansing/schema/resolve-schema.js';
import { describeError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import type { Component } from '../core/component.js';
import { KafkaSource, type SourceHandler } from '../source/kafka-source.js';
import { isRetryableKafkaError } from '../source/kafka-retry.js';
import { readOffsets } from '../source/range-reader.js';
import type { ObjectStore } from '../storage/object-store.js';
import { LakeLayout } from '../lake/lake-layout.js';
import { ParquetEncoderPool } from '../writing/parquet/encoder-pool.js';
import { RowWorkerPool } from '../writing/rows/worker-row-store.js';
import type { DatasetPipeline } from './dataset-pipeline.js';
import { buildPipeline } from './build-pipeline.js';
import { dedupBytesPerPipeline } from './pipeline-dedup.js';
import { shedOverBudget } from './memory-budget.js';
import { Compactor } from '../compaction/compactor.js';
import { ReplayStore } from '../replay/replay-store.js';
import { FlushSlots } from '../buffering/flush-slots.js';
import { adviseOnMemorySettings, fetchMaxBytesFor } from './runtime-memory.js';

/**
 * Runs every configured dataset: one Kafka consumer (one group) feeding one pipeline per topic,
 * a clock tick for time-driven work, and the memory budget shared by all pipelines.
 */
export class Materializer implements Component, SourceHandler {
  readonly name = 'materializer';
  readonly pipelines = new Map<string, DatasetPipeline>();
  private readonly compactors = new Map<string, Compactor>();
  private readonly encoder: ParquetEncoderPool;
  private readonly rowWorkers: RowWorkerPool | undefined;
  private readonly source: KafkaSource;
  private readonly budgetBytes: number;
  private readonly placement: FilePlacement;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  /** The offset commit running now, and whether another was asked for meanwhile (see commitSoon). */
  private committing: Promise<void> | undefined;
  private commitAgain = false;
  private starting: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly config: TukangConfig,
    kafka: KafkaClient,
    store: ObjectStore,
    private readonly logger: Logger,
    /** Told of every committed partition change (the Iceberg committer). */
    listener?: CommitListener,
  ) {
    this.budgetBytes = config.materializer.memory_budget_mb * 1024 * 1024;
    this.encoder = new ParquetEncoderPool(config.materializer.encode_workers);
    const rowWorkerCount = config.materializer.row_workers;
    this.rowWorkers = rowWorkerCount > 0 ? new RowWorkerPool(rowWorkerCount, { onLost: (err) => this.rowWorkerLost(err) }) : undefined;
    const layout = new LakeLayout(config.s3.prefix);
    const commitLog = new CommitLog(store, layout, config.s3.bucket, listener);
    commitLog.openListReuseMs = config.materializer.open_list_interval;
    commitLog.placement.deferStagedDeletes();
    this.placement = commitLog.placement;
    // Files are encoded by the row workers when there are any, else by the encode workers.
    const flushSlots = new FlushSlots((rowWorkerCount > 0 ? rowWorkerCount : config.materializer.encode_workers) * 2 + 2);
    const dedupMaxBytes = dedupBytesPerPipeline(this.budgetBytes, config.datasets.length);
    for (const dataset of config.datasets) {
      const schema = resolveSchema(dataset);
      let compactor: Compactor | undefined;
      const pipeline = buildPipeline(
        { dataset, schema, encoder: this.encoder, store, commitLog, layout, logger, ...(this.rowWorkers ? { rowWorkers: this.rowWorkers } : {}) },
        {
          flushSlots,
          dedupMaxBytes,
          reread: (partition, offsets) => readOffsets(kafka, dataset.topic, partition, offsets),
          checkpointIntervalMs: config.materializer.checkpoint_interval,
          flushSettled: () => void this.commitSoon(),
          markCompaction: async (name, path) => compactor?.mark(name, path),
          requestCompaction: (name, path) => compactor?.request(name, path),
        },
      );
      const compactionDeps = { dataset, schema, store, commitLog, layout, locks: new ReplayStore(store, layout) };
      compactor = new Compactor(compactionDeps, pipeline.counters, logger.child({ component: 'compactor', dataset: dataset.name }));
      this.compactors.set(dataset.topic, compactor);
      this.pipelines.set(dataset.topic, pipeline);
    }
    this.source = new KafkaSource(
      kafka,
      {
        groupId: config.kafka.group_id,
        topics: [...this.pipelines.keys()],
        fromBeginning: config.kafka.start_from === 'earliest',
        sessionTimeoutMs: config.kafka.session_timeout,
        fetchMaxBytes: fetchMaxBytesFor(this.budgetBytes),
        // While one partition's batch is being decoded in a row worker, others' can be routed.
        partitionsConsumedConcurrently: Math.max(1, rowWorkerCount * 2),
      },
      this,
      logger.child({ component: 'source' }),
    );
  }

  async start(): Promise<void> {
    if (this.pipelines.size === 0) {
      this.logger.warn('no datasets configured; the materializer has nothing to do');
      return;
    }
    adviseOnMemorySettings(this.budgetBytes, this.logger);
    // Topics may not exist yet (their producers create them): the service starts anyway, serves
    // the catalog, and begins consuming once they appear.
    this.starting = this.startConsuming().catch((err: unknown) => {
      this.logger.error({ err: describeError(err) }, 'the materializer could not start consuming');
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
  }

  private async startConsuming(): Promise<void> {
    await this.source.waitForTopics(5_000, () => this.stopping);
    if (this.stopping) return;
    for (let attempt = 1; ; attempt++) {
      try {
        const counts = await this.source.partitionCounts();
        for (const [topic, pipeline] of this.pipelines) pipeline.setPartitionCount(counts.get(topic) ?? 0);
        await this.source.start();
        break;
      } catch (err) {
        // Metadata of a topic created a moment ago can lag behind (UNKNOWN_TOPIC_OR_PARTITION).
        if (attempt >= 10 || this.stopping || !isRetryableKafkaError(err, false)) throw err;
        this.logger.warn({ attempt, err: describeError(err) }, 'subscribing failed; retrying');
        await this.source.stop().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
    this.timer = setInterval(() => {
      this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
    }, this.config.materializer.tick_interval);
    this.logger.info({ topics: [...this.pipelines.keys()] }, 'consuming');
    for (const [topic, compactor] of this.compactors) {
      const dataset = this.config.datasets.find((d) => d.topic === topic);
      if (!dataset) continue;
      const names = dataset.late_data === 'side_table' ? [dataset.name, `${dataset.name}_late`] : [dataset.name];
      compactor.resume(names).catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'listing unfinished compactions failed'));
    }
  }

  async stop(): Promise<void> {
    if (this.pipelines.size === 0) return;
    this.stopping = true;
    await this.starting;
    clearInterval(this.timer);
    // Finish what is in flight while still a group member: leaving first would hand the
    // partitions to another instance while these files are still being committed.
    this.source.pause();
    await this.ticking;
    for (const compactor of this.compactors.values()) await compactor.stop();
    for (const pipeline of this.pipelines.values()) await pipeline.close();
    await this.commitSoon();
    await this.source.stop();
    await this.source.disconnect();
    await this.placement.settle().catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'deleting staged copies of published files failed; gc finds them'));
    await this.encoder.close();
    await this.rowWorkers?.close();
  }

  /**
   * A row worker died with the values of rows that are buffered nowhere else. No offset past them
   * has been committed (their buffers are still in the table), so stopping at once, before any
   * flush or commit can pass them, lets Kafka deliver them again to the next run.
   */
  private rowWorkerLost(err: Error): void {
    this.logger.fatal({ err: describeError(err) }, 'a row worker died with buffered rows; exiting so that Kafka delivers them again');
    process.exit(70);
  }

  // ---- SourceHandler --------------------------------------------------------------------------

  async onAssigned(topic: string, partition: number, fromOffset: number, logEndOffset: number): Promise<void> {
    await this.pipelines.get(topic)?.assign(partition, fromOffset, logEndOffset);
  }

  onRevoked(topic: string, partitions: number[]): void {
    this.pipelines.get(topic)?.revoke(partitions);
    this.logger.info({ topic, partitions }, 'partitions revoked; their unflushed buffers are dropped');
  }

  async onBatch(topic: string, partition: number, records: SourceRecord[], highWatermark: number, heartbeat: () => Promise<void>): Promise<void> {
    const pipeline = this.pipelines.get(topic);
    if (!pipeline) return;
    await pipeline.processBatch(partition, records, highWatermark);
    await this.admit(pipeline, heartbeat);
  }

  /**
   * Backpressure. Over budget (buffers, dead letters and dedup indexes: memory-budget.ts), the
   * largest open buffers are flushed early; while the files on their way to S3 alone exceed the
   * budget (S3 slow or down), this waits, and with it the fetch of this partition: consumption
   * pauses instead of memory growing.
   */
  private async admit(pipeline: DatasetPipeline, heartbeat: () => Promise<void>): Promise<void> {
    shedOverBudget([...this.pipelines.values()], this.budgetBytes);
    // Waiting here stops this partition's fetch loop, which is also where kafkajs heartbeats:
    // keep heartbeating so that a slow S3 does not cost the group membership.
    const beat = setInterval(() => void heartbeat().catch(() => undefined), 1_000);
    try {
      await pipeline.waitForFlushes();
      await this.waitForInFlightBelowBudget(heartbeat);
    } finally {
      clearInterval(beat);
    }
  }

  private async waitForInFlightBelowBudget(heartbeat: () => Promise<void>): Promise<void> {
    while (this.inFlightBytes() > this.budgetBytes * 0.9) {
      await Promise.race([...this.pipelines.values()].map((p) => p.waitForFlushes(true)).concat(new Promise<void>((r) => setTimeout(r, 1_000))));
      await heartbeat().catch(() => undefined);
    }
  }

  private inFlightBytes(): number {
    let bytes = 0;
    for (const p of this.pipelines.values()) bytes += p.inFlightBytes();
    return bytes;
  }

  private async tick(): Promise<void> {
    for (const pipeline of this.pipelines.values()) {
      try {
        await pipeline.tick();
      } catch (err) {
        this.logger.warn({ dataset: pipeline.name, err: describeError(err) }, 'tick failed');
      }
    }
    await this.commitSoon();
  }

  /**
   * Commits the committable offsets now (a flush settled, or the tick), one commit at a time: a
   * request made while one runs is served by one more commit after it, which reads the offsets
   * then. Kafka learns freed offsets right after the flush instead of at the next tick.
   */
  private commitSoon(): Promise<void> {
    if (this.committing) {
      this.commitAgain = true;
      return this.committing;
    }
    const run = async (): Promise<void> => {
      do {
        this.commitAgain = false;
        await this.commitOffsets().catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'offset commit failed; will retry'));
      } while (this.commitAgain);
    };
    this.committing = run().finally(() => (this.committing = undefined));
    return this.committing;
  }

  /** Kafka learns only what S3 already holds: offsets of data in buffers or in flight stay uncommitted. */
  private async commitOffsets(): Promise<void> {
    for (const [topic, pipeline] of this.pipelines) await this.source.commit(topic, pipeline.committableOffsets());
  }
}

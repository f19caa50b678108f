import type { SourceRecord } from '../core/records.js';
import { BufferTable } from '../buffering/buffer-table.js';
import { RecordRouter, type RoutingBatch, type RoutingRules } from '../buffering/record-router.js';
import { partitionLength } from '../cleansing/time-partition.js';
import { WatermarkTracker } from '../cleansing/watermark-tracker.js';
import { assignSourcePartition, revokeSourcePartitions } from './assignment.js';
import { completePartitions, publishCheckpoints } from './completeness-io.js';
import { DatasetCounters } from './dataset-counters.js';
import { addRejected, writeDeadLetters } from './dead-letters.js';
import { holdDuplicate } from './duplicate-buffers.js';
import { FlushScheduler } from './flush-scheduler.js';
import { pipelineDeduplicator } from './pipeline-dedup.js';
import { dueAfter, dueBuffers, largestToShed } from './flush-triggers.js';
import { isSourceIdle, sideTableOf, type PipelineContext, type PipelineDeps, type SourceState } from './pipeline-context.js';

export type { PipelineDeps } from './pipeline-context.js';
export { completedThrough } from './completeness.js';

/**
 * The write path of one dataset, tying its parts together: records are routed into buffers
 * (buffering/record-router), buffers are written by the flush scheduler, rejects go to dead
 * letters, checkpoints and completion follow the watermarks (completeness-io), and the buffer
 * table says which offsets Kafka may learn. It is driven by the source (processBatch), by the
 * clock (tick), and by rebalances (assign, revoke).
 */
export class DatasetPipeline {
  readonly counters = new DatasetCounters();
  private readonly ctx: PipelineContext;
  private readonly router: RecordRouter;
  private readonly flushes: FlushScheduler;
  private partitionCount = 0;
  /** The last batch being processed per source partition: the next one waits for it. */
  private readonly batchesInFlight = new Map<number, Promise<void>>();

  constructor(deps: PipelineDeps) {
    const { dataset } = deps;
    const w = dataset.watermark;
    const table = new BufferTable(deps.rows);
    const dedup = pipelineDeduplicator(deps, this.counters);
    this.ctx = {
      deps,
      dataset,
      counters: this.counters,
      table,
      sources: new Map(),
      watermarks: new WatermarkTracker(w.max_out_of_orderness, w.idle_timeout),
      dedup,
      clock: deps.clock ?? Date.now,
      timing: { partitionMs: partitionLength(dataset.partitioning.granularity), lateness: w.allowed_lateness, lateBatchWindow: dataset.files.late_batch_window, maxBufferAge: dataset.files.max_buffer_age },
    };
    this.router = new RecordRouter(dataset, deps.rows, dedup, table);
    this.flushes = new FlushScheduler(this.ctx, deps.maxInFlight ?? 4, deps.flushSlots);
  }

  get name(): string {
    return this.ctx.dataset.name;
  }

  /** The late-data side table of this dataset (late_data: side_table). */
  get sideTable(): string {
    return sideTableOf(this.ctx.dataset);
  }

  /** How many partitions the topic has; completeness waits for a checkpoint from each. */
  setPartitionCount(count: number): void {
    this.partitionCount = count;
  }

  /** Takes ownership of a source partition read from `committedOffset`, its log ending at `logEndOffset` (recovery: see assignment.ts). */
  async assign(sourcePartition: number, committedOffset: number, logEndOffset = committedOffset): Promise<void> {
    await assignSourcePartition(this.ctx, sourcePartition, committedOffset, logEndOffset);
  }

  /** Gives up source partitions: their unflushed buffers are dropped; the next owner reads them again. */
  revoke(sourcePartitions: number[]): void {
    revokeSourcePartitions(this.ctx, sourcePartitions);
  }

  assignedPartitions(): number[] {
    return [...this.ctx.sources.keys()].sort((a, b) => a - b);
  }

  /**
   * Processes one fetched batch of a source partition, in offset order. Decoding happens in the
   * row store (a worker thread, with row workers), so this awaits it; batches of one source
   * partition are processed one after the other even when a caller does not wait.
   */
  processBatch(sourcePartition: number, records: SourceRecord[], highWatermark: number): Promise<void> {
    const previous = this.batchesInFlight.get(sourcePartition);
    const run = (previous ?? Promise.resolve()).then(() => this.processInOrder(sourcePartition, records, highWatermark));
    const tail = run.catch(() => undefined);
    this.batchesInFlight.set(sourcePartition, tail);
    void tail.then(() => {
      if (this.batchesInFlight.get(sourcePartition) === tail) this.batchesInFlight.delete(sourcePartition);
    });
    return run;
  }

  private async processInOrder(sourcePartition: number, records: SourceRecord[], highWatermark: number): Promise<void> {
    const source = this.ctx.sources.get(sourcePartition);
    if (!source) return; // revoked while the batch was in flight
    source.highWatermark = Math.max(source.highWatermark, highWatermark);
    const fresh = records.filter((r) => r.offset >= source.nextOffset); // a re-delivery after a seek
    if (fresh.length > 0) {
      const now = this.ctx.clock();
      const batch = await this.router.decode(fresh, sourcePartition, now);
      try {
        // Revoked (or revoked and assigned again) while it was decoded: the next owner reads it again.
        if (this.ctx.sources.get(sourcePartition) === source) this.routeBatch(batch, sourcePartition, source, now);
      } finally {
        this.router.place(batch);
      }
    }
    this.flushDue(sourcePartition);
  }

  private routeBatch(batch: RoutingBatch, sourcePartition: number, source: SourceState, now: number): void {
    const rules = this.rulesFor(sourcePartition, source, now);
    for (let i = 0; i < batch.records.length; i++) {
      const record = batch.records[i] as SourceRecord;
      if (record.offset < source.nextOffset) continue; // out of order inside the batch: already seen
      source.nextOffset = record.offset + 1;
      this.counters.consumed++;
      if (source.coverage !== undefined && record.offset > source.coverage.lastCoveredOffset) source.coverage = undefined;
      const routed = this.router.route(batch, i, sourcePartition, now, rules);
      switch (routed.kind) {
        case 'rejected':
          if (source.coverage?.coversDeadLetter(record.offset)) this.counters.recoveredSkips++;
          else addRejected(this.ctx, source, sourcePartition, record, routed.reason, routed.message, now);
          break;
        case 'skipped':
          this.counters.recoveredSkips++;
          break;
        case 'duplicate':
          this.counters.duplicates++;
          holdDuplicate(this.ctx, routed, sourcePartition, record.offset, now, rules);
          break;
        case 'buffered':
          if (routed.full) this.flushes.start(routed.buffer);
          break;
      }
    }
  }

  /** Live ingestion's routing rules: watermarks advance, re-reads of durable rows are skipped, late buffers are marked. */
  private rulesFor(p: number, source: SourceState, now: number): RoutingRules {
    const { watermarks, timing } = this.ctx;
    return {
      admit: (record, eventTimeMs, path) => {
        watermarks.observe(p, eventTimeMs, now);
        // Already durable: a row of a committed file, or a duplicate dropped inside its offset
        // range. Its id is not remembered: for a duplicate whose first copy (in another source
        // partition) was still buffered when the process died, that copy is read again and must
        // be written. Later copies of a committed row are dropped at commit (FileFlusher).
        return !source.coverage?.coversFile(path, record.offset);
      },
      // A buffer opened for a time partition this source partition already flushed holds late rows.
      isLate: (startMs) => dueAfter(startMs, timing) <= watermarks.watermarkOf(p),
    };
  }

  /** Periodic work: idle partitions, due buffers, dead letters, checkpoints and completeness. */
  async tick(): Promise<void> {
    const now = this.ctx.clock();
    for (const [p, source] of this.ctx.sources) {
      if (isSourceIdle(this.ctx, p, source, now)) for (const b of this.ctx.table.openBuffers(p)) this.flushes.start(b);
      else this.flushDue(p);
      await writeDeadLetters(this.ctx, p, source);
    }
    await publishCheckpoints(this.ctx, now);
    await completePartitions(this.ctx, this.partitionCount);
  }

  /** Bytes held in open and in-flight buffers and in unwritten dead letters. */
  bufferedBytes(): number {
    let bytes = this.ctx.table.openBytes() + this.ctx.table.inFlightBytes();
    for (const s of this.ctx.sources.values()) {
      bytes += s.deadLetters?.approxBytes ?? 0;
      for (const b of s.deadLettersToWrite) bytes += b.approxBytes;
    }
    return bytes;
  }

  /** Bytes of the dedup index; the memory budget counts them beside the buffered bytes (memory-budget.ts). */
  dedupBytes(): number {
    return this.ctx.dedup.bytes;
  }

  inFlightBytes(): number {
    return this.ctx.table.inFlightBytes();
  }

  /** Flushes the largest open buffers early until `bytesToFree` are on their way out (memory pressure). */
  shedLargest(bytesToFree: number): number {
    let freed = 0;
    for (const buffer of largestToShed(this.ctx.table.openBuffers(), bytesToFree)) {
      freed += buffer.approxBytes;
      this.counters.earlyFlushes++;
      this.flushes.start(buffer);
    }
    return freed;
  }

  /** Resolves when fewer files than the limit are in flight (or none, with `all`). */
  async waitForFlushes(all = false): Promise<void> {
    await this.flushes.waitForFlushes(all);
  }

  /**
   * The offset up to which each source partition is durable: the first offset still in a buffer,
   * in flight, or in an unwritten dead-letter batch; otherwise the next offset to read.
   */
  committableOffsets(): Map<number, number> {
    const upTo = new Map<number, number>();
    for (const [p, s] of this.ctx.sources) upTo.set(p, s.deadLettersToWrite[0]?.firstOffset ?? s.deadLetters?.firstOffset ?? s.nextOffset);
    return this.ctx.table.committableOffsets(upTo);
  }

  sourceStats(): Array<{ partition: number; next_offset: number; high_watermark: number; lag: number; watermark_ms: number; idle: boolean }> {
    const now = this.ctx.clock();
    return [...this.ctx.sources.entries()].map(([p, s]) => ({
      partition: p,
      next_offset: s.nextOffset,
      high_watermark: s.highWatermark,
      lag: Math.max(0, s.highWatermark - s.nextOffset),
      watermark_ms: this.ctx.watermarks.watermarkOf(p),
      idle: isSourceIdle(this.ctx, p, s, now),
    }));
  }

  /** Stops taking work; waits for in-flight files. Open buffers are abandoned: their offsets were never committed. */
  async close(): Promise<void> {
    await this.flushes.close();
  }

  /** Starts the flushes of a source partition's buffers that its watermark made due. */
  private flushDue(sourcePartition: number): void {
    const watermark = this.ctx.watermarks.watermarkOf(sourcePartition);
    for (const b of dueBuffers(this.ctx.table.openBuffers(sourcePartition), watermark, this.ctx.clock(), this.ctx.timing)) this.flushes.start(b);
  }
}

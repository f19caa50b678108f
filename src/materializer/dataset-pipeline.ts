import { setTimeout as sleep } from 'node:timers/promises';
import type { DatasetConfig } from '../config/schema.js';
import type { SourceRecord } from '../core/records.js';
import type { ResolvedSchema } from '../core/resolved-schema.js';
import { PartitionBuffer } from '../buffering/partition-buffer.js';
import type { CommitLog } from '../commit/commit-log.js';
import { partitionBounds } from '../lake/hive-path.js';
import type { FileCommit, SourceCheckpoint } from '../lake/metadata-types.js';
import { Deduplicator } from '../cleansing/deduplicator.js';
import type { RecordDecoder } from '../cleansing/decode.js';
import { partitionLength, partitionPath, partitionStart } from '../cleansing/time-partition.js';
import { WatermarkTracker } from '../cleansing/watermark-tracker.js';
import { describeError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import type { ObjectStore } from '../storage/object-store.js';
import { DeadLetterBatch } from '../writing/dead-letter-batch.js';
import type { FileFlusher } from '../writing/file-flusher.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import { DatasetCounters } from './dataset-counters.js';
import { RecoveryCoverage, type CoveredRange } from './recovery-coverage.js';
import { FlushSlots } from '../buffering/flush-slots.js';
import { committedEventIds } from './dedup-recovery.js';

export interface PipelineDeps {
  dataset: DatasetConfig;
  schema: ResolvedSchema;
  decode: RecordDecoder;
  store: ObjectStore;
  commitLog: CommitLog;
  layout: LakeLayout;
  flusher: FileFlusher;
  logger: Logger;
  clock?: () => number;
  /** Files being encoded and uploaded at once, per dataset. */
  maxInFlight?: number;
  /** Shared by all datasets: flushes actually running at once. */
  flushSlots?: FlushSlots;
  dedupMaxEntries?: number;
  /**
   * Around every partition that completes or got a new version: `markCompaction` before its open
   * marker goes (so a crash in between still leaves a request), `requestCompaction` after.
   */
  markCompaction?: (dataset: string, partitionPath: string) => Promise<void>;
  requestCompaction?: (dataset: string, partitionPath: string) => void;
}

interface SourceState {
  /** The next offset to read: everything below was processed. */
  nextOffset: number;
  /** Kafka's high watermark at the last fetch, for lag and the idle rule. */
  highWatermark: number;
  coverage: RecoveryCoverage | undefined;
  /** The batch rejected records are added to now. */
  deadLetters: DeadLetterBatch | undefined;
  /** Batches closed for writing (new rejects go to a new batch meanwhile), oldest first. */
  deadLettersToWrite: DeadLetterBatch[];
  /** Time the last dead letter was added; batches are written at least once per tick. */
  lastPublished: string;
}

const RETRY_BASE_MS = 200;
const RETRY_MAX_MS = 15_000;

/**
 * The write path of one dataset: decode → dedup → watermark → buffer per (time partition, source
 * partition) → flush → commit, and the bookkeeping that makes Kafka offset commits safe. It is
 * driven by the source (processBatch), by the clock (tick), and by rebalances (assign, revoke).
 */
export class DatasetPipeline {
  readonly counters = new DatasetCounters();
  private readonly dataset: DatasetConfig;
  private readonly clock: () => number;
  private readonly watermarks: WatermarkTracker;
  private readonly dedup: Deduplicator;
  private readonly buffers = new Map<string, PartitionBuffer>();
  private readonly bufferDuplicates = new Map<string, number>();
  private readonly timePaths = new Map<number, string>();
  private readonly sources = new Map<number, SourceState>();
  /** Buffers being written, by flush id; they no longer change once their flush starts. */
  private readonly inFlight = new Map<number, PartitionBuffer>();
  private readonly inFlightDone = new Set<Promise<void>>();
  private nextFlushId = 1;
  private readonly lateness: number;
  private readonly partitionMs: number;
  private readonly maxInFlight: number;
  private readonly flushSlots: FlushSlots;
  private closed = false;
  private partitionCount = 0;

  constructor(private readonly deps: PipelineDeps) {
    this.dataset = deps.dataset;
    this.clock = deps.clock ?? Date.now;
    const w = deps.dataset.watermark;
    this.watermarks = new WatermarkTracker(w.max_out_of_orderness, w.idle_timeout);
    this.dedup = new Deduplicator(w.dedup_window, deps.dedupMaxEntries ?? 2_000_000);
    this.lateness = w.allowed_lateness;
    this.partitionMs = partitionLength(deps.dataset.partitioning.granularity);
    this.maxInFlight = deps.maxInFlight ?? 4;
    this.flushSlots = deps.flushSlots ?? new FlushSlots(4);
  }

  get name(): string {
    return this.dataset.name;
  }

  /** How many partitions the topic has; completeness waits for a checkpoint from each. */
  setPartitionCount(count: number): void {
    this.partitionCount = count;
  }

  /**
   * Takes ownership of a source partition whose records will be read from `committedOffset`.
   * Builds the recovery coverage from what S3 already holds past that offset, and repairs any
   * commit whose commit-record step did not happen (a crash after the partition-state write).
   */
  async assign(sourcePartition: number, committedOffset: number): Promise<void> {
    const { dataset, commitLog } = this.deps;
    const commits = await commitLog.commitsFrom(dataset.name, dataset.topic, sourcePartition, committedOffset);
    const deadLetters = await commitLog.deadLetterRangesFrom(dataset.name, dataset.topic, sourcePartition, committedOffset);
    // Also the files that open partitions' states list without a commit record (a crash between
    // the state write and the record): left out of the coverage, their records would be buffered
    // again and their ids remembered, although the flush then drops them as already committed;
    // one that was a duplicate in that file would make the deduplicator drop its other copy (in
    // another source partition, lost in the crash too), and neither would be written. Their
    // commit records are written now, so the coverage of later assignments finds them too.
    const recorded = new Set(commits.map((c) => c.key));
    const unrecorded: Array<{ file: FileCommit; ranges: CoveredRange[] }> = [];
    const datasets = dataset.late_data === 'side_table' ? [dataset.name, this.sideTable] : [dataset.name];
    for (const name of datasets) {
      for (const found of await commitLog.openFilesFrom(name, dataset.topic, sourcePartition, committedOffset)) {
        if (!recorded.has(found.file.key)) unrecorded.push(found);
      }
    }
    let coverage: RecoveryCoverage | undefined;
    if (commits.length > 0 || deadLetters.length > 0 || unrecorded.length > 0) {
      coverage = new RecoveryCoverage();
      for (const c of commits) coverage.addFile(c.partition_path, { first: c.source.first_offset, last: c.source.last_offset });
      for (const { file, ranges } of unrecorded) for (const r of ranges) coverage.addFile(file.partition_path, r);
      for (const r of deadLetters) coverage.addDeadLetters(r);
    }
    // A compacted file (several ranges) has no commit record of its own: its inputs had theirs.
    for (const { file } of unrecorded) if (file.sources === undefined) await commitLog.writeCommitRecord(file, dataset.name);
    // The watermark continues where the previous owner left it, and the deduplicator learns the
    // ids this partition already wrote within the window.
    const checkpoint = await commitLog.readSourceCheckpoint(dataset.name, dataset.topic, sourcePartition);
    const restoredMax = checkpoint?.max_event_time_ms ?? Number.NEGATIVE_INFINITY;
    let seeded = 0;
    if (Number.isFinite(restoredMax)) {
      const horizon = restoredMax - dataset.watermark.dedup_window;
      for await (const { eventId, eventTimeMs } of committedEventIds(this.deps.store, commitLog, dataset.name, dataset.topic, sourcePartition, horizon)) {
        this.dedup.remember(eventId, eventTimeMs);
        seeded++;
      }
    }
    this.sources.set(sourcePartition, {
      nextOffset: committedOffset,
      highWatermark: committedOffset,
      coverage,
      deadLetters: undefined,
      deadLettersToWrite: [],
      lastPublished: '',
    });
    this.watermarks.track(sourcePartition, this.clock(), restoredMax);
    this.deps.logger.info(
      {
        dataset: dataset.name,
        partition: sourcePartition,
        from_offset: committedOffset,
        recovered_files: commits.length,
        recovered_unrecorded_files: unrecorded.length,
        recovered_dead_letter_batches: deadLetters.length,
        dedup_ids_restored: seeded,
      },
      'source partition assigned',
    );
  }

  /** Gives up source partitions: their unflushed buffers are dropped; the next owner reads them again. */
  revoke(sourcePartitions: number[]): void {
    const gone = new Set(sourcePartitions);
    // The deduplicator must forget the ids of rows dropped unwritten: if the partition comes back
    // to this instance before the next owner commits them, they are read again, and remembered
    // ids would turn them into "duplicates" and lose them. (A file an in-flight flush still
    // commits is found by the coverage and the dedup seeding of the next assignment.)
    for (const [key, buffer] of this.buffers) {
      if (gone.has(buffer.sourcePartition)) {
        this.buffers.delete(key);
        this.bufferDuplicates.delete(key);
        for (const id of buffer.eventIds()) this.dedup.forget(id);
      }
    }
    for (const flight of this.inFlight.values()) {
      if (gone.has(flight.sourcePartition)) for (const id of flight.eventIds()) this.dedup.forget(id);
    }
    for (const p of sourcePartitions) {
      this.sources.delete(p);
      this.watermarks.untrack(p);
    }
  }

  assignedPartitions(): number[] {
    return [...this.sources.keys()].sort((a, b) => a - b);
  }

  /** Processes one fetched batch of a source partition, in offset order. */
  processBatch(sourcePartition: number, records: SourceRecord[], highWatermark: number): void {
    const source = this.sources.get(sourcePartition);
    if (!source) return; // revoked while the batch was in flight
    source.highWatermark = Math.max(source.highWatermark, highWatermark);
    const now = this.clock();
    const granularity = this.dataset.partitioning.granularity;
    const fields = this.deps.schema.partitionFields;
    for (const record of records) {
      if (record.offset < source.nextOffset) continue; // a re-delivery after a seek
      source.nextOffset = record.offset + 1;
      this.counters.consumed++;
      const coverage = source.coverage !== undefined && record.offset <= source.coverage.lastCoveredOffset ? source.coverage : undefined;
      if (coverage === undefined && source.coverage !== undefined) source.coverage = undefined;

      const result = this.deps.decode(record);
      if (!result.ok) {
        if (coverage?.coversDeadLetter(record.offset)) {
          this.counters.recoveredSkips++;
          continue;
        }
        source.deadLetters ??= new DeadLetterBatch(this.dataset.name, sourcePartition, record.offset);
        source.deadLetters.add(record, result.reason, result.message, now);
        this.counters.reject(result.reason);
        continue;
      }
      const event = result.event;
      const start = partitionStart(event.eventTimeMs, granularity);
      const path =
        fields.length === 0
          ? this.timePath(start)
          : partitionPath(
              start,
              granularity,
              fields.map((f, i) => ({ name: f.name, value: event.partitionValues[i] ?? '' })),
            );
      this.watermarks.observe(sourcePartition, event.eventTimeMs, now);
      if (coverage?.coversFile(path, record.offset)) {
        // Already durable: a row of a committed file, or a duplicate dropped inside its offset
        // range. Its id is not remembered: for a duplicate whose first copy (in another source
        // partition) was still buffered when the process died, that copy is read again and must
        // be written. Later copies of a committed row are dropped at commit (FileFlusher).
        this.counters.recoveredSkips++;
        continue;
      }
      const key = `${path}|${sourcePartition}`;
      let buffer = this.buffers.get(key);
      if (this.dedup.isDuplicate(event.eventId, event.eventTimeMs)) {
        this.counters.duplicates++;
        if (buffer) {
          buffer.cover(record.offset);
          this.bufferDuplicates.set(key, (this.bufferDuplicates.get(key) ?? 0) + 1);
        }
        continue;
      }
      if (!buffer) {
        buffer = new PartitionBuffer(key, path, start, sourcePartition, record.offset, now);
        buffer.late = this.dueAt(buffer) <= this.watermarks.watermarkOf(sourcePartition);
        this.buffers.set(key, buffer);
      }
      buffer.add(event, record.offset, now, approxEventBytes(record));
      if (buffer.rowCount >= this.dataset.files.target_rows || buffer.approxBytes >= this.dataset.files.target_bytes) {
        this.startFlush(buffer);
      }
    }
    this.flushDue(sourcePartition);
  }

  /** Periodic work: idle partitions, due buffers, dead letters, checkpoints and completeness. */
  async tick(): Promise<void> {
    const now = this.clock();
    for (const [p, source] of this.sources) {
      if (this.isIdle(p, source, now)) this.flushAllOf(p);
      else this.flushDue(p);
      await this.writeDeadLetters(p, source);
    }
    await this.publishCheckpoints(now);
    await this.completePartitions();
  }

  /**
   * The Hive path of a time partition, memoized: formatting a date per record was 3 % of the main
   * thread's time in the benchmark's profile, and a stream touches few distinct hours at once.
   */
  private timePath(startMs: number): string {
    let path = this.timePaths.get(startMs);
    if (path === undefined) {
      if (this.timePaths.size >= 4096) this.timePaths.clear();
      path = partitionPath(startMs, this.dataset.partitioning.granularity);
      this.timePaths.set(startMs, path);
    }
    return path;
  }

  /** Bytes held in open and in-flight buffers. */
  bufferedBytes(): number {
    let bytes = 0;
    for (const b of this.buffers.values()) bytes += b.approxBytes;
    for (const f of this.inFlight.values()) bytes += f.approxBytes;
    for (const s of this.sources.values()) {
      bytes += s.deadLetters?.approxBytes ?? 0;
      for (const b of s.deadLettersToWrite) bytes += b.approxBytes;
    }
    return bytes;
  }

  inFlightBytes(): number {
    let bytes = 0;
    for (const f of this.inFlight.values()) bytes += f.approxBytes;
    return bytes;
  }

  /** Flushes the largest open buffers early until `bytesToFree` are on their way out. */
  shedLargest(bytesToFree: number): number {
    const largest = [...this.buffers.values()].sort((a, b) => b.approxBytes - a.approxBytes);
    let freed = 0;
    for (const buffer of largest) {
      if (freed >= bytesToFree) break;
      freed += buffer.approxBytes;
      this.counters.earlyFlushes++;
      this.startFlush(buffer);
    }
    return freed;
  }

  /** Resolves when fewer files than the limit are in flight (or none, with `all`). */
  async waitForFlushes(all = false): Promise<void> {
    while (this.inFlightDone.size > 0 && (all || this.inFlightDone.size >= this.maxInFlight)) {
      await Promise.race(this.inFlightDone);
    }
  }

  /**
   * The offset up to which each source partition is durable: the first offset still in a buffer,
   * in flight, or in an unwritten dead-letter batch; otherwise the next offset to read.
   */
  committableOffsets(): Map<number, number> {
    const offsets = new Map<number, number>();
    for (const [p, source] of this.sources) {
      offsets.set(p, source.deadLettersToWrite[0]?.firstOffset ?? source.deadLetters?.firstOffset ?? source.nextOffset);
    }
    const lower = (p: number, offset: number): void => {
      const current = offsets.get(p);
      if (current !== undefined && offset < current) offsets.set(p, offset);
    };
    for (const b of this.buffers.values()) lower(b.sourcePartition, b.firstOffset);
    for (const f of this.inFlight.values()) lower(f.sourcePartition, f.firstOffset);
    return offsets;
  }

  sourceStats(): Array<{ partition: number; next_offset: number; high_watermark: number; lag: number; watermark_ms: number; idle: boolean }> {
    const now = this.clock();
    return [...this.sources.entries()].map(([p, s]) => ({
      partition: p,
      next_offset: s.nextOffset,
      high_watermark: s.highWatermark,
      lag: Math.max(0, s.highWatermark - s.nextOffset),
      watermark_ms: this.watermarks.watermarkOf(p),
      idle: this.isIdle(p, s, now),
    }));
  }

  /** Stops taking work; waits for in-flight files. Open buffers are abandoned: their offsets were never committed. */
  async close(): Promise<void> {
    this.closed = true;
    await this.waitForFlushes(true);
  }

  // ---- flushing -------------------------------------------------------------------------------

  private isIdle(p: number, source: SourceState, now: number): boolean {
    // Idle means quiet AND caught up: a partition paused under backpressure is not idle.
    return source.nextOffset >= source.highWatermark && this.watermarks.isIdle(p, now);
  }

  private dueAt(buffer: PartitionBuffer): number {
    return buffer.partitionStartMs + this.partitionMs + this.lateness;
  }

  /**
   * Flushes the buffers whose time partition the source partition's watermark has passed (end plus
   * allowed lateness). Late buffers wait for the late batch window, so that a trickle of late
   * events makes one new partition version rather than one per tick.
   */
  private flushDue(sourcePartition: number): void {
    const watermark = this.watermarks.watermarkOf(sourcePartition);
    const now = this.clock();
    for (const buffer of [...this.buffers.values()]) {
      if (buffer.sourcePartition !== sourcePartition || this.dueAt(buffer) > watermark) continue;
      if (buffer.late && now - buffer.createdAtMs < this.dataset.files.late_batch_window) continue;
      this.startFlush(buffer);
    }
  }

  private flushAllOf(sourcePartition: number): void {
    for (const buffer of [...this.buffers.values()]) if (buffer.sourcePartition === sourcePartition) this.startFlush(buffer);
  }

  private startFlush(buffer: PartitionBuffer): void {
    this.buffers.delete(buffer.key);
    const duplicates = this.bufferDuplicates.get(buffer.key) ?? 0;
    this.bufferDuplicates.delete(buffer.key);
    const id = this.nextFlushId++;
    this.inFlight.set(id, buffer);
    const done = this.flushWithRetry(buffer, duplicates).finally(() => {
      this.inFlight.delete(id);
      this.inFlightDone.delete(done);
    });
    this.inFlightDone.add(done);
  }

  /** Retries with capped exponential backoff and jitter: S3 may be down for minutes; nothing is acknowledged meanwhile. */
  private async flushWithRetry(buffer: PartitionBuffer, duplicates: number): Promise<void> {
    // Ownership is the SourceState object of this assignment: a revoke, or a revoke and a
    // re-assignment, replaces it, and this flush then stops before its next step.
    const owner = this.sources.get(buffer.sourcePartition);
    const stillOwned = (): boolean => owner !== undefined && this.sources.get(buffer.sourcePartition) === owner;
    const release = await this.flushSlots.acquire();
    try {
      await this.flushOwned(buffer, duplicates, stillOwned);
    } finally {
      release();
    }
  }

  private async flushOwned(buffer: PartitionBuffer, duplicates: number, stillOwned: () => boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (!stillOwned()) return; // revoked: the next owner rewrites it
      try {
        const target = await this.targetFor(buffer);
        const result = await this.deps.flusher.flush(buffer, target, duplicates, stillOwned);
        for (const commit of result.commits) this.counters.fileWritten(commit.rows, commit.bytes, commit.late);
        this.counters.duplicates += result.duplicates;
        this.counters.recoveredSkips += result.reread;
        return;
      } catch (err) {
        this.counters.flushRetries++;
        const wait = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt) * (0.5 + Math.random());
        this.deps.logger.warn({ dataset: this.dataset.name, partition_path: buffer.partitionPath, attempt, err: describeError(err), retry_in_ms: Math.round(wait) }, 'flush failed; retrying');
        if (this.closed && attempt >= 2) return; // shutting down: leave it to the next run
        await sleep(wait);
      }
    }
  }

  /** The late-data side table of this dataset (late_data: side_table). */
  get sideTable(): string {
    return `${this.dataset.name}_late`;
  }

  /** Late rows go to the side table when configured so and their partition is already complete. */
  private async targetFor(buffer: PartitionBuffer): Promise<string> {
    if (!buffer.late || this.dataset.late_data !== 'side_table') return this.dataset.name;
    const state = await this.deps.commitLog.readPartition(this.dataset.name, buffer.partitionPath);
    return state?.value.status === 'complete' ? this.sideTable : this.dataset.name;
  }

  private async writeDeadLetters(p: number, source: SourceState): Promise<void> {
    if (source.deadLetters) {
      source.deadLettersToWrite.push(source.deadLetters);
      source.deadLetters = undefined;
    }
    const { commitLog, layout, store } = this.deps;
    while (source.deadLettersToWrite.length > 0 && this.sources.get(p) === source) {
      const batch = source.deadLettersToWrite[0] as DeadLetterBatch;
      try {
        const written = await commitLog.deadLetterRangesFrom(this.dataset.name, this.dataset.topic, p, batch.firstOffset);
        const remaining = batch.remainingAfter(written);
        if (remaining && this.sources.get(p) === source) {
          const key = layout.deadLetterBatch(this.dataset.name, this.dataset.topic, p, remaining.last, remaining.first);
          await store.put(key, remaining.ndjson, { contentType: 'application/x-ndjson' });
          this.counters.deadLetterBatches++;
        }
        source.deadLettersToWrite.shift();
      } catch (err) {
        this.deps.logger.warn({ dataset: this.dataset.name, partition: p, err: describeError(err) }, 'writing dead letters failed; retrying next tick');
        return;
      }
    }
  }

  // ---- completeness ---------------------------------------------------------------------------

  /**
   * What this instance vouches for, per owned source partition: every time partition whose end
   * plus lateness is at or before `flushed_through_ms` has all its rows from this source
   * partition committed.
   */
  private async publishCheckpoints(now: number): Promise<void> {
    for (const [p, source] of this.sources) {
      let through = this.watermarks.watermarkOf(p);
      let pending = false;
      for (const b of this.buffers.values()) {
        // Late rows belong to partitions this source already vouched for; they must not hold newer ones back.
        if (b.sourcePartition === p && !b.late) {
          through = Math.min(through, this.dueAt(b) - 1);
          pending = true;
        }
      }
      for (const f of this.inFlight.values()) {
        if (f.sourcePartition === p) {
          through = Math.min(through, partitionBounds(f.partitionPath).endMs + this.lateness - 1);
          pending = true;
        }
      }
      // Only a partition with nothing pending may stop holding completeness back.
      const idle = !pending && this.isIdle(p, source, now);
      const snapshot = this.watermarks.snapshot(now).find((s) => s.partition === p);
      const checkpoint: SourceCheckpoint = {
        dataset: this.dataset.name,
        topic: this.dataset.topic,
        partition: p,
        flushed_through_ms: Number.isFinite(through) ? through : -1,
        max_event_time_ms: snapshot && Number.isFinite(snapshot.maxEventTimeMs) ? snapshot.maxEventTimeMs : null,
        idle,
        updated_at: '',
      };
      const fingerprint = JSON.stringify(checkpoint);
      if (fingerprint === source.lastPublished) continue;
      try {
        await this.deps.commitLog.writeSourceCheckpoint({ ...checkpoint, updated_at: new Date(now).toISOString() });
        source.lastPublished = fingerprint;
      } catch (err) {
        this.deps.logger.warn({ dataset: this.dataset.name, partition: p, err: describeError(err) }, 'publishing checkpoint failed');
      }
    }
  }

  /** Completes every open partition that all source partitions have flushed past (end + lateness). */
  private async completePartitions(): Promise<void> {
    const { commitLog } = this.deps;
    let open: Array<[string, string]>;
    let checkpoints: SourceCheckpoint[];
    try {
      const datasets = this.dataset.late_data === 'side_table' ? [this.dataset.name, this.sideTable] : [this.dataset.name];
      open = [];
      for (const name of datasets) for (const path of await commitLog.openPartitions(name)) open.push([name, path]);
      if (open.length === 0) return;
      checkpoints = await commitLog.readSourceCheckpoints(this.dataset.name, this.dataset.topic);
    } catch (err) {
      this.deps.logger.warn({ dataset: this.dataset.name, err: describeError(err) }, 'completeness check failed');
      return;
    }
    const through = completedThrough(checkpoints, this.partitionCount);
    if (through === undefined) return;
    const pendingHere = new Set<string>();
    for (const b of this.buffers.values()) pendingHere.add(b.partitionPath);
    for (const f of this.inFlight.values()) pendingHere.add(f.partitionPath);
    for (const [name, path] of open) {
      if (pendingHere.has(path)) continue;
      if (partitionBounds(path).endMs + this.lateness > through) continue;
      try {
        await this.deps.markCompaction?.(name, path);
        const state = await commitLog.completePartition(name, path, this.dataset.name);
        // Completion, late data and a replay switch all leave an open marker: each is a new file set.
        this.deps.requestCompaction?.(name, path);
        if (state) {
          this.counters.partitionsCompleted++;
          this.deps.logger.info({ dataset: name, partition_path: path, rows: state.rows, files: state.files.length, version: state.version }, 'partition complete');
        }
      } catch (err) {
        this.deps.logger.warn({ dataset: this.dataset.name, partition_path: path, err: describeError(err) }, 'completing partition failed; retrying next tick');
      }
    }
  }
}

/**
 * The event time through which every source partition of the topic is durable. Idle partitions
 * do not hold it back; when all are idle, the stream has stopped and everything seen is durable.
 * Undefined while some partition has never reported.
 */
export function completedThrough(checkpoints: SourceCheckpoint[], partitionCount: number): number | undefined {
  if (checkpoints.length === 0 || checkpoints.length < partitionCount) return undefined;
  const active = checkpoints.filter((c) => !c.idle);
  if (active.length === 0) return Math.max(...checkpoints.map((c) => c.flushed_through_ms));
  return Math.min(...active.map((c) => c.flushed_through_ms));
}

/** Memory of a buffered event: its JSON size twice over (decoded values and strings), plus object overhead. */
function approxEventBytes(record: SourceRecord): number {
  return (record.value?.length ?? 0) * 2 + 160;
}

import type { DatasetConfig } from '../config/schema.js';
import type { SourceRecord } from '../core/records.js';
import type { ResolvedSchema } from '../core/resolved-schema.js';
import type { BufferTable } from '../buffering/buffer-table.js';
import type { FlushSlots } from '../buffering/flush-slots.js';
import type { RowIntake } from '../buffering/row-intake.js';
import type { Deduplicator } from '../cleansing/deduplicator.js';
import type { WatermarkTracker } from '../cleansing/watermark-tracker.js';
import type { CommitLog } from '../commit/commit-log.js';
import type { Logger } from '../log/logger.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { DeadLetterBatch } from '../writing/dead-letter-batch.js';
import type { FileFlusher } from '../writing/file-flusher.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import type { SourceCheckpoint } from '../lake/metadata-types.js';
import type { DatasetCounters } from './dataset-counters.js';
import type { FlushTiming } from './flush-triggers.js';
import type { RecoveryCoverage } from './recovery-coverage.js';

/**
 * The Kafka records at these offsets of one of the dataset's source partitions, read again, by
 * offset (those Kafka no longer holds are absent). Buffers keep no copy of the records they hold:
 * the rare flush that fails for good re-reads them for its dead letters (their offsets are not
 * committed, so Kafka still has them, retention permitting).
 */
export type RecordRereader = (sourcePartition: number, offsets: readonly number[]) => Promise<ReadonlyMap<number, SourceRecord>>;

export interface PipelineDeps {
  dataset: DatasetConfig;
  schema: ResolvedSchema;
  /** Decodes batches and keeps the buffered rows' values (the same store the flusher encodes from). */
  rows: RowIntake;
  store: ObjectStore;
  commitLog: CommitLog;
  layout: LakeLayout;
  flusher: FileFlusher;
  logger: Logger;
  reread: RecordRereader;
  clock?: () => number;
  /** Files being encoded and uploaded at once, per dataset. */
  maxInFlight?: number;
  /** Shared by all datasets: flushes actually running at once. */
  flushSlots?: FlushSlots;
  dedupMaxEntries?: number;
  /** The dedup index's share of the memory budget (materializer/pipeline-dedup.ts); unbounded by default. */
  dedupMaxBytes?: number;
  /** Waits between flush attempts (default: a timer); tests pass a fake. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Around every partition that completes or got a new version: `markCompaction` before its open
   * marker goes (so a crash in between still leaves a request), `requestCompaction` after.
   */
  markCompaction?: (dataset: string, partitionPath: string) => Promise<void>;
  requestCompaction?: (dataset: string, partitionPath: string) => void;
  /**
   * materializer.checkpoint_interval: a checkpoint that only moved within a time partition (no
   * partition end passed, idleness the same) is written at most this often; 0 writes every change.
   */
  checkpointIntervalMs?: number;
  /** Told whenever a flush settles, so that Kafka can learn the offsets it freed without waiting for the tick. */
  flushSettled?: () => void;
}

/** One owned source partition. A revoke (or a revoke and a re-assignment) replaces the object: flushes check ownership by identity. */
export interface SourceState {
  /** The next offset to read: everything below was processed. */
  nextOffset: number;
  /** Kafka's high watermark at the last fetch, for lag and the idle rule. */
  highWatermark: number;
  coverage: RecoveryCoverage | undefined;
  /** The batch rejected records are added to now. */
  deadLetters: DeadLetterBatch | undefined;
  /** Batches closed for writing (new rejects go to a new batch meanwhile), oldest first. */
  deadLettersToWrite: DeadLetterBatch[];
  /** The last checkpoint published and when, to skip writing an unchanged one and to pace small changes. */
  lastPublished: { checkpoint: SourceCheckpoint; fingerprint: string; atMs: number } | undefined;
}

/** The state the pipeline's parts share: one dataset's buffers, owned source partitions, watermarks and counters. */
export interface PipelineContext {
  readonly deps: PipelineDeps;
  readonly dataset: DatasetConfig;
  readonly counters: DatasetCounters;
  readonly table: BufferTable;
  readonly sources: Map<number, SourceState>;
  readonly watermarks: WatermarkTracker;
  readonly dedup: Deduplicator;
  readonly clock: () => number;
  readonly timing: FlushTiming;
}

/** The late-data side table of a dataset (late_data: side_table). */
export function sideTableOf(dataset: DatasetConfig): string {
  return `${dataset.name}_late`;
}

/** The datasets one pipeline writes: its own, and its side table when late data goes there. */
export function writtenDatasets(dataset: DatasetConfig): string[] {
  return dataset.late_data === 'side_table' ? [dataset.name, sideTableOf(dataset)] : [dataset.name];
}

/** Idle means quiet AND caught up: a partition paused under backpressure is not idle. */
export function isSourceIdle(ctx: PipelineContext, p: number, source: SourceState, now: number): boolean {
  return source.nextOffset >= source.highWatermark && ctx.watermarks.isIdle(p, now);
}

/**
 * An in-memory pipeline driver for unit tests: the real DatasetPipeline, FileFlusher, CommitLog
 * and Parquet encoder over a MemoryObjectStore, a fake clock and a fake sleep, so that flush
 * triggers, retries, checkpoints and completion can be driven deterministically and fast.
 */
import { after, type TestContext } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import type { DatasetConfig } from '../../src/config/schema.js';
import { resolveSchema } from '../../src/cleansing/schema/resolve-schema.js';
import { CommitLog } from '../../src/commit/commit-log.js';
import type { SourceRecord } from '../../src/core/records.js';
import { TukangError, type ErrorCode } from '../../src/errors/catalogue.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import type { DatasetCounters } from '../../src/materializer/dataset-counters.js';
import type { DatasetPipeline } from '../../src/materializer/dataset-pipeline.js';
import { buildPipeline } from '../../src/materializer/build-pipeline.js';
import type { RecordRereader } from '../../src/materializer/pipeline-context.js';
import { MemoryObjectStore } from '../../src/storage/memory-object-store.js';
import { LakeLayout } from '../../src/lake/lake-layout.js';
import { ParquetEncoderPool } from '../../src/writing/parquet/encoder-pool.js';
import type { RowWorkerPool } from '../../src/writing/rows/worker-row-store.js';

/** The dataset most pipeline tests use: Nakadi orders with one column, hourly partitions. */
export const ORDERS_DATASET = {
  name: 'orders',
  topic: 'orders',
  envelope: { type: 'nakadi' },
  schema: { columns: [{ name: 'order_id', type: 'string', nullable: false }], unknown_fields: 'ignore' },
  watermark: { max_out_of_orderness: '10m', allowed_lateness: '1m', dedup_window: '1h', idle_timeout: '1h' },
  limits: { max_past: '3650d' },
};

/** The orders dataset with some keys replaced (raw config: durations as strings). */
export function ordersDataset(overrides: Record<string, unknown> = {}): DatasetConfig {
  return parseConfig({ datasets: [{ ...structuredClone(ORDERS_DATASET), ...overrides }] }).datasets[0] as DatasetConfig;
}

/** A Nakadi order event as a Kafka record of topic `orders`. */
export function orderRecord(partition: number, offset: number, time: string, id: string, orderId = id): SourceRecord {
  const value = JSON.stringify({ metadata: { eid: id, occurred_at: time }, order_id: orderId });
  return { topic: 'orders', partition, offset, timestampMs: 0, key: null, value: Buffer.from(value) };
}

/** A record that is not JSON: the decoder rejects it (bad_json). */
export function brokenRecord(partition: number, offset: number, value = '{"cut'): SourceRecord {
  return { topic: 'orders', partition, offset, timestampMs: 0, key: null, value: Buffer.from(value) };
}

/** A clock the test moves by hand. */
export class FakeClock {
  constructor(public nowMs = Date.parse('2026-11-21T12:00:00Z')) {}
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** The shared parts of the lake a test's pipelines (processes) write to. */
export interface MemoryLake {
  store: MemoryObjectStore;
  encoder: ParquetEncoderPool;
  layout: LakeLayout;
  commitLog: CommitLog;
}

/** One single-worker encoder pool per test file: starting a worker costs most of a second. */
let sharedEncoder: ParquetEncoderPool | undefined;
after(() => sharedEncoder?.close());

/** A lake over `store` (a fresh one by default); with more than one worker, its own encoder pool, closed when the test ends. */
export function memoryLake(t: TestContext, store = new MemoryObjectStore(), workers = 1): MemoryLake {
  let encoder: ParquetEncoderPool;
  if (workers === 1) encoder = sharedEncoder ??= new ParquetEncoderPool(1);
  else {
    const own = new ParquetEncoderPool(workers);
    t.after(() => own.close());
    encoder = own;
  }
  const layout = new LakeLayout('');
  return { store, encoder, layout, commitLog: new CommitLog(store, layout, 'lake') };
}

export interface PipelineOptions {
  dataset?: DatasetConfig;
  /** Partitions of the topic (completeness waits for a checkpoint of each); default 1. */
  partitions?: number;
  clock?: FakeClock;
  /** Replaces the Parquet encoder (a failing one, for instance). */
  encoder?: Pick<ParquetEncoderPool, 'encode'>;
  logger?: Logger;
  /** Waits between flush retries; default: one turn of the event loop. */
  sleep?: (ms: number) => Promise<void>;
  /** The dedup index's byte limit (the materializer gives it a share of the budget). */
  dedupMaxBytes?: number;
  /** Decode, keep values and encode in these row workers (materializer.row_workers); default: in-process. */
  rowWorkers?: RowWorkerPool;
  /** What Kafka still holds, for a flush that re-reads its records (dead letters); default: nothing. */
  topic?: readonly SourceRecord[];
}

/** A RecordRereader over records a test holds as its Kafka log; offsets not among them are gone. */
export function rereadFrom(records: readonly SourceRecord[] = []): RecordRereader {
  return async (partition, offsets) => {
    const wanted = new Set(offsets);
    return new Map(records.filter((r) => r.partition === partition && wanted.has(r.offset)).map((r) => [r.offset, r]));
  };
}

/** One pipeline (one process's view of a dataset) over the lake, built as the materializer builds it. */
export function pipelineOver(lake: MemoryLake, options: PipelineOptions = {}): DatasetPipeline {
  const dataset = options.dataset ?? ordersDataset();
  const schema = resolveSchema(dataset);
  const { store, layout, commitLog } = lake;
  const pipeline = buildPipeline(
    { dataset, schema, encoder: options.encoder ?? lake.encoder, store, commitLog, layout, logger: options.logger ?? silentLogger(), ...(options.rowWorkers ? { rowWorkers: options.rowWorkers } : {}) },
    {
      ...(options.clock ? { clock: options.clock.now } : {}),
      ...(options.dedupMaxBytes !== undefined ? { dedupMaxBytes: options.dedupMaxBytes } : {}),
      // No real wait, but a turn of the event loop: a retry loop never starves timers (test timeouts).
      sleep: options.sleep ?? (() => new Promise<void>((resolve) => setImmediate(resolve))),
      reread: rereadFrom(options.topic),
    },
  );
  pipeline.setPartitionCount(options.partitions ?? 1);
  return pipeline;
}

/** Writes every open buffer now (as memory pressure would) and waits for the files. */
export async function flushEverything(pipeline: DatasetPipeline): Promise<void> {
  pipeline.shedLargest(Number.MAX_SAFE_INTEGER);
  await pipeline.waitForFlushes(true);
}

type Encoder = Pick<ParquetEncoderPool, 'encode'>;

/** Fails its first `times` encodes with `code` (all of them with Infinity), then encodes with `real`. */
export function failingEncoder(real: Encoder, code: ErrorCode, times = Number.POSITIVE_INFINITY): Encoder & { calls: number } {
  const encoder = {
    calls: 0,
    encode: async (...args: Parameters<Encoder['encode']>) => {
      if (encoder.calls++ < times) throw new TukangError(code, `${code} for the test`);
      return real.encode(...args);
    },
  };
  return encoder;
}

/** Consumed against what the counters account for: rows + duplicates + rejected + skipped re-reads. */
export function balance(c: DatasetCounters): { consumed: number; accounted: number } {
  return { consumed: c.consumed, accounted: c.rowsWritten + c.duplicates + c.rejected + c.recoveredSkips };
}

import { setTimeout as sleepFor } from 'node:timers/promises';
import type { SealedBuffer } from '../buffering/buffer-table.js';
import { FlushSlots } from '../buffering/flush-slots.js';
import type { PartitionBuffer } from '../buffering/partition-buffer.js';
import { describeError, isTukangError, type ErrorCode, type TukangError } from '../errors/catalogue.js';
import { deadLetterUnflushable } from './dead-letters.js';
import { sideTableOf, type PipelineContext } from './pipeline-context.js';

const RETRY_BASE_MS = 200;

/** How a flush ended: written (or dead-lettered, or revoked), or given up at shutdown with its rows unwritten. */
type FlushOutcome = 'settled' | 'abandoned';
const RETRY_MAX_MS = 15_000;

/**
 * Non-retryable codes that speak about the lake rather than the rows (a missing bucket, a lost
 * conditional write, metadata someone changed by hand): sending the rows to the dead-letter area
 * would divert good data, and the dead letters go to the same lake. These keep being retried,
 * logged as errors, until an operator fixes the lake.
 */
const LAKE_FAULTS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['S3_BUCKET_MISSING', 'S3_PRECONDITION_FAILED', 'METADATA_CORRUPT']);

/** A failure that retrying the same rows cannot fix: its rows go to the dead-letter area. */
export function failsForGood(err: unknown): err is TukangError {
  return isTukangError(err) && !err.retryable && !LAKE_FAULTS.has(err.code);
}

/**
 * Runs the flushes of one dataset: takes a buffer out of the open table, waits for a shared flush
 * slot, writes it with the FileFlusher, and retries with capped exponential backoff and jitter
 * (S3 may be down for minutes; nothing is acknowledged meanwhile). A flush stops as soon as its
 * source partition is no longer owned by the assignment that buffered it. A failure retrying
 * cannot fix sends the rows to the dead-letter area instead (see `failsForGood`).
 */
export class FlushScheduler {
  private readonly running = new Set<Promise<void>>();
  private readonly slots: FlushSlots;
  private readonly sleep: (ms: number) => Promise<void>;
  private closed = false;

  constructor(
    private readonly ctx: PipelineContext,
    private readonly maxInFlight: number,
    slots: FlushSlots | undefined,
  ) {
    this.slots = slots ?? new FlushSlots(4);
    this.sleep = ctx.deps.sleep ?? ((ms) => sleepFor(ms));
  }

  start(buffer: PartitionBuffer): void {
    const sealed = this.ctx.table.seal(buffer);
    let abandoned = false;
    const done = this.flushWithRetry(sealed)
      .then((outcome) => void (abandoned = outcome === 'abandoned'))
      .finally(() => {
        // An abandoned buffer stays in flight: its rows are not in S3, so its offsets stay held
        // back and the commit at shutdown does not pass them (the next run reads them again).
        if (!abandoned) this.ctx.table.release(sealed.id);
        this.running.delete(done);
        if (!abandoned) this.ctx.deps.flushSettled?.();
      });
    this.running.add(done);
  }

  /** Resolves when fewer files than the limit are in flight (or none, with `all`). */
  async waitForFlushes(all = false): Promise<void> {
    while (this.running.size > 0 && (all || this.running.size >= this.maxInFlight)) {
      await Promise.race(this.running);
    }
  }

  /** Stops retrying (after a few attempts) and waits for what is in flight. */
  async close(): Promise<void> {
    this.closed = true;
    await this.waitForFlushes(true);
  }

  private async flushWithRetry(sealed: SealedBuffer): Promise<FlushOutcome> {
    // Ownership is the SourceState object of this assignment: a revoke, or a revoke and a
    // re-assignment, replaces it, and this flush then stops before its next step.
    const p = sealed.buffer.sourcePartition;
    const owner = this.ctx.sources.get(p);
    const stillOwned = (): boolean => owner !== undefined && this.ctx.sources.get(p) === owner;
    const sealedAt = performance.now();
    const release = await this.slots.acquire();
    const startedAt = performance.now();
    try {
      return await this.flushOwned(sealed, stillOwned);
    } finally {
      release();
      const { buffer } = sealed;
      // How long a buffer waited for a flush slot and how long its flush took: where visibility latency goes.
      this.ctx.deps.logger.debug(
        { dataset: this.ctx.dataset.name, partition_path: buffer.partitionPath, partition: buffer.sourcePartition, rows: buffer.rowCount, age_ms: Math.round(this.ctx.clock() - buffer.createdAtMs), queued_ms: Math.round(startedAt - sealedAt), flush_ms: Math.round(performance.now() - startedAt) },
        'buffer flushed',
      );
    }
  }

  private async flushOwned({ buffer, duplicateOffsets }: SealedBuffer, stillOwned: () => boolean): Promise<FlushOutcome> {
    const { counters, deps, dataset } = this.ctx;
    let unflushable: TukangError | undefined;
    let target = dataset.name;
    for (let attempt = 0; ; attempt++) {
      if (!stillOwned()) return 'settled'; // revoked: the next owner rewrites it
      try {
        if (unflushable) {
          await deadLetterUnflushable(this.ctx, buffer, target, unflushable, duplicateOffsets, stillOwned);
          return 'settled';
        }
        target = await this.targetFor(buffer);
        const result = await deps.flusher.flush(buffer, target, duplicateOffsets, stillOwned);
        for (const commit of result.commits) counters.fileWritten(commit.rows, commit.bytes, commit.late);
        counters.duplicates += result.duplicates;
        counters.recoveredSkips += result.reread;
        return 'settled';
      } catch (err) {
        if (!unflushable && failsForGood(err)) {
          unflushable = err;
          attempt = -1; // the dead-letter write gets its own retries
          continue;
        }
        counters.flushRetries++;
        const wait = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt) * (0.5 + Math.random());
        const log = { dataset: dataset.name, partition_path: buffer.partitionPath, attempt, err: describeError(err), retry_in_ms: Math.round(wait) };
        if (isTukangError(err) && !err.retryable) deps.logger.error(log, 'flush failed and will keep failing until the lake is fixed; retrying');
        else deps.logger.warn(log, unflushable ? 'writing unflushable rows to the dead-letter area failed; retrying' : 'flush failed; retrying');
        if (this.closed && attempt >= 2) return 'abandoned'; // shutting down: leave it to the next run
        await this.sleep(wait);
      }
    }
  }

  /**
   * Late rows go to the side table when configured so and their partition is already complete.
   * A buffer without rows (duplicates only) stays with the dataset: it adds no file anywhere.
   */
  private async targetFor(buffer: PartitionBuffer): Promise<string> {
    const { dataset, deps } = this.ctx;
    if (!buffer.late || buffer.rowCount === 0 || dataset.late_data !== 'side_table') return dataset.name;
    const state = await deps.commitLog.readPartition(dataset.name, buffer.partitionPath);
    return state?.value.status === 'complete' ? sideTableOf(dataset) : dataset.name;
  }
}

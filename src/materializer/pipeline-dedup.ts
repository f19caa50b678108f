import { Deduplicator } from '../cleansing/deduplicator.js';
import type { DatasetCounters } from './dataset-counters.js';
import type { PipelineDeps } from './pipeline-context.js';

/** Ids a pipeline's deduplicator holds at most unless told otherwise: about an hour of 500 events/s on each of 16 partitions. */
export const DEFAULT_DEDUP_MAX_ENTRIES = 2_000_000;

/**
 * The deduplicator of a pipeline, bounded by entries and by the bytes of the memory budget the
 * materializer gives it (its bytes are counted in the pipeline's buffered bytes). At that limit it
 * evicts its oldest ids; an evicted id still inside the window makes dedup of its copies fall
 * back to the commit-time check (writing/committed-ids.ts), which still drops copies of rows
 * already committed. Counted in `dedupEvictedInWindow` and logged once at WARN.
 */
export function pipelineDeduplicator(deps: PipelineDeps, counters: DatasetCounters): Deduplicator {
  const { dataset, logger } = deps;
  const maxEntries = deps.dedupMaxEntries ?? DEFAULT_DEDUP_MAX_ENTRIES;
  const dedup: Deduplicator = new Deduplicator(dataset.watermark.dedup_window, maxEntries, {
    ...(deps.dedupMaxBytes !== undefined ? { maxBytes: deps.dedupMaxBytes } : {}),
    onEvictedInWindow: () => {
      if (counters.dedupEvictedInWindow++ > 0) return;
      logger.warn(
        { dataset: dataset.name, dedup_ids: dedup.size, dedup_bytes: dedup.bytes, max_entries: maxEntries, max_bytes: deps.dedupMaxBytes ?? null },
        'the dedup index is full: ids still inside the dedup window are evicted, and their later copies are caught only at commit (raise materializer.memory_budget_mb)',
      );
    },
  });
  return dedup;
}

/** The dedup indexes of all datasets together take at most this share of the memory budget. */
export const DEDUP_SHARE_OF_BUDGET = 0.25;

/** Each pipeline's dedup byte limit: an equal part of the budget's dedup share. */
export function dedupBytesPerPipeline(budgetBytes: number, pipelines: number): number {
  return Math.floor((budgetBytes * DEDUP_SHARE_OF_BUDGET) / Math.max(1, pipelines));
}

/** What the budget needs of a pipeline (DatasetPipeline has these). */
export interface BudgetedPipeline {
  /** Open and in-flight buffers and unwritten dead letters. */
  bufferedBytes(): number;
  /** The dedup index (cleansing/deduplicator.ts), which only its own byte limit shrinks. */
  dedupBytes(): number;
  /** Flushes the largest open buffers early; returns the bytes on their way out. */
  shedLargest(bytesToFree: number): number;
}

/** Shedding brings usage down to this share of the budget, so that it does not run on every batch. */
const SHED_TARGET = 0.7;

/** Memory the budget covers: buffers, dead letters and dedup indexes of all pipelines. */
export function budgetedBytes(pipelines: Iterable<BudgetedPipeline>): number {
  let bytes = 0;
  for (const p of pipelines) bytes += p.bufferedBytes() + p.dedupBytes();
  return bytes;
}

/**
 * Over budget, flushes the largest open buffers early, largest pipelines first, until usage is at
 * 70 % of the budget. The dedup indexes count in the usage but are not shed here: each stays
 * within its own share of the budget (pipeline-dedup.ts), so the buffers always keep the rest.
 */
export function shedOverBudget(pipelines: readonly BudgetedPipeline[], budgetBytes: number): void {
  let total = budgetedBytes(pipelines);
  if (total <= budgetBytes) return;
  const target = budgetBytes * SHED_TARGET;
  for (const p of [...pipelines].sort((a, b) => b.bufferedBytes() - a.bufferedBytes())) {
    if (total <= target) break;
    total -= p.shedLargest(total - target);
  }
}

import type { RoutingRules } from '../buffering/record-router.js';
import type { PipelineContext } from './pipeline-context.js';

/**
 * A duplicate dropped by live ingestion is held by the buffer of its (time partition, source
 * partition), which covers its offset and counts it; when none is open, an empty one (no rows)
 * is opened for it. So every duplicate reaches the lake with its buffer's flush (in a file's
 * `duplicates`, or as an accounted range when no row is left to write), and the buffer table's
 * committable offsets keep Kafka from moving past it until then. The empty buffer is flushed by
 * the same triggers as any other; rows of its key that arrive meanwhile join it.
 */
export function holdDuplicate(
  ctx: PipelineContext,
  duplicate: { key: string; path: string; partitionStartMs: number },
  sourcePartition: number,
  offset: number,
  nowMs: number,
  rules: RoutingRules,
): void {
  if (!ctx.table.get(duplicate.key)) {
    const buffer = ctx.table.openBuffer(duplicate.path, duplicate.partitionStartMs, sourcePartition, offset, nowMs);
    buffer.late = rules.isLate(duplicate.partitionStartMs, sourcePartition);
  }
  ctx.table.noteDuplicate(duplicate.key, offset);
}

import { partitionBounds } from '../lake/hive-path.js';
import type { SourceCheckpoint } from '../lake/metadata-types.js';
import { describeError } from '../errors/catalogue.js';
import { checkpointFor, checkpointIsUrgent, completedThrough, partitionsToComplete } from './completeness.js';
import { isSourceIdle, writtenDatasets, type PipelineContext } from './pipeline-context.js';

const endOf = (path: string): number => partitionBounds(path).endMs;

/**
 * Writes each owned source partition's checkpoint when it changed (see `checkpointFor`): at once
 * when the change can complete a partition (`checkpointIsUrgent`), else at most every
 * `checkpointIntervalMs`. While a backlog is read, every tick moves every watermark: writing all
 * of them each tick cost 16 PUTs a second (and as many reads by the completeness check). The
 * writes of one tick go out together.
 */
export async function publishCheckpoints(ctx: PipelineContext, now: number): Promise<void> {
  const { dataset, deps, table, watermarks } = ctx;
  const interval = deps.checkpointIntervalMs ?? 0;
  const inFlight = [...table.inFlight()];
  const snapshots = watermarks.snapshot(now);
  const writes: Array<Promise<void>> = [];
  for (const [p, source] of ctx.sources) {
    const snapshot = snapshots.find((s) => s.partition === p);
    const checkpoint = checkpointFor(
      dataset.name,
      dataset.topic,
      {
        partition: p,
        watermark: watermarks.watermarkOf(p),
        quiet: isSourceIdle(ctx, p, source, now),
        maxEventTimeMs: snapshot?.maxEventTimeMs ?? Number.NEGATIVE_INFINITY,
        open: table.openBuffers(p),
        inFlight: inFlight.filter((f) => f.sourcePartition === p),
      },
      ctx.timing,
      endOf,
    );
    const fingerprint = JSON.stringify(checkpoint);
    const last = source.lastPublished;
    if (fingerprint === last?.fingerprint) continue;
    const urgent = checkpointIsUrgent(last?.checkpoint, checkpoint, ctx.timing);
    if (!urgent && last !== undefined && now - last.atMs < interval) continue;
    writes.push(
      // Only a change that may complete a partition makes the completeness check read all again.
      deps.commitLog.writeSourceCheckpoint({ ...checkpoint, updated_at: new Date(now).toISOString() }, { announce: urgent }).then(
        () => void (source.lastPublished = { checkpoint, fingerprint, atMs: now }),
        (err: unknown) => deps.logger.warn({ dataset: dataset.name, partition: p, err: describeError(err) }, 'publishing checkpoint failed'),
      ),
    );
  }
  await Promise.all(writes);
}

/** Completes every open partition that all source partitions have flushed past (end + lateness). */
export async function completePartitions(ctx: PipelineContext, partitionCount: number): Promise<void> {
  const { dataset, deps } = ctx;
  const { commitLog } = deps;
  const open: Array<{ name: string; path: string }> = [];
  let checkpoints: SourceCheckpoint[];
  try {
    for (const name of writtenDatasets(dataset)) for (const path of await commitLog.openPartitionsForCompletion(name)) open.push({ name, path });
    if (open.length === 0) return;
    checkpoints = await commitLog.readSourceCheckpointsForCompletion(dataset.name, dataset.topic);
  } catch (err) {
    deps.logger.warn({ dataset: dataset.name, err: describeError(err) }, 'completeness check failed');
    return;
  }
  const through = completedThrough(checkpoints, partitionCount);
  if (through === undefined) return;
  for (const { name, path } of partitionsToComplete(open, through, ctx.table.pendingPaths(), ctx.timing.lateness, endOf)) {
    try {
      await deps.markCompaction?.(name, path);
      const state = await commitLog.completePartition(name, path, dataset.name);
      // Completion, late data and a replay switch all leave an open marker: each is a new file set.
      deps.requestCompaction?.(name, path);
      if (state) {
        ctx.counters.partitionsCompleted++;
        deps.logger.info({ dataset: name, partition_path: path, rows: state.rows, files: state.files.length, version: state.version }, 'partition complete');
      }
    } catch (err) {
      deps.logger.warn({ dataset: dataset.name, partition_path: path, err: describeError(err) }, 'completing partition failed; retrying next tick');
    }
  }
}

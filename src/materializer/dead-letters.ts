import type { RejectReason, SourceRecord } from '../core/records.js';
import type { PartitionBuffer } from '../buffering/partition-buffer.js';
import { describeError, type TukangError } from '../errors/catalogue.js';
import { listAll } from '../storage/object-store.js';
import { DeadLetterBatch } from '../writing/dead-letter-batch.js';
import { committedRangesOf } from '../commit/source-ranges.js';
import { flushPieces } from '../writing/flush-pieces.js';
import type { PipelineContext, SourceState } from './pipeline-context.js';
import { inRanges } from '../core/offset-ranges.js';

/** Writes a source partition's closed dead-letter batches (of rejected records), oldest first; a failure leaves the rest for the next tick. */
export async function writeDeadLetters(ctx: PipelineContext, p: number, source: SourceState): Promise<void> {
  if (source.deadLetters) {
    source.deadLettersToWrite.push(source.deadLetters);
    source.deadLetters = undefined;
  }
  const { commitLog, layout, store, logger } = ctx.deps;
  const { dataset } = ctx;
  while (source.deadLettersToWrite.length > 0 && ctx.sources.get(p) === source) {
    const batch = source.deadLettersToWrite[0] as DeadLetterBatch;
    try {
      const written = await commitLog.deadLetterRangesFrom(dataset.name, dataset.topic, p, batch.firstOffset);
      const remaining = batch.remainingAfter(written);
      if (remaining && ctx.sources.get(p) === source) {
        const key = layout.deadLetterBatch(dataset.name, dataset.topic, p, remaining.last, remaining.first);
        await store.put(key, remaining.ndjson, { contentType: 'application/x-ndjson' });
        ctx.counters.deadLetterBatches++;
      }
      source.deadLettersToWrite.shift();
    } catch (err) {
      logger.warn({ dataset: dataset.name, partition: p, err: describeError(err) }, 'writing dead letters failed; retrying next tick');
      return;
    }
  }
}

/** Adds a rejected record to its source partition's open dead-letter batch. */
export function addRejected(ctx: PipelineContext, source: SourceState, p: number, record: SourceRecord, reason: RejectReason, message: string, now: number): void {
  source.deadLetters ??= new DeadLetterBatch(ctx.dataset.name, p, record.offset);
  source.deadLetters.add(record, reason, message, now);
  ctx.counters.reject(reason);
}

const pad = (offset: number): string => String(offset).padStart(20, '0');

function unflushablePrefix(ctx: PipelineContext, buffer: PartitionBuffer): string {
  return ctx.deps.layout.unflushableDeadLetters(ctx.dataset.name, ctx.dataset.topic, buffer.sourcePartition, buffer.partitionPath);
}

/** Offset ranges of unflushable rows already written for this buffer's time and source partition (by an earlier run). */
async function writtenUnflushable(ctx: PipelineContext, prefix: string): Promise<Array<{ first: number; last: number }>> {
  const ranges: Array<{ first: number; last: number }> = [];
  for await (const object of listAll(ctx.deps.store, prefix)) {
    const match = /^(\d{20})-(\d{20})\.ndjson$/.exec(object.key.slice(prefix.length));
    if (match) ranges.push({ last: Number(match[1]), first: Number(match[2]) });
  }
  return ranges;
}

/**
 * A flush failed for a reason retrying cannot fix (ENCODE_FAILED: a value the Parquet writer
 * refuses). Rather than hold the source partition's offsets back forever, its rows go to the
 * dead-letter area with reason `unflushable`, the error code in the message and the original
 * bytes, so nothing is lost and the offsets move on. The bytes are read again from Kafka (buffers
 * keep no copy; the offsets are not committed, so Kafka still holds them unless retention dropped
 * them, which the letter's message then says). Rows another writer (or an earlier segment of
 * this flush) already committed are left out, and so are rows an earlier run already wrote here
 * (a restart re-reads them). Counted as rejected, so that the counters still balance. The
 * buffer's duplicates are then committed as accounted ranges over the same offsets (after the
 * dead letters: a re-read inside one is skipped). Throws when S3 or Kafka fails; the caller retries.
 */
export async function deadLetterUnflushable(
  ctx: PipelineContext,
  buffer: PartitionBuffer,
  target: string,
  failure: TukangError,
  duplicateOffsets: readonly number[] = [],
  stillOwned: () => boolean = () => true,
): Promise<number> {
  const { dataset, deps, counters } = ctx;
  const state = await deps.commitLog.readPartition(target, buffer.partitionPath);
  const pieces = flushPieces(buffer, duplicateOffsets, committedRangesOf(state?.value, dataset.topic, buffer.sourcePartition));
  const rows = pieces.flatMap((p) => p.rows);
  const message = `${failure.code}: ${failure.message}`;
  let written = 0;
  if (rows.length > 0) {
    const now = ctx.clock();
    const prefix = unflushablePrefix(ctx, buffer);
    const alreadyWritten = await writtenUnflushable(ctx, prefix);
    const offsets = rows.map((i) => buffer.offsetAt(i)).filter((o) => !inRanges(o, alreadyWritten));
    const originals = offsets.length > 0 ? await deps.reread(buffer.sourcePartition, offsets) : new Map<number, SourceRecord>();
    const batch = new DeadLetterBatch(dataset.name, buffer.sourcePartition, offsets[0] ?? 0);
    for (const offset of offsets) {
      const original = originals.get(offset);
      const record = original ?? { topic: dataset.topic, partition: buffer.sourcePartition, offset, timestampMs: 0, key: null, value: null };
      batch.add(record, 'unflushable', original ? message : `${message} (the record is no longer in Kafka: its bytes are lost)`, now);
    }
    const remaining = batch.remainingAfter([]); // it holds only offsets not written yet
    if (remaining) {
      await deps.store.put(`${prefix}${pad(remaining.last)}-${pad(remaining.first)}.ndjson`, remaining.ndjson, { contentType: 'application/x-ndjson' });
      counters.deadLetterBatches++;
      written = remaining.count;
    }
  }
  for (const piece of pieces) await deps.flusher.account(buffer, piece, target, piece.duplicates, stillOwned);
  for (let i = 0; i < written; i++) counters.reject('unflushable');
  // Rows already durable (committed by another writer or by this flush's earlier segments, or
  // dead-lettered by an earlier run) count as re-reads, as a retry would count them.
  counters.recoveredSkips += buffer.rowCount - written;
  deps.logger.error(
    { dataset: dataset.name, partition_path: buffer.partitionPath, partition: buffer.sourcePartition, first_offset: buffer.firstOffset, last_offset: buffer.lastOffset, rows: written, err: message },
    'flush failed for good; its rows went to the dead-letter area (reason unflushable)',
  );
  return written;
}

import { randomUUID } from 'node:crypto';
import type { DatasetConfig } from '../config/schema.js';
import type { CommitLog } from '../commit/commit-log.js';
import type { FileCommit, PartitionState, SourceRange } from '../lake/metadata-types.js';
import { sourceRangesOf } from '../commit/source-ranges.js';
import type { ResolvedSchema } from '../core/resolved-schema.js';
import { TukangError } from '../errors/catalogue.js';
import type { ReplayStore } from '../replay/replay-store.js';
import type { ObjectStore } from '../storage/object-store.js';
import { extensionFor } from '../writing/file-flusher.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import { RowBatchBuilder } from '../buffering/row-batch.js';
import { ParquetStreamWriter } from '../writing/parquet/stream-encoder.js';
import { mergeSorted, type MergeRow } from './merge-sorted.js';
import { RowDigest, type DigestValue } from './row-digest.js';
import { readSortedRows } from './sorted-rows.js';

export interface CompactionDeps {
  dataset: DatasetConfig;
  schema: ResolvedSchema;
  store: ObjectStore;
  commitLog: CommitLog;
  layout: LakeLayout;
  /** The replay locks: a compaction never runs while a replay of the same partition does. */
  locks: ReplayStore;
}

/** Rows per batch handed to the streaming writer (at most `files.row_group_rows`). */
const BATCH_ROWS = 20_000;
/** Decoded input rows held at once, across all inputs of a compaction (each input at least MIN_SLICE_ROWS). */
const INPUT_ROWS = 100_000;
const MIN_SLICE_ROWS = 500;
/** Well inside the replay lock's stale limit (60 s). */
const HEARTBEAT_MS = 10_000;

export interface CompactionOutcome {
  partition_path: string;
  from_version: number;
  to_version: number;
  files_in: number;
  files_out: number;
  rows: number;
  ms: number;
  digest: DigestValue;
}

/** Whether a partition state calls for compaction under the dataset's config. */
export function needsCompaction(state: PartitionState | undefined, dataset: DatasetConfig): state is PartitionState {
  return state !== undefined && dataset.compaction.enabled && state.status === 'complete' && state.files.length >= dataset.compaction.min_files;
}

/**
 * Rewrites a complete partition's files into as few files as the file targets allow, rows sorted
 * by (event time, source partition, offset) across the partition, as a new version with reason
 * `compaction`. The inputs are merged as streams (one row group per input in memory) into a
 * streaming Parquet writer (one batch of rows and the row group being built in memory), so the
 * partition's size does not bound the memory; the compressed output file does. Before the
 * switch the outputs are read back and must give the inputs' digest (row count, event id set,
 * checksum over the sorted rows); the switch is refused when the partition changed meanwhile.
 * Returns undefined when there is nothing to do (or a replay holds the partition).
 */
export async function compactPartition(deps: CompactionDeps, datasetName: string, partitionPath: string): Promise<CompactionOutcome | undefined> {
  const { commitLog, locks } = deps;
  if (!needsCompaction((await commitLog.readPartition(datasetName, partitionPath))?.value, deps.dataset)) return undefined;
  const jobId = `compaction-${randomUUID()}`;
  try {
    await locks.lockAll(datasetName, [partitionPath], jobId);
  } catch (err) {
    if (err instanceof TukangError && err.code === 'REPLAY_CONFLICT') return undefined;
    throw err;
  }
  // Refreshed like a replay's, so a long compaction's lock is never taken for a dead holder's.
  const heartbeat = setInterval(() => void locks.heartbeat(datasetName, [partitionPath], jobId).catch(() => undefined), HEARTBEAT_MS);
  try {
    // Read again under the lock: the version to compact is the one no replay is rewriting.
    const state = (await commitLog.readPartition(datasetName, partitionPath))?.value;
    if (!needsCompaction(state, deps.dataset)) return undefined;
    return await compactLocked(deps, state, jobId);
  } finally {
    clearInterval(heartbeat);
    await locks.unlock(datasetName, partitionPath, jobId).catch(() => undefined);
  }
}

async function compactLocked(deps: CompactionDeps, state: PartitionState, jobId: string): Promise<CompactionOutcome> {
  const { dataset, schema, commitLog, layout, store } = deps;
  const started = Date.now();
  const inputs: Array<AsyncIterator<MergeRow>> = [];
  for (const f of state.files) {
    const where = await commitLog.placement.locate(f.key);
    if (!where) throw new TukangError('METADATA_CORRUPT', `compaction of ${state.partition_path}: data file ${f.key} is listed but nowhere in the bucket`);
    inputs.push(readSortedRows(store, where.key, where.size, schema.columns, Math.max(MIN_SLICE_ROWS, Math.ceil(INPUT_ROWS / state.files.length)))[Symbol.asyncIterator]());
  }
  const totalRows = state.files.reduce((n, f) => n + f.rows, 0);
  const totalBytes = state.files.reduce((n, f) => n + f.bytes, 0);
  const bytesPerRow = totalRows > 0 ? totalBytes / totalRows : 1;
  const rowsPerFile = Math.max(1, Math.min(dataset.files.target_rows, Math.floor(dataset.files.target_bytes / bytesPerRow)));
  const version = state.version + 1;
  const extension = extensionFor(dataset.files.compression);
  const ranges = state.files.flatMap(sourceRangesOf).sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.first_offset - b.first_offset);
  const duplicates = state.files.reduce((n, f) => n + f.duplicates, 0);

  const inDigest = new RowDigest();
  const outputs: FileCommit[] = [];
  // Rows go to the streaming writer in batches of at most this many: the only rows held at once.
  const batchRows = Math.min(BATCH_ROWS, dataset.files.row_group_rows, rowsPerFile);
  const builder = new RowBatchBuilder(schema.columns, dataset.topic, Math.min(batchRows, totalRows));
  const encodeOptions = {
    compression: dataset.files.compression,
    rowGroupRows: dataset.files.row_group_rows,
    keyValueMetadata: { 'tukang.dataset': state.dataset, 'tukang.schema_version': schema.version, 'tukang.compaction': jobId },
  };
  let writer: ParquetStreamWriter | undefined;
  let fileRows = 0;
  let min = Infinity;
  let max = -Infinity;
  const finishOutput = async (): Promise<void> => {
    if (!writer) return;
    if (builder.rowCount > 0) await writer.write(builder.build());
    const encoded = await writer.finish();
    writer = undefined;
    const key = layout.compactedFile(state.dataset, state.partition_path, version, outputs.length, encoded.sha256, extension);
    await commitLog.placement.stage(key, encoded.bytes, 'application/vnd.apache.parquet');
    outputs.push(fileCommit(state, key, commitLog.uriOf(key), encoded.bytes.byteLength, encoded.rowCount, encoded.sha256, min, max, ranges, schema.version, outputs.length === 0 ? duplicates : 0));
    fileRows = 0;
    min = Infinity;
    max = -Infinity;
  };
  try {
    for await (const row of mergeSorted(inputs)) {
      inDigest.add(row);
      writer ??= new ParquetStreamWriter(encodeOptions);
      builder.add(row.values, row.eventId, row.eventTimeMs, row.partition, row.offset, row.receivedAtMs);
      fileRows++;
      if (row.eventTimeMs < min) min = row.eventTimeMs;
      if (row.eventTimeMs > max) max = row.eventTimeMs;
      if (fileRows >= rowsPerFile) await finishOutput();
      else if (builder.rowCount >= batchRows) await writer.write(builder.build());
    }
    await finishOutput();
  } finally {
    await writer?.abort();
  }

  // Verify before the switch: the outputs, read back from where they are staged, in order.
  const outDigest = new RowDigest();
  for (const f of outputs) {
    for await (const row of readSortedRows(store, layout.stagedFile(f.key), f.bytes, schema.columns)) outDigest.add(row);
  }
  const expected = inDigest.value();
  const actual = outDigest.value();
  if (expected.rows !== state.rows || JSON.stringify(expected) !== JSON.stringify(actual)) {
    await store.delete(outputs.map((f) => layout.stagedFile(f.key)));
    throw new TukangError(
      'COMPACTION_MISMATCH',
      `compaction of ${state.dataset}/${state.partition_path} v${state.version}: the state lists ${state.rows} rows, the inputs gave ${JSON.stringify(expected)}, the outputs ${JSON.stringify(actual)}`,
    );
  }
  const switched = await commitLog.switchToReplay(state.dataset, state.partition_path, state.version, outputs, jobId, 'compaction');
  return {
    partition_path: state.partition_path,
    from_version: state.version,
    to_version: switched.version,
    files_in: state.files.length,
    files_out: outputs.length,
    rows: expected.rows,
    ms: Date.now() - started,
    digest: expected,
  };
}

function fileCommit(
  state: PartitionState,
  key: string,
  uri: string,
  bytes: number,
  rows: number,
  sha256: string,
  minMs: number,
  maxMs: number,
  ranges: SourceRange[],
  schemaVersion: string,
  duplicates: number,
): FileCommit {
  const first = ranges[0];
  if (!first) throw new TukangError('INTERNAL', `compaction of ${state.partition_path}: no source ranges`);
  return {
    dataset: state.dataset,
    partition_path: state.partition_path,
    key,
    uri,
    bytes,
    rows,
    sha256,
    min_event_at: new Date(minMs).toISOString(),
    max_event_at: new Date(maxMs).toISOString(),
    source: first,
    sources: ranges,
    schema_version: schemaVersion,
    duplicates,
    late: false,
    committed_at: new Date().toISOString(),
  };
}

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DatasetConfig } from '../config/schema.js';
import type { SourceRecord } from '../core/records.js';
import { BufferTable } from '../buffering/buffer-table.js';
import type { PartitionBuffer } from '../buffering/partition-buffer.js';
import { RecordRouter, type RoutingRules } from '../buffering/record-router.js';
import { createDecoder } from '../cleansing/decode.js';
import { Deduplicator } from '../cleansing/deduplicator.js';
import { resolveSchema } from '../cleansing/schema/resolve-schema.js';
import type { CommitLog } from '../commit/commit-log.js';
import type { FileCommit } from '../lake/metadata-types.js';
import { describeError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import type { ObjectStore } from '../storage/object-store.js';
import { FileFlusher } from '../writing/file-flusher.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import type { ParquetEncoderPool } from '../writing/parquet/encoder-pool.js';
import { InProcessRowStore } from '../writing/rows/in-process-row-store.js';
import type { RowStore } from '../writing/rows/row-store.js';
import type { ReplayBus } from './replay-bus.js';
import { planReplay } from './replay-plan.js';
import type { ReplayStore } from './replay-store.js';
import type { ReplayJob, ReplayPlan } from './replay-types.js';

export interface ReplayDeps {
  dataset: DatasetConfig;
  bus: ReplayBus;
  store: ObjectStore;
  commitLog: CommitLog;
  layout: LakeLayout;
  replays: ReplayStore;
  encoder: ParquetEncoderPool;
  logger: Logger;
  onProgress?: (job: ReplayJob) => void;
  cancelled?: () => boolean;
}

export function planFor(deps: ReplayDeps, partitionPaths: string[]): Promise<ReplayPlan> {
  return planReplay(deps.dataset, partitionPaths, deps.commitLog, (topic) => deps.bus.offsets(topic));
}

/** A job that holds its locks and runs: `done` resolves (never rejects) when it has finished. */
export interface StartedReplay {
  job: ReplayJob;
  done: Promise<ReplayJob>;
}

/**
 * Rebuilds partitions from the bus: re-reads exactly the offset ranges their current files came
 * from, cleanses them with the dataset's current config, writes new files beside the old ones,
 * then switches each partition to a new version in one conditional write. Until that write the
 * old version is what every reader sees; a crash before it leaves nothing visible behind.
 */
export async function runReplay(deps: ReplayDeps, partitionPaths: string[]): Promise<ReplayJob> {
  await deps.replays.failAbandonedJobs();
  return (await startReplay(deps, partitionPaths)).done;
}

/**
 * Plans, takes the partitions' replay locks and records the job, all before returning, so that
 * a caller (the API) can refuse with the reason (open, conflict, offsets gone) synchronously;
 * the rebuild then runs in the background of `done`.
 */
export async function startReplay(deps: ReplayDeps, partitionPaths: string[]): Promise<StartedReplay> {
  const { dataset, replays } = deps;
  const plan = await planFor(deps, partitionPaths);
  const now = new Date().toISOString();
  const job: ReplayJob = {
    id: randomUUID(),
    dataset: dataset.name,
    partitions: plan.partitions.map((p) => p.partition_path),
    status: 'running',
    dry_run: false,
    records_total: plan.records_total,
    records_read: 0,
    rows_written: 0,
    files_written: 0,
    duplicates: 0,
    rejected: 0,
    versions: plan.partitions.map((p) => ({ partition_path: p.partition_path, from_version: p.version, to_version: null })),
    error: null,
    host: hostname(),
    pid: process.pid,
    created_at: now,
    updated_at: now,
    finished_at: null,
  };
  await replays.lockAll(dataset.name, job.partitions, job.id);
  try {
    await replays.saveJob(job);
  } catch (err) {
    for (const path of job.partitions) await replays.unlock(dataset.name, path, job.id).catch(() => undefined);
    throw err;
  }
  return { job, done: execute(deps, plan, job) };
}

async function execute(deps: ReplayDeps, plan: ReplayPlan, job: ReplayJob): Promise<ReplayJob> {
  const { dataset, replays, logger } = deps;
  const heartbeat = setInterval(() => {
    void replays.heartbeat(dataset.name, job.partitions, job.id).catch(() => undefined);
    void replays.saveJob(job).catch(() => undefined);
    deps.onProgress?.(job);
  }, 1_000);
  try {
    const duplicates = new Map<string, number>();
    const rows = new InProcessRowStore(deps.dataset, resolveSchema(deps.dataset), createDecoder(deps.dataset, resolveSchema(deps.dataset)), deps.encoder);
    const buffers = await rebuild(deps, rows, plan, job, duplicates);
    const files = await writeFiles(deps, rows, buffers, job, duplicates);
    // The last point where a cancel is honoured: once switching starts, every partition switches.
    if (deps.cancelled?.()) throw new ReplayCancelled();
    for (const p of plan.partitions) {
      const state = await deps.commitLog.switchToReplay(dataset.name, p.partition_path, p.version, files.get(p.partition_path) ?? [], job.id, 'replay', p.ranges);
      const entry = job.versions.find((v) => v.partition_path === p.partition_path);
      if (entry) entry.to_version = state.version;
    }
    job.status = 'succeeded';
  } catch (err) {
    if (err instanceof ReplayCancelled) {
      job.status = 'cancelled';
      job.error = 'cancelled before the switch; the old versions stay in place';
    } else {
      job.status = 'failed';
      job.error = describeError(err);
      logger.error({ job_id: job.id, err: job.error }, 'replay failed; the old versions stay in place');
    }
  } finally {
    clearInterval(heartbeat);
    job.finished_at = new Date().toISOString();
    await replays.saveJob(job).catch((err: unknown) => logger.error({ job_id: job.id, err: describeError(err) }, 'saving the finished replay job failed'));
    for (const path of job.partitions) await replays.unlock(dataset.name, path, job.id).catch(() => undefined);
    deps.onProgress?.(job);
  }
  return job;
}

class ReplayCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/**
 * Reads the ranges and routes the rows that belong to the replayed partitions into buffers, with
 * the same routing as live ingestion (buffering/record-router): a buffer that reaches the
 * dataset's target rows or bytes is sealed and the next rows start a new one, so a replay makes
 * files of the same size as ingestion did.
 */
async function rebuild(deps: ReplayDeps, rows: RowStore, plan: ReplayPlan, job: ReplayJob, duplicatesByPath: Map<string, number>): Promise<PartitionBuffer[]> {
  const { dataset } = deps;
  const table = new BufferTable();
  const router = new RecordRouter(dataset, rows, new Deduplicator(dataset.watermark.dedup_window, 5_000_000), table);
  const targets = new Set(plan.partitions.map((p) => p.partition_path));
  // A record of another partition inside the same offset range is not replayed.
  const rules: RoutingRules = { admit: (_record, _event, path) => targets.has(path), isLate: () => false };
  const sealed: PartitionBuffer[] = [];
  const topicPartitions = (await deps.bus.offsets(dataset.topic)).map((o) => o.partition);
  const receivedAt = Date.now();
  const routeBatch = async (records: SourceRecord[]): Promise<void> => {
    // A fetched batch is of one source partition.
    await router.routeBatch(records, records[0]?.partition ?? 0, receivedAt, rules, (routed) => {
      job.records_read++;
      if (routed.kind === 'rejected') job.rejected++;
      else if (routed.kind === 'duplicate') {
        job.duplicates++;
        duplicatesByPath.set(routed.path, (duplicatesByPath.get(routed.path) ?? 0) + 1);
      } else if (routed.kind === 'buffered' && routed.full) sealed.push(table.seal(routed.buffer).buffer);
    });
  };
  // Batches are routed one after the other, in the order read, also when the bus does not wait.
  let routing = Promise.resolve();
  const onRecords = (records: SourceRecord[]): Promise<void> => (routing = routing.then(() => routeBatch(records)));
  await deps.bus.read(dataset.topic, plan.ranges, topicPartitions, onRecords, () => deps.cancelled?.() === true);
  await routing;
  if (deps.cancelled?.()) throw new ReplayCancelled();
  for (const buffer of table.openBuffers()) sealed.push(table.seal(buffer).buffer);
  return sealed;
}

/** One new file per buffer (per partition and source partition, more when a buffer filled up), under a name no live file can have. */
async function writeFiles(deps: ReplayDeps, rows: RowStore, buffers: PartitionBuffer[], job: ReplayJob, duplicatesByPath: ReadonlyMap<string, number>): Promise<Map<string, FileCommit[]>> {
  const { dataset, commitLog, layout, store } = deps;
  const flusher = new FileFlusher(dataset, resolveSchema(dataset), rows, store, commitLog, layout);
  const files = new Map<string, FileCommit[]>();
  const ordered = [...buffers].sort((a, b) => a.partitionPath.localeCompare(b.partitionPath) || a.sourcePartition - b.sourcePartition || a.firstOffset - b.firstOffset);
  for (const buffer of ordered) {
    if (deps.cancelled?.()) throw new ReplayCancelled();
    for (const segment of buffer.segmentsExcluding([])) {
      const commit = await flusher.stage(buffer, segment, dataset.name, {
        // The version's duplicates are the sum over its files: the partition's count goes on its first file.
        duplicates: files.has(buffer.partitionPath) ? 0 : (duplicatesByPath.get(buffer.partitionPath) ?? 0),
        extension: `.r${job.id.slice(0, 8)}.${dataset.files.compression}.parquet`,
        metadata: { 'tukang.replay_id': job.id },
      });
      if (!commit) continue;
      files.set(buffer.partitionPath, [...(files.get(buffer.partitionPath) ?? []), commit]);
      job.files_written++;
      job.rows_written += commit.rows;
    }
  }
  return files;
}

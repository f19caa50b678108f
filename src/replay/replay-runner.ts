import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DatasetConfig } from '../config/schema.js';
import type { SourceRecord } from '../core/records.js';
import { PartitionBuffer } from '../buffering/partition-buffer.js';
import { createDecoder } from '../cleansing/decode.js';
import { Deduplicator } from '../cleansing/deduplicator.js';
import { resolveSchema } from '../cleansing/schema/resolve-schema.js';
import { partitionPath, partitionStart } from '../cleansing/time-partition.js';
import type { CommitLog } from '../commit/commit-log.js';
import type { FileCommit } from '../lake/metadata-types.js';
import { describeError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import type { ParquetEncoderPool } from '../writing/parquet/encoder-pool.js';
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
    const buffers = await rebuild(deps, plan, job, duplicates);
    const files = await writeFiles(deps, buffers, job, duplicates);
    // The last point where a cancel is honoured: once switching starts, every partition switches.
    if (deps.cancelled?.()) throw new ReplayCancelled();
    for (const p of plan.partitions) {
      const state = await deps.commitLog.switchToReplay(dataset.name, p.partition_path, p.version, files.get(p.partition_path) ?? [], job.id);
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

/** Reads the ranges and buffers the rows that belong to the replayed partitions, per source partition. */
async function rebuild(deps: ReplayDeps, plan: ReplayPlan, job: ReplayJob, duplicatesByPath: Map<string, number>): Promise<Map<string, PartitionBuffer>> {
  const { dataset } = deps;
  const schema = resolveSchema(dataset);
  const decode = createDecoder(dataset, schema);
  const dedup = new Deduplicator(dataset.watermark.dedup_window, 5_000_000);
  const targets = new Set(plan.partitions.map((p) => p.partition_path));
  const buffers = new Map<string, PartitionBuffer>();
  const topicPartitions = (await deps.bus.offsets(dataset.topic)).map((o) => o.partition);
  const granularity = dataset.partitioning.granularity;
  const receivedAt = Date.now();
  const onRecords = (records: SourceRecord[]): void => {
    for (const record of records) {
      job.records_read++;
      const result = decode(record);
      if (!result.ok) {
        job.rejected++;
        continue;
      }
      const event = result.event;
      const start = partitionStart(event.eventTimeMs, granularity);
      const path = partitionPath(start, granularity, schema.partitionFields.map((f, i) => ({ name: f.name, value: event.partitionValues[i] ?? '' })));
      if (!targets.has(path)) continue; // a record of another partition inside the same offset range
      if (dedup.isDuplicate(event.eventId, event.eventTimeMs)) {
        job.duplicates++;
        duplicatesByPath.set(path, (duplicatesByPath.get(path) ?? 0) + 1);
        continue;
      }
      const key = `${path}|${record.partition}`;
      let buffer = buffers.get(key);
      if (!buffer) {
        buffer = new PartitionBuffer(key, path, start, record.partition, record.offset, receivedAt);
        buffers.set(key, buffer);
      }
      buffer.add(event, record.offset, receivedAt, 0);
    }
  };
  await deps.bus.read(dataset.topic, plan.ranges, topicPartitions, onRecords, () => deps.cancelled?.() === true);
  if (deps.cancelled?.()) throw new ReplayCancelled();
  return buffers;
}

/** One new file per (partition, source partition), under a name no live file can have. */
async function writeFiles(deps: ReplayDeps, buffers: Map<string, PartitionBuffer>, job: ReplayJob, duplicatesByPath: ReadonlyMap<string, number>): Promise<Map<string, FileCommit[]>> {
  const { dataset, layout, encoder, commitLog } = deps;
  const schema = resolveSchema(dataset);
  const files = new Map<string, FileCommit[]>();
  const ordered = [...buffers.values()].sort((a, b) => a.partitionPath.localeCompare(b.partitionPath) || a.sourcePartition - b.sourcePartition);
  for (const buffer of ordered) {
    if (deps.cancelled?.()) throw new ReplayCancelled();
    const batch = buffer.toSortedBatch(schema.columns, dataset.topic);
    const { min, max } = buffer.minMaxEventTime();
    const encoded = await encoder.encode(batch, {
      compression: dataset.files.compression,
      rowGroupRows: dataset.files.row_group_rows,
      keyValueMetadata: { 'tukang.dataset': dataset.name, 'tukang.schema_version': schema.version, 'tukang.replay_id': job.id },
    });
    const key = layout.dataFile(dataset.name, buffer.partitionPath, dataset.topic, buffer.sourcePartition, buffer.firstOffset, buffer.lastOffset, encoded.sha256, `.r${job.id.slice(0, 8)}.${dataset.files.compression}.parquet`);
    await commitLog.placement.stage(key, encoded.bytes, 'application/vnd.apache.parquet');
    const commit: FileCommit = {
      dataset: dataset.name,
      partition_path: buffer.partitionPath,
      key,
      uri: commitLog.uriOf(key),
      bytes: encoded.bytes.byteLength,
      rows: encoded.rowCount,
      sha256: encoded.sha256,
      min_event_at: new Date(min).toISOString(),
      max_event_at: new Date(max).toISOString(),
      source: { topic: dataset.topic, partition: buffer.sourcePartition, first_offset: buffer.firstOffset, last_offset: buffer.lastOffset },
      schema_version: schema.version,
      // The version's duplicates are the sum over its files: the partition's count goes on its first file.
      duplicates: files.has(buffer.partitionPath) ? 0 : (duplicatesByPath.get(buffer.partitionPath) ?? 0),
      late: false,
      committed_at: new Date().toISOString(),
    };
    files.set(buffer.partitionPath, [...(files.get(buffer.partitionPath) ?? []), commit]);
    job.files_written++;
    job.rows_written += encoded.rowCount;
  }
  return files;
}

/**
 * Zod schemas of the metadata documents (metadata-types.ts), used to validate every read. Each is
 * typed against its interface, so the compiler keeps the two in step. Objects are loose: a field
 * this version does not know (written by a newer one) is kept, never stripped, so a
 * read-modify-write does not lose it.
 */
import { z } from 'zod';
import type { AccountedRange, ChangeRecord, FileCommit, PartitionManifest, PartitionState, PartitionVersion, ReplayJob, ReplayLock, SourceCheckpoint, SourceRange } from './metadata-types.js';

const isoTime = z.string();

export const sourceRangeSchema: z.ZodType<SourceRange> = z.looseObject({
  topic: z.string(),
  partition: z.number().int(),
  first_offset: z.number().int(),
  last_offset: z.number().int(),
});

export const fileCommitSchema: z.ZodType<FileCommit> = z.looseObject({
  dataset: z.string(),
  partition_path: z.string(),
  key: z.string(),
  uri: z.string(),
  bytes: z.number(),
  rows: z.number(),
  sha256: z.string(),
  min_event_at: isoTime,
  max_event_at: isoTime,
  source: sourceRangeSchema,
  sources: z.exactOptional(z.array(sourceRangeSchema)),
  schema_version: z.string(),
  duplicates: z.number(),
  late: z.boolean(),
  committed_at: isoTime,
});

export const accountedRangeSchema: z.ZodType<AccountedRange> = z.looseObject({
  dataset: z.string(),
  partition_path: z.string(),
  source: sourceRangeSchema,
  duplicates: z.number(),
  committed_at: isoTime,
});

const partitionVersionSchema: z.ZodType<PartitionVersion> = z.looseObject({
  version: z.number().int(),
  reason: z.enum(['ingest', 'late_data', 'replay', 'compaction']),
  replay_id: z.exactOptional(z.string()),
  created_at: isoTime,
  completed_at: isoTime.nullable(),
  files: z.number(),
  rows: z.number(),
  manifest: z.string().nullable(),
});

export const partitionStateSchema: z.ZodType<PartitionState> = z.looseObject({
  dataset: z.string(),
  partition_path: z.string(),
  values: z.record(z.string(), z.string()),
  start_at: isoTime,
  end_at: isoTime,
  status: z.enum(['open', 'complete']),
  version: z.number().int(),
  files: z.array(fileCommitSchema),
  accounted_ranges: z.exactOptional(z.array(accountedRangeSchema)),
  rows: z.number(),
  bytes: z.number(),
  duplicates: z.number(),
  late_rows: z.number(),
  min_event_at: isoTime.nullable(),
  max_event_at: isoTime.nullable(),
  versions: z.array(partitionVersionSchema),
  created_at: isoTime,
  updated_at: isoTime,
});

export const sourceCheckpointSchema: z.ZodType<SourceCheckpoint> = z.looseObject({
  dataset: z.string(),
  topic: z.string(),
  partition: z.number().int(),
  flushed_through_ms: z.number(),
  max_event_time_ms: z.number().nullable(),
  idle: z.boolean(),
  updated_at: z.string(),
});

export const partitionManifestSchema: z.ZodType<PartitionManifest> = z.looseObject({
  dataset: z.string(),
  partition_path: z.string(),
  version: z.number().int(),
  status: z.literal('complete'),
  rows: z.number(),
  created_at: isoTime,
  entries: z.array(z.looseObject({ url: z.string(), mandatory: z.literal(true), meta: z.looseObject({ content_length: z.number(), record_count: z.number() }) })),
});

export const changeRecordSchema: z.ZodType<ChangeRecord> = z.looseObject({
  dataset: z.string(),
  partition_path: z.string(),
  version: z.number().int(),
  change: z.enum(['complete', 'late_data', 'replay', 'compaction']),
  at: isoTime,
});

export const replayJobSchema: z.ZodType<ReplayJob> = z.looseObject({
  id: z.string(),
  dataset: z.string(),
  partitions: z.array(z.string()),
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  dry_run: z.boolean(),
  records_total: z.number(),
  records_read: z.number(),
  rows_written: z.number(),
  files_written: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  versions: z.array(z.looseObject({ partition_path: z.string(), from_version: z.number(), to_version: z.number().nullable() })),
  error: z.string().nullable(),
  host: z.string(),
  pid: z.number(),
  created_at: isoTime,
  updated_at: isoTime,
  finished_at: isoTime.nullable(),
});

export const replayLockSchema: z.ZodType<ReplayLock> = z.looseObject({
  job_id: z.string(),
  host: z.string(),
  pid: z.number(),
  heartbeat_at: isoTime,
});

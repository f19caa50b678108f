import type { ReplayJob, ReplayPlan } from '../../replay/replay-types.js';
import { partitionIdOf } from '../index/partition-id.js';
import { partitionHref } from './links.js';

/** A job as the API shows it: partitions by id, without the runner's host and pid. */
export function replayView(base: string, job: ReplayJob): Record<string, unknown> {
  return {
    id: job.id,
    dataset: job.dataset,
    status: job.status,
    records_total: job.records_total,
    records_read: job.records_read,
    rows_written: job.rows_written,
    files_written: job.files_written,
    duplicates: job.duplicates,
    rejected: job.rejected,
    versions: job.versions.map((v) => {
      const id = partitionIdOf(v.partition_path);
      return { partition: id, path: v.partition_path, from_version: v.from_version, to_version: v.to_version, href: partitionHref(base, job.dataset, id) };
    }),
    error: job.error,
    created_at: job.created_at,
    updated_at: job.updated_at,
    finished_at: job.finished_at,
    href: replayHref(base, job.id),
  };
}

export function replayHref(base: string, id: string): string {
  return `${base}/replays/${id}`;
}

export function planView(plan: ReplayPlan): Record<string, unknown> {
  return {
    dataset: plan.dataset,
    topic: plan.topic,
    dry_run: true,
    records_total: plan.records_total,
    partitions: plan.partitions.map((p) => ({ id: partitionIdOf(p.partition_path), path: p.partition_path, version: p.version, files: p.files, rows: p.rows })),
    ranges: plan.ranges.map((r) => ({ partition: r.partition, first_offset: r.first, last_offset: r.last })),
  };
}

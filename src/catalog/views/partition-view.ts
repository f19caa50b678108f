import type { FileCommit, PartitionState } from '../../lake/metadata-types.js';
import type { ChangeEntry, PartitionEntry } from '../index/dataset-index.js';
import { encodeCursor } from '../index/cursor.js';
import { partitionIdOf } from '../index/partition-id.js';
import { partitionHref } from './links.js';

export function fileView(f: FileCommit): Record<string, unknown> {
  return {
    uri: f.uri,
    bytes: f.bytes,
    rows: f.rows,
    sha256: f.sha256,
    min_event_at: f.min_event_at,
    max_event_at: f.max_event_at,
    source: f.source,
    schema_version: f.schema_version,
    duplicates: f.duplicates,
    late: f.late,
    committed_at: f.committed_at,
  };
}

export function changeView(change: ChangeEntry): Record<string, unknown> {
  return { change: change.change, version: change.version, at: change.at, cursor: encodeCursor({ k: 'c', c: change.name }) };
}

export function partitionSummary(base: string, dataset: string, e: PartitionEntry, extra: { change?: ChangeEntry; files?: FileCommit[] } = {}): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: e.id,
    path: e.path,
    start_at: e.startAt,
    end_at: e.endAt,
    status: e.status,
    version: e.version,
    rows: e.rows,
    bytes: e.bytes,
    file_count: e.fileCount,
    updated_at: e.updatedAt,
    completed_at: e.completedAt,
  };
  if (extra.change) view['change'] = changeView(extra.change);
  if (extra.files) view['files'] = extra.files.map(fileView);
  view['href'] = partitionHref(base, dataset, e.id);
  return view;
}

export function partitionDetail(base: string, s: PartitionState): Record<string, unknown> {
  const id = partitionIdOf(s.partition_path);
  const href = partitionHref(base, s.dataset, id);
  return {
    id,
    dataset: s.dataset,
    path: s.partition_path,
    values: s.values,
    start_at: s.start_at,
    end_at: s.end_at,
    status: s.status,
    version: s.version,
    rows: s.rows,
    bytes: s.bytes,
    min_event_at: s.min_event_at,
    max_event_at: s.max_event_at,
    quality: { duplicates: s.duplicates, late_rows: s.late_rows },
    files: s.files.map(fileView),
    versions: s.versions.map((v) => ({
      version: v.version,
      reason: v.reason,
      created_at: v.created_at,
      completed_at: v.completed_at,
      files: v.files,
      rows: v.rows,
      manifest_href: v.manifest === null ? null : `${href}/manifest?version=${v.version}`,
    })),
    created_at: s.created_at,
    updated_at: s.updated_at,
  };
}

import type { ChangeRecord } from '../../lake/metadata-types.js';
import { TukangError } from '../../errors/catalogue.js';
import { DatasetIndex, type ChangeEntry, type PartitionFacts } from './dataset-index.js';

/**
 * The persisted form of a dataset's index (docs/catalog.md, "Index snapshots"): one row per
 * partition with what a listing shows, and every change-log entry with its kind. Rows are arrays,
 * not objects, so 100,000 partitions stay near 15 MB of JSON and parse in well under a second.
 */
export const SNAPSHOT_FORMAT = 'tukang.catalog-index.v1';

/** [path, start_ms, end_ms, status, version, rows, bytes, file_count, duplicates, late_rows, updated_at, completed_at, etag] */
export type SnapshotRow = [string, number, number, 'open' | 'complete', number, number, number, number, number, number, string, string | null, string];

export interface IndexSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  dataset: string;
  written_at: string;
  /** The newest change-log object the snapshot includes; a reader tails the log from (shortly before) it. */
  changes_through: string | null;
  partitions: SnapshotRow[];
  /** [object name below changes/, kind] in name order. */
  changes: Array<[string, ChangeRecord['change']]>;
}

export function encodeSnapshot(dataset: string, index: DatasetIndex, nowMs: number): IndexSnapshot {
  return {
    format: SNAPSHOT_FORMAT,
    dataset,
    written_at: new Date(nowMs).toISOString(),
    changes_through: index.lastChange()?.name ?? null,
    partitions: Array.from(index.entries(), (e): SnapshotRow => [e.path, e.startMs, e.endMs, e.status, e.version, e.rows, e.bytes, e.fileCount, e.duplicates, e.lateRows, e.updatedAt, e.completedAt, e.etag]),
    changes: Array.from(index.changeLog(), (c): [string, ChangeRecord['change']] => [c.name, c.change]),
  };
}

const KINDS = new Set<string>(['complete', 'late_data', 'replay', 'compaction']);

/**
 * A fresh index holding the snapshot's entries and changes. Anything that is not what
 * encodeSnapshot wrote (bad JSON, another dataset, a wrong shape) is METADATA_CORRUPT, so the
 * caller rebuilds from the partition states instead of serving a wrong answer.
 */
export function decodeSnapshot(dataset: string, text: string, parseChange: (name: string) => ChangeEntry | undefined): DatasetIndex {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw corrupt(dataset, `not JSON (${(err as Error).message})`);
  }
  if (!isRecord(value) || value['format'] !== SNAPSHOT_FORMAT) throw corrupt(dataset, 'unknown format');
  if (value['dataset'] !== dataset) throw corrupt(dataset, `written for dataset ${String(value['dataset'])}`);
  const partitions = value['partitions'];
  const changes = value['changes'];
  if (!Array.isArray(partitions) || !Array.isArray(changes)) throw corrupt(dataset, 'partitions or changes missing');
  const index = new DatasetIndex();
  for (const row of partitions as unknown[]) index.put(factsOfRow(dataset, row));
  for (const item of changes as unknown[]) {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || typeof item[1] !== 'string' || !KINDS.has(item[1])) throw corrupt(dataset, 'bad change row');
    const change = parseChange(item[0]);
    if (!change) throw corrupt(dataset, `bad change name ${item[0]}`);
    index.addChange({ ...change, change: item[1] as ChangeRecord['change'] });
  }
  const through = value['changes_through'];
  if (through !== (index.lastChange()?.name ?? null)) throw corrupt(dataset, 'changes_through does not match the changes');
  return index;
}

function factsOfRow(dataset: string, row: unknown): PartitionFacts {
  if (!Array.isArray(row) || row.length !== 13) throw corrupt(dataset, 'bad partition row');
  const [path, startMs, endMs, status, version, rows, bytes, fileCount, duplicates, lateRows, updatedAt, completedAt, etag] = row as unknown[];
  const numbers = [startMs, endMs, version, rows, bytes, fileCount, duplicates, lateRows];
  if (typeof path !== 'string' || path === '' || numbers.some((n) => typeof n !== 'number' || !Number.isFinite(n))) throw corrupt(dataset, 'bad partition row');
  if ((status !== 'open' && status !== 'complete') || typeof updatedAt !== 'string' || typeof etag !== 'string' || (completedAt !== null && typeof completedAt !== 'string')) throw corrupt(dataset, `bad partition row ${path}`);
  return {
    path,
    startMs: startMs as number,
    endMs: endMs as number,
    status,
    version: version as number,
    rows: rows as number,
    bytes: bytes as number,
    fileCount: fileCount as number,
    duplicates: duplicates as number,
    lateRows: lateRows as number,
    updatedAt,
    completedAt: completedAt as string | null,
    etag,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function corrupt(dataset: string, why: string): TukangError {
  return new TukangError('METADATA_CORRUPT', `catalog index snapshot of ${dataset}: ${why}`);
}

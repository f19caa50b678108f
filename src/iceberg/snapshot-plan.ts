/**
 * Plans one Iceberg snapshot from Tukang's committed partition states: which data files each
 * changed partition now has, compared with the table's current manifests. Pure apart from the
 * `readManifest` callback. Manifests are grouped by bucket (a day of hourly partitions, a month
 * of daily ones): a change rewrites only its bucket's manifest, and the manifest list has one
 * entry per bucket, so metadata stays small however many commits a table gets.
 */
import type { FileCommit, PartitionState } from '../lake/metadata-types.js';
import { partitionBounds, partitionValues } from '../lake/hive-path.js';
import { LINEAGE_COLUMNS } from '../core/records.js';
import { STATUS, type ManifestEntry, type ManifestFile, type PartitionValue } from './manifests.js';
import { fieldId, type TableLayout } from './table-schema.js';

export interface PlannedManifest {
  bucket: string;
  entries: ManifestEntry[];
  /** The manifest-list entry, without path and length (known once written). */
  summary: Omit<ManifestFile, 'path' | 'length'>;
}

export interface SnapshotPlan {
  /** Manifests to write for the buckets that changed. */
  manifests: PlannedManifest[];
  /** Manifests of the current snapshot that stay as they are. */
  kept: ManifestFile[];
  /** Manifests the new snapshot no longer lists (rewritten buckets). */
  replaced: ManifestFile[];
  addedFiles: number;
  deletedFiles: number;
  addedRows: number;
  deletedRows: number;
}

export interface PlanInput {
  layout: TableLayout;
  current: ReadonlyArray<{ bucket: string; file: ManifestFile }>;
  states: readonly PartitionState[];
  snapshotId: number;
  sequenceNumber: number;
  readManifest(file: ManifestFile): Promise<ManifestEntry[]>;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** `event_date=2026-11-21/event_hour=10/kind=a` → [hours since the epoch, 'a'] (days for daily tables). */
export function partitionTuple(layout: TableLayout, partitionPath: string): PartitionValue[] {
  const values = partitionValues(partitionPath);
  const { startMs } = partitionBounds(partitionPath);
  return layout.partitionKeys.map((k) => {
    if (k.kind === 'hour') return Math.floor(startMs / HOUR_MS);
    if (k.kind === 'day') return Math.floor(startMs / DAY_MS);
    return values[k.hiveKey] ?? null;
  });
}

export function bucketOf(layout: TableLayout, tuple: readonly PartitionValue[]): string {
  const time = tuple[0];
  const kind = layout.partitionKeys[0]?.kind;
  if (typeof time !== 'number') return 'none';
  const iso = new Date(time * (kind === 'hour' ? HOUR_MS : DAY_MS)).toISOString();
  return kind === 'hour' ? iso.slice(0, 10) : iso.slice(0, 7);
}

export async function planSnapshot(input: PlanInput): Promise<SnapshotPlan | undefined> {
  const { layout, snapshotId, sequenceNumber } = input;
  const byBucket = new Map<string, Array<{ tuple: PartitionValue[]; state: PartitionState }>>();
  for (const state of input.states) {
    const tuple = partitionTuple(layout, state.partition_path);
    const bucket = bucketOf(layout, tuple);
    byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), { tuple, state }]);
  }
  const plan: SnapshotPlan = { manifests: [], kept: [], replaced: [], addedFiles: 0, deletedFiles: 0, addedRows: 0, deletedRows: 0 };
  const currentByBucket = new Map(input.current.map((c) => [c.bucket, c.file]));
  for (const [bucket, changed] of byBucket) {
    const old = currentByBucket.get(bucket);
    const oldEntries = old ? await input.readManifest(old) : [];
    // Live entries with their sequence numbers made explicit (ADDED ones inherit the manifest's).
    const live = new Map<string, ManifestEntry>();
    for (const e of oldEntries) {
      if (e.status === STATUS.deleted || !old) continue;
      live.set(e.path, { ...e, sequenceNumber: e.sequenceNumber ?? old.sequenceNumber, fileSequenceNumber: e.fileSequenceNumber ?? old.sequenceNumber });
    }
    const changedKeys = new Set(changed.map((c) => JSON.stringify(c.tuple)));
    const entries: ManifestEntry[] = [];
    let added = 0;
    let deleted = 0;
    for (const e of live.values()) {
      if (!changedKeys.has(JSON.stringify(e.partition))) entries.push({ ...e, status: STATUS.existing });
    }
    for (const { tuple, state } of changed) {
      const wanted = new Set(state.files.map((f) => f.uri));
      for (const f of state.files) {
        const existing = live.get(f.uri);
        if (existing) entries.push({ ...existing, status: STATUS.existing, partition: tuple });
        else {
          entries.push(dataFileEntry(layout, f, tuple, snapshotId));
          added++;
          plan.addedRows += f.rows;
        }
      }
      for (const e of live.values()) {
        if (JSON.stringify(e.partition) === JSON.stringify(tuple) && !wanted.has(e.path)) {
          entries.push({ ...e, status: STATUS.deleted, snapshotId });
          deleted++;
          plan.deletedRows += e.recordCount;
        }
      }
    }
    if (added === 0 && deleted === 0) continue;
    plan.addedFiles += added;
    plan.deletedFiles += deleted;
    plan.manifests.push({ bucket, entries, summary: manifestSummary(layout, entries, snapshotId, sequenceNumber) });
    if (old) plan.replaced.push(old);
  }
  if (plan.manifests.length === 0) return undefined;
  const rewritten = new Set(plan.manifests.map((m) => m.bucket));
  plan.kept = input.current.filter((c) => !rewritten.has(c.bucket)).map((c) => c.file);
  return plan;
}

function dataFileEntry(layout: TableLayout, f: FileCommit, tuple: PartitionValue[], snapshotId: number): ManifestEntry {
  const lower: Array<[number, Uint8Array]> = [];
  const upper: Array<[number, Uint8Array]> = [];
  const add = (name: string, lo: Uint8Array, hi: Uint8Array): void => {
    const id = fieldId(layout, name);
    if (id === undefined) return;
    lower.push([id, lo]);
    upper.push([id, hi]);
  };
  add(LINEAGE_COLUMNS.eventTime, micros(Date.parse(f.min_event_at)), micros(Date.parse(f.max_event_at)));
  add(LINEAGE_COLUMNS.partition, int32(f.source.partition), int32(f.source.partition));
  add(LINEAGE_COLUMNS.offset, int64(f.source.first_offset), int64(f.source.last_offset));
  return {
    status: STATUS.added,
    snapshotId,
    sequenceNumber: null,
    fileSequenceNumber: null,
    path: f.uri,
    partition: tuple,
    recordCount: f.rows,
    sizeBytes: f.bytes,
    lowerBounds: lower,
    upperBounds: upper,
  };
}

function manifestSummary(layout: TableLayout, entries: readonly ManifestEntry[], snapshotId: number, sequenceNumber: number): PlannedManifest['summary'] {
  const count = (status: number): { files: number; rows: number } => {
    const matching = entries.filter((e) => e.status === status);
    return { files: matching.length, rows: matching.reduce((n, e) => n + e.recordCount, 0) };
  };
  const liveSeqs = entries.filter((e) => e.status !== STATUS.deleted).map((e) => e.sequenceNumber ?? sequenceNumber);
  const [added, existing, deleted] = [count(STATUS.added), count(STATUS.existing), count(STATUS.deleted)];
  return {
    sequenceNumber,
    minSequenceNumber: liveSeqs.length === 0 ? sequenceNumber : Math.min(...liveSeqs),
    addedSnapshotId: snapshotId,
    addedFiles: added.files,
    existingFiles: existing.files,
    deletedFiles: deleted.files,
    addedRows: added.rows,
    existingRows: existing.rows,
    deletedRows: deleted.rows,
    partitions: layout.spec.fields.map((field, i) => {
      const values = entries.map((e) => e.partition[i] ?? null);
      const present = values.filter((v): v is number | string => v !== null);
      const sorted = [...present].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const encode = (v: number | string | undefined): Uint8Array | null => (v === undefined ? null : typeof v === 'number' ? int32(v) : Buffer.from(v, 'utf8'));
      return { containsNull: present.length < values.length, lower: field ? encode(sorted[0]) : null, upper: encode(sorted.at(-1)) };
    }),
  };
}

/** Iceberg's single-value serialization (spec Appendix D): little-endian. */
export function int32(v: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
}

export function int64(v: number): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
}

function micros(ms: number): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(ms) * 1000n);
  return b;
}

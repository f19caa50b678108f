/**
 * Iceberg table metadata (format version 2, spec "Table Metadata"): the JSON document each commit
 * writes as `v<N>.metadata.json`. Pure functions: a new table, a snapshot added on top, and the
 * retention that keeps the document bounded.
 */
import { randomUUID } from 'node:crypto';
import type { IcebergSchema, PartitionSpec, SortOrder, TableLayout } from './table-schema.js';

export interface Snapshot {
  'snapshot-id': number;
  'parent-snapshot-id'?: number;
  'sequence-number': number;
  'timestamp-ms': number;
  'manifest-list': string;
  summary: Record<string, string> & { operation: 'append' | 'overwrite' | 'replace' | 'delete' };
  'schema-id': number;
}

export interface TableMetadata {
  'format-version': 2;
  'table-uuid': string;
  location: string;
  'last-sequence-number': number;
  'last-updated-ms': number;
  'last-column-id': number;
  'current-schema-id': number;
  schemas: IcebergSchema[];
  'default-spec-id': number;
  'partition-specs': PartitionSpec[];
  'last-partition-id': number;
  'default-sort-order-id': number;
  'sort-orders': Array<SortOrder | { 'order-id': 0; fields: [] }>;
  properties: Record<string, string>;
  'current-snapshot-id'?: number;
  refs?: Record<string, { 'snapshot-id': number; type: 'branch' | 'tag' }>;
  snapshots: Snapshot[];
  'snapshot-log': Array<{ 'snapshot-id': number; 'timestamp-ms': number }>;
  'metadata-log': Array<{ 'metadata-file': string; 'timestamp-ms': number }>;
}

export interface Retention {
  /** Snapshots kept at most (the newest); the current one always. */
  maxSnapshots: number;
  /** Snapshots older than this are expired even below maxSnapshots. */
  maxSnapshotAgeMs: number;
  /** Entries of the metadata log (previous metadata files) kept. */
  metadataLogSize: number;
}

export function newTableMetadata(layout: TableLayout, location: string, dataLocation: string, nowMs: number): TableMetadata {
  return {
    'format-version': 2,
    'table-uuid': randomUUID(),
    location,
    'last-sequence-number': 0,
    'last-updated-ms': nowMs,
    'last-column-id': layout.lastColumnId,
    'current-schema-id': layout.schema['schema-id'],
    schemas: [layout.schema],
    'default-spec-id': layout.spec['spec-id'],
    'partition-specs': [layout.spec],
    'last-partition-id': Math.max(999, ...layout.spec.fields.map((f) => f['field-id'])),
    'default-sort-order-id': layout.sortOrder['order-id'],
    'sort-orders': [{ 'order-id': 0, fields: [] }, layout.sortOrder],
    properties: {
      'schema.name-mapping.default': JSON.stringify(layout.nameMapping),
      'write.data.path': dataLocation,
      'write.parquet.compression-codec': 'zstd',
      // Tukang is the only writer; engines reading through the catalog must not commit.
      'tukang.managed': 'true',
    },
    snapshots: [],
    'snapshot-log': [],
    'metadata-log': [],
  };
}

/** The metadata with `snapshot` as the new current snapshot, then retention applied. */
export function withSnapshot(base: TableMetadata, snapshot: Snapshot, previousFile: string | null, retention: Retention): { metadata: TableMetadata; expired: Snapshot[] } {
  const now = snapshot['timestamp-ms'];
  const all = [...base.snapshots, snapshot];
  const minTime = now - retention.maxSnapshotAgeMs;
  const keep = new Set<number>();
  // Newest first: the current snapshot always, then younger ones up to the cap.
  for (const s of [...all].reverse()) {
    if (keep.size === 0 || (keep.size < retention.maxSnapshots && s['timestamp-ms'] >= minTime)) keep.add(s['snapshot-id']);
  }
  const snapshots = all.filter((s) => keep.has(s['snapshot-id']));
  const expired = all.filter((s) => !keep.has(s['snapshot-id']));
  const oldest = snapshots[0]?.['timestamp-ms'] ?? now;
  const log = [...base['snapshot-log'], { 'snapshot-id': snapshot['snapshot-id'], 'timestamp-ms': now }].filter((e) => keep.has(e['snapshot-id']) && e['timestamp-ms'] >= oldest);
  const metadataLog = previousFile === null ? base['metadata-log'] : [...base['metadata-log'], { 'metadata-file': previousFile, 'timestamp-ms': base['last-updated-ms'] }];
  return {
    metadata: {
      ...base,
      'last-sequence-number': snapshot['sequence-number'],
      'last-updated-ms': now,
      'current-snapshot-id': snapshot['snapshot-id'],
      refs: { main: { 'snapshot-id': snapshot['snapshot-id'], type: 'branch' } },
      snapshots,
      'snapshot-log': log,
      'metadata-log': metadataLog.slice(-retention.metadataLogSize),
    },
    expired,
  };
}

export function currentSnapshot(metadata: TableMetadata): Snapshot | undefined {
  const id = metadata['current-snapshot-id'];
  return id === undefined ? undefined : metadata.snapshots.find((s) => s['snapshot-id'] === id);
}

/** A positive snapshot id below 2^53 (JSON numbers and Avro longs both hold it exactly). */
export function newSnapshotId(): number {
  return Math.floor(Math.random() * (Number.MAX_SAFE_INTEGER - 1)) + 1;
}

/**
 * Iceberg manifests (one Avro file listing data files with their partition tuple and bounds) and
 * manifest lists (one Avro file per snapshot listing its manifests), format version 2. The Avro
 * schemas carry Iceberg's field ids (spec: "Manifests", "Manifest Lists").
 */
import type { AvroField, AvroRecord, AvroType, AvroValue } from './avro/avro-codec.js';
import { readAvroFile, writeAvroFile } from './avro/avro-file.js';
import type { TableLayout } from './table-schema.js';

export type PartitionValue = number | string | null;

export const STATUS = { existing: 0, added: 1, deleted: 2 } as const;

export interface ManifestEntry {
  status: 0 | 1 | 2;
  snapshotId: number;
  /** Null for ADDED entries: inherited from the manifest list at commit. */
  sequenceNumber: number | null;
  fileSequenceNumber: number | null;
  path: string;
  partition: PartitionValue[];
  recordCount: number;
  sizeBytes: number;
  lowerBounds: Array<[number, Uint8Array]>;
  upperBounds: Array<[number, Uint8Array]>;
}

export interface ManifestFile {
  path: string;
  length: number;
  sequenceNumber: number;
  minSequenceNumber: number;
  addedSnapshotId: number;
  addedFiles: number;
  existingFiles: number;
  deletedFiles: number;
  addedRows: number;
  existingRows: number;
  deletedRows: number;
  partitions: Array<{ containsNull: boolean; lower: Uint8Array | null; upper: Uint8Array | null }>;
}

const optional = (name: string, type: AvroType, id: number): AvroField => ({ name, type: ['null', type], default: null, 'field-id': id });

function boundsType(keyId: number, valueId: number): AvroType {
  return {
    type: 'array',
    logicalType: 'map',
    items: { type: 'record', name: `k${keyId}_v${valueId}`, fields: [{ name: 'key', type: 'int', 'field-id': keyId }, { name: 'value', type: 'bytes', 'field-id': valueId }] },
  };
}

export function manifestEntrySchema(layout: TableLayout): AvroRecord {
  const partition: AvroRecord = {
    type: 'record',
    name: 'r102',
    fields: layout.spec.fields.map((f) =>
      optional(f.name, f.transform === 'identity' ? 'string' : f.transform === 'day' ? { type: 'int', logicalType: 'date' } : 'int', f['field-id']),
    ),
  };
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      { name: 'status', type: 'int', 'field-id': 0 },
      optional('snapshot_id', 'long', 1),
      optional('sequence_number', 'long', 3),
      optional('file_sequence_number', 'long', 4),
      {
        name: 'data_file',
        'field-id': 2,
        type: {
          type: 'record',
          name: 'r2',
          fields: [
            { name: 'content', type: 'int', 'field-id': 134 },
            { name: 'file_path', type: 'string', 'field-id': 100 },
            { name: 'file_format', type: 'string', 'field-id': 101 },
            { name: 'partition', type: partition, 'field-id': 102 },
            { name: 'record_count', type: 'long', 'field-id': 103 },
            { name: 'file_size_in_bytes', type: 'long', 'field-id': 104 },
            optional('lower_bounds', boundsType(126, 127), 125),
            optional('upper_bounds', boundsType(129, 130), 128),
            optional('sort_order_id', 'int', 140),
          ],
        },
      },
    ],
  };
}

export const MANIFEST_FILE_SCHEMA: AvroRecord = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    { name: 'manifest_path', type: 'string', 'field-id': 500 },
    { name: 'manifest_length', type: 'long', 'field-id': 501 },
    { name: 'partition_spec_id', type: 'int', 'field-id': 502 },
    { name: 'content', type: 'int', 'field-id': 517 },
    { name: 'sequence_number', type: 'long', 'field-id': 515 },
    { name: 'min_sequence_number', type: 'long', 'field-id': 516 },
    { name: 'added_snapshot_id', type: 'long', 'field-id': 503 },
    { name: 'added_files_count', type: 'int', 'field-id': 504 },
    { name: 'existing_files_count', type: 'int', 'field-id': 505 },
    { name: 'deleted_files_count', type: 'int', 'field-id': 506 },
    { name: 'added_rows_count', type: 'long', 'field-id': 512 },
    { name: 'existing_rows_count', type: 'long', 'field-id': 513 },
    { name: 'deleted_rows_count', type: 'long', 'field-id': 514 },
    optional(
      'partitions',
      {
        type: 'array',
        'element-id': 508,
        items: {
          type: 'record',
          name: 'r508',
          fields: [
            { name: 'contains_null', type: 'boolean', 'field-id': 509 },
            optional('contains_nan', 'boolean', 518),
            optional('lower_bound', 'bytes', 510),
            optional('upper_bound', 'bytes', 511),
          ],
        },
      },
      507,
    ),
  ],
};

export function encodeManifest(layout: TableLayout, entries: readonly ManifestEntry[]): Uint8Array {
  const schema = manifestEntrySchema(layout);
  const metadata = {
    schema: JSON.stringify(layout.schema),
    'schema-id': String(layout.schema['schema-id']),
    'partition-spec': JSON.stringify(layout.spec.fields),
    'partition-spec-id': String(layout.spec['spec-id']),
    'format-version': '2',
    content: 'data',
  };
  const records = entries.map((e) => ({
    status: e.status,
    snapshot_id: e.snapshotId,
    sequence_number: e.sequenceNumber,
    file_sequence_number: e.fileSequenceNumber,
    data_file: {
      content: 0,
      file_path: e.path,
      file_format: 'PARQUET',
      partition: Object.fromEntries(layout.spec.fields.map((f, i) => [f.name, e.partition[i] ?? null])),
      record_count: e.recordCount,
      file_size_in_bytes: e.sizeBytes,
      lower_bounds: e.lowerBounds.map(([key, value]) => ({ key, value })),
      upper_bounds: e.upperBounds.map(([key, value]) => ({ key, value })),
      sort_order_id: layout.sortOrder['order-id'],
    },
  }));
  return writeAvroFile(schema, metadata, records);
}

type AvroObject = { [field: string]: AvroValue };

const num = (v: AvroValue | undefined): number => (typeof v === 'number' ? v : 0);
const numOrNull = (v: AvroValue | undefined): number | null => (typeof v === 'number' ? v : null);
const obj = (v: AvroValue | undefined): AvroObject => (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) ? v : {});
const bytesOrNull = (v: AvroValue | undefined): Uint8Array | null => (v instanceof Uint8Array ? v : null);

function bounds(v: AvroValue | undefined): Array<[number, Uint8Array]> {
  if (!Array.isArray(v)) return [];
  return v.map((kv) => [num(obj(kv)['key']), bytesOrNull(obj(kv)['value']) ?? new Uint8Array(0)]);
}

/** Reads a manifest Tukang wrote; the partition tuple comes back in the order of the file's schema. */
export function decodeManifest(bytes: Uint8Array): ManifestEntry[] {
  return readAvroFile(bytes).records.map((r) => {
    const file = obj(r['data_file']);
    const partition = Object.values(obj(file['partition'])).map((v) => (typeof v === 'number' || typeof v === 'string' ? v : null));
    const status = num(r['status']);
    return {
      status: status === 1 ? 1 : status === 2 ? 2 : 0,
      snapshotId: num(r['snapshot_id']),
      sequenceNumber: numOrNull(r['sequence_number']),
      fileSequenceNumber: numOrNull(r['file_sequence_number']),
      path: String(file['file_path']),
      partition,
      recordCount: num(file['record_count']),
      sizeBytes: num(file['file_size_in_bytes']),
      lowerBounds: bounds(file['lower_bounds']),
      upperBounds: bounds(file['upper_bounds']),
    };
  });
}

export function encodeManifestList(files: readonly ManifestFile[], snapshot: { id: number; parentId: number | null; sequenceNumber: number }): Uint8Array {
  const metadata: Record<string, string> = {
    'snapshot-id': String(snapshot.id),
    'parent-snapshot-id': snapshot.parentId === null ? 'null' : String(snapshot.parentId),
    'sequence-number': String(snapshot.sequenceNumber),
    'format-version': '2',
  };
  return writeAvroFile(
    MANIFEST_FILE_SCHEMA,
    metadata,
    files.map((m) => ({
      manifest_path: m.path,
      manifest_length: m.length,
      partition_spec_id: 0,
      content: 0,
      sequence_number: m.sequenceNumber,
      min_sequence_number: m.minSequenceNumber,
      added_snapshot_id: m.addedSnapshotId,
      added_files_count: m.addedFiles,
      existing_files_count: m.existingFiles,
      deleted_files_count: m.deletedFiles,
      added_rows_count: m.addedRows,
      existing_rows_count: m.existingRows,
      deleted_rows_count: m.deletedRows,
      partitions: m.partitions.map((p) => ({ contains_null: p.containsNull, contains_nan: null, lower_bound: p.lower, upper_bound: p.upper })),
    })),
  );
}

export function decodeManifestList(bytes: Uint8Array): ManifestFile[] {
  return readAvroFile(bytes).records.map((r) => ({
    path: String(r['manifest_path']),
    length: num(r['manifest_length']),
    sequenceNumber: num(r['sequence_number']),
    minSequenceNumber: num(r['min_sequence_number']),
    addedSnapshotId: num(r['added_snapshot_id']),
    addedFiles: num(r['added_files_count']),
    existingFiles: num(r['existing_files_count']),
    deletedFiles: num(r['deleted_files_count']),
    addedRows: num(r['added_rows_count']),
    existingRows: num(r['existing_rows_count']),
    deletedRows: num(r['deleted_rows_count']),
    partitions: (Array.isArray(r['partitions']) ? r['partitions'] : []).map((p) => ({
      containsNull: obj(p)['contains_null'] === true,
      lower: bytesOrNull(obj(p)['lower_bound']),
      upper: bytesOrNull(obj(p)['upper_bound']),
    })),
  }));
}

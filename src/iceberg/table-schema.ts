/**
 * A dataset's Iceberg schema, partition spec, sort order and name mapping, derived from its
 * resolved schema. Field ids are the ones the data files carry as Parquet field ids (file column
 * order, nested fields depth-first: writing/parquet/field-ids.ts), then the partitioning fields,
 * which no file stores; the same dataset config always gives the same ids. The name mapping
 * (`schema.name-mapping.default`) stays for readers that match columns by name.
 */
import type { DatasetConfig } from '../config/schema.js';
import { LINEAGE_COLUMNS } from '../core/records.js';
import type { ResolvedColumn, ResolvedSchema } from '../core/resolved-schema.js';
import { LINEAGE_ORDER, fileFieldIds, type FieldIdNode } from '../writing/parquet/field-ids.js';

export type IcebergType = string | IcebergStruct | IcebergList;

export interface IcebergField {
  id: number;
  name: string;
  required: boolean;
  type: IcebergType;
  doc?: string;
}

export interface IcebergStruct {
  type: 'struct';
  fields: IcebergField[];
}

export interface IcebergList {
  type: 'list';
  'element-id': number;
  'element-required': boolean;
  element: IcebergType;
}

export interface IcebergSchema extends IcebergStruct {
  'schema-id': number;
}

export interface PartitionField {
  'source-id': number;
  'field-id': number;
  name: string;
  transform: 'hour' | 'day' | 'identity';
}

export interface PartitionSpec {
  'spec-id': number;
  fields: PartitionField[];
}

export interface SortOrder {
  'order-id': number;
  fields: Array<{ transform: 'identity'; 'source-id': number; direction: 'asc'; 'null-order': 'nulls-first' }>;
}

export interface NameMapping {
  'field-id': number;
  names: string[];
  fields?: NameMapping[];
}

export interface TableLayout {
  schema: IcebergSchema;
  spec: PartitionSpec;
  sortOrder: SortOrder;
  nameMapping: NameMapping[];
  lastColumnId: number;
  /** Partition field names in spec order, with how each value is read from a Hive path. */
  partitionKeys: Array<{ name: string; kind: 'hour' | 'day' | 'identity'; hiveKey: string }>;
}

/** The first partition field id (Iceberg's convention). */
const FIRST_PARTITION_FIELD_ID = 1000;

const SCALAR: Record<string, string> = {
  string: 'string',
  boolean: 'boolean',
  int32: 'int',
  int64: 'long',
  float64: 'double',
  timestamp: 'timestamptz',
  date: 'date',
  json: 'string',
};

const LINEAGE: Array<{ name: string; type: string; doc: string }> = [
  { name: LINEAGE_COLUMNS.eventId, type: 'string', doc: 'The event id (deduplication key).' },
  { name: LINEAGE_COLUMNS.eventTime, type: 'timestamptz', doc: 'The event time, UTC; the table is partitioned and sorted by it.' },
  { name: LINEAGE_COLUMNS.topic, type: 'string', doc: 'The Kafka topic the event was read from.' },
  { name: LINEAGE_COLUMNS.partition, type: 'int', doc: 'The Kafka partition the event was read from.' },
  { name: LINEAGE_COLUMNS.offset, type: 'long', doc: 'The Kafka offset of the event.' },
  { name: LINEAGE_COLUMNS.receivedAt, type: 'timestamptz', doc: 'When Tukang received the event, UTC.' },
];

export function tableLayout(dataset: DatasetConfig, resolved: ResolvedSchema): TableLayout {
  // The ids the data files carry (Parquet field ids), then the partitioning fields' after them.
  const ids = fileFieldIds(resolved.columns);
  let nextId = ids.lastId + 1;
  const mapping: NameMapping[] = [];
  const convert = (column: ResolvedColumn, node: FieldIdNode | undefined, into: NameMapping[]): IcebergField => {
    if (!node) throw new TypeError(`column ${column.name} has no field id`);
    const entry: NameMapping = { 'field-id': node.id, names: [column.name] };
    into.push(entry);
    return { id: node.id, name: column.name, required: !column.nullable, type: convertType(column, node, entry), ...(column.description ? { doc: column.description } : {}) };
  };
  const convertType = (column: ResolvedColumn, node: FieldIdNode, entry: NameMapping): IcebergType => {
    if (column.type === 'struct') {
      entry.fields = [];
      const nested = entry.fields;
      return { type: 'struct', fields: (column.fields ?? []).map((f, i) => convert(f, node.children[i], nested)) };
    }
    if (column.type === 'list') {
      const items = column.items;
      const elementNode = node.children[0];
      if (!items || !elementNode) throw new TypeError(`list column ${column.name} has no items`);
      const element: NameMapping = { 'field-id': elementNode.id, names: ['element'] };
      entry.fields = [element];
      return { type: 'list', 'element-id': elementNode.id, 'element-required': !items.nullable, element: convertType(items, elementNode, element) };
    }
    const scalar = SCALAR[column.type];
    if (!scalar) throw new TypeError(`column ${column.name} has type ${column.type}, which has no Iceberg type`);
    return scalar;
  };

  const fields: IcebergField[] = resolved.columns.map((c, i) => convert(c, ids.columns[i], mapping));
  // Partitioning fields are not stored in the files: readers take their values from the
  // partition tuple of each file (identity transform), as Hive readers take them from the path.
  const identity: Array<{ name: string; id: number }> = [];
  for (const p of resolved.partitionFields) {
    const id = nextId++;
    identity.push({ name: p.name, id });
    mapping.push({ 'field-id': id, names: [p.name] });
    fields.push({ id, name: p.name, required: false, type: 'string', doc: `Partitioning field (the Hive path key ${p.name}).` });
  }
  let eventTimeId = 0;
  for (const l of LINEAGE) {
    const id = ids.lineage[LINEAGE_ORDER.indexOf(l.name)];
    if (id === undefined) throw new TypeError(`lineage column ${l.name} has no field id`);
    if (l.name === LINEAGE_COLUMNS.eventTime) eventTimeId = id;
    mapping.push({ 'field-id': id, names: [l.name] });
    fields.push({ id, name: l.name, required: true, type: l.type, doc: l.doc });
  }

  const granularity = dataset.partitioning.granularity;
  const timeName = granularity === 'hour' ? 'event_hour' : 'event_date';
  const partitionFields: PartitionField[] = [{ 'source-id': eventTimeId, 'field-id': FIRST_PARTITION_FIELD_ID, name: timeName, transform: granularity }];
  identity.forEach((p, i) => partitionFields.push({ 'source-id': p.id, 'field-id': FIRST_PARTITION_FIELD_ID + 1 + i, name: p.name, transform: 'identity' }));
  return {
    schema: { type: 'struct', 'schema-id': 0, fields },
    spec: { 'spec-id': 0, fields: partitionFields },
    sortOrder: { 'order-id': 1, fields: [{ transform: 'identity', 'source-id': eventTimeId, direction: 'asc', 'null-order': 'nulls-first' }] },
    nameMapping: mapping,
    lastColumnId: nextId - 1,
    partitionKeys: [{ name: timeName, kind: granularity, hiveKey: 'event_date' }, ...identity.map((p) => ({ name: p.name, kind: 'identity' as const, hiveKey: p.name }))],
  };
}

/** The Iceberg field id of a top-level column, for file statistics. */
export function fieldId(layout: TableLayout, name: string): number | undefined {
  return layout.schema.fields.find((f) => f.name === name)?.id;
}

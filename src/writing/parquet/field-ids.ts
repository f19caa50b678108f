/**
 * Field ids of a data file's columns, written as Arrow field metadata `PARQUET:field_id` (which
 * the Parquet writer turns into the schema's field_id) so Iceberg readers match columns by id.
 * The rule is the one the Iceberg table schema uses (src/iceberg/table-schema.ts takes its ids
 * from here): ids from 1 in file column order, depth-first (a column, then its struct fields or
 * its list element), the dataset's columns first and the lineage columns after them.
 */
import { DataType, Field, List, Struct } from 'apache-arrow';
import { LINEAGE_COLUMNS } from '../../core/records.js';
import type { ResolvedColumn } from '../../core/resolved-schema.js';

export const FIELD_ID_METADATA_KEY = 'PARQUET:field_id';

/** A column's id and those of its struct fields (in order) or of its list element. */
export interface FieldIdNode {
  id: number;
  children: FieldIdNode[];
}

export interface FileFieldIds {
  columns: FieldIdNode[];
  /** Ids of the lineage columns, in the order every file carries them. */
  lineage: number[];
  /** The highest id assigned. */
  lastId: number;
}

/** The lineage columns in file order (lineage-columns.ts writes them so). */
export const LINEAGE_ORDER: readonly string[] = [LINEAGE_COLUMNS.eventId, LINEAGE_COLUMNS.eventTime, LINEAGE_COLUMNS.topic, LINEAGE_COLUMNS.partition, LINEAGE_COLUMNS.offset, LINEAGE_COLUMNS.receivedAt];

export function fileFieldIds(columns: readonly ResolvedColumn[]): FileFieldIds {
  let next = 1;
  const childrenOf = (column: ResolvedColumn): FieldIdNode[] => {
    if (column.type === 'struct') return (column.fields ?? []).map(node);
    if (column.type === 'list' && column.items) {
      const id = next++;
      return [{ id, children: childrenOf(column.items) }];
    }
    return [];
  };
  const node = (column: ResolvedColumn): FieldIdNode => {
    const id = next++;
    return { id, children: childrenOf(column) };
  };
  const nodes = columns.map(node);
  const lineage = LINEAGE_ORDER.map(() => next++);
  return { columns: nodes, lineage, lastId: next - 1 };
}

/** `field` (and its nested fields) with their ids in the field metadata. */
export function withFieldId(field: Field, node: FieldIdNode): Field {
  const metadata = new Map(field.metadata);
  metadata.set(FIELD_ID_METADATA_KEY, String(node.id));
  return new Field(field.name, withChildIds(field.type, node.children), field.nullable, metadata);
}

function withChildIds(type: DataType, children: readonly FieldIdNode[]): DataType {
  if (DataType.isStruct(type)) return new Struct(type.children.map((f, i) => (children[i] ? withFieldId(f, children[i]) : f)));
  if (DataType.isList(type)) {
    const element = type.children[0];
    return element && children[0] ? new List(withFieldId(element, children[0])) : type;
  }
  return type;
}

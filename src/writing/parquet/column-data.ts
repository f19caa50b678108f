/**
 * Arrow data and fields for the dataset's own columns, dispatched on the configured type.
 * A field's type is taken from the data built for it, so the schema can never disagree with
 * the buffers (timezones, list element names, struct children).
 */
import { Field, type Data } from 'apache-arrow';
import type { ResolvedColumn } from '../../core/resolved-schema.js';
import { buildBool, buildDateDay, buildFloat64, buildInt32, buildInt64, buildTimestamp, buildUtf8, type ColumnValues } from './flat-vectors.js';
import { buildList, buildStruct } from './nested-vectors.js';

/** Field metadata key for a column's description; readers that keep the Arrow schema see it. */
export const DESCRIPTION_METADATA_KEY = 'description';

export function buildColumnData(column: ResolvedColumn, values: ColumnValues, nullsAllowed: boolean = column.nullable): Data {
  switch (column.type) {
    case 'string':
      return buildUtf8(values, column.name, nullsAllowed);
    case 'json':
      // JSON columns normally arrive serialized; a structured value is serialized here rather than rejected.
      return buildUtf8(values, column.name, nullsAllowed, true);
    case 'boolean':
      return buildBool(values, column.name, nullsAllowed);
    case 'int32':
      return buildInt32(values, column.name, nullsAllowed);
    case 'int64':
      return buildInt64(values, column.name, nullsAllowed);
    case 'float64':
      return buildFloat64(values, column.name, nullsAllowed);
    case 'timestamp':
      return buildTimestamp(values, column.name, nullsAllowed);
    case 'date':
      return buildDateDay(values, column.name, nullsAllowed);
    case 'struct':
      return buildStruct(column, values, nullsAllowed, buildColumnData, fieldFor);
    case 'list':
      return buildList(column, values, nullsAllowed, buildColumnData, fieldFor);
  }
}

export function fieldFor(column: Pick<ResolvedColumn, 'name' | 'nullable' | 'description'>, data: Data): Field {
  const metadata = column.description === '' ? null : new Map([[DESCRIPTION_METADATA_KEY, column.description]]);
  return new Field(column.name, data.type, column.nullable, metadata);
}

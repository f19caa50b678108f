/**
 * Arrow data for struct and list columns. Their values are regrouped per child (struct fields,
 * list elements) and handed back to the column builder, so nested leaves take the same fast
 * flat paths as top-level columns. Regrouping allocates per row; nested columns are rarer and
 * smaller than the flat ones, so that is the simpler trade.
 */
import { Field, List, Struct, makeData, type Data } from 'apache-arrow';
import type { CellValue } from '../../core/records.js';
import type { ResolvedColumn } from '../../core/resolved-schema.js';
import { markNull } from './arrow-buffers.js';
import { ColumnValueError, type ColumnValues } from './flat-vectors.js';

export type BuildColumn = (column: ResolvedColumn, values: ColumnValues, nullsAllowed: boolean) => Data;
export type FieldFor = (column: ResolvedColumn, data: Data) => Field;

/** Parquet's LIST convention names the element field "element"; readers expect it. */
const LIST_ELEMENT = 'element';

type StructValue = { [field: string]: CellValue };

function isStructValue(value: CellValue | undefined): value is StructValue {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function buildStruct(column: ResolvedColumn, values: ColumnValues, nullsAllowed: boolean, buildColumn: BuildColumn, fieldFor: FieldFor): Data<Struct> {
  const fields = column.fields;
  if (fields === undefined || fields.length === 0) throw new ColumnValueError(column.name, 0, 'struct fields in the schema', null);
  const n = values.length;
  const childValues = fields.map(() => new Array<CellValue | undefined>(n));
  let validity: Uint8Array | undefined;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (isStructValue(v)) {
      for (let f = 0; f < fields.length; f++) {
        const field = fields[f] as ResolvedColumn;
        const fieldValue = v[field.name];
        // Checked here rather than in the child: only here is it known that the parent is valid.
        if (!field.nullable && (fieldValue === null || fieldValue === undefined)) {
          throw new ColumnValueError(`${column.name}.${field.name}`, i, 'a non-null value', fieldValue);
        }
        (childValues[f] as (CellValue | undefined)[])[i] = fieldValue;
      }
    } else if (v === null || v === undefined) {
      if (!nullsAllowed) throw new ColumnValueError(column.name, i, 'a non-null struct', v);
      validity = markNull(validity, i, n);
      nulls++;
      for (const child of childValues) child[i] = null;
    } else throw new ColumnValueError(column.name, i, 'an object', v);
  }
  // Children of null structs hold nulls even when the field is required; Arrow and Parquet allow
  // that because the parent's validity masks them.
  const children = fields.map((field, f) => buildColumn(field, childValues[f] as ColumnValues, field.nullable || nulls > 0));
  const type = new Struct(fields.map((field, f) => fieldFor(field, children[f] as Data)));
  return makeData({ type, length: n, nullCount: nulls, nullBitmap: validity ?? null, children });
}

export function buildList(column: ResolvedColumn, values: ColumnValues, nullsAllowed: boolean, buildColumn: BuildColumn, fieldFor: FieldFor): Data<List> {
  const items = column.items;
  if (items === undefined) throw new ColumnValueError(column.name, 0, 'an item type in the schema', null);
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  const elements: (CellValue | undefined)[] = [];
  let validity: Uint8Array | undefined;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (Array.isArray(v)) {
      for (const element of v) elements.push(element);
    } else if (v === null || v === undefined) {
      if (!nullsAllowed) throw new ColumnValueError(column.name, i, 'a non-null list', v);
      validity = markNull(validity, i, n);
      nulls++;
    } else throw new ColumnValueError(column.name, i, 'an array', v);
    offsets[i + 1] = elements.length;
  }
  // Errors in elements name the list column, not the element field.
  const child = buildColumn({ ...items, name: `${column.name}[]` }, elements, items.nullable);
  const type = new List(fieldFor({ ...items, name: LIST_ELEMENT }, child));
  return makeData({ type, length: n, nullCount: nulls, nullBitmap: validity ?? null, valueOffsets: offsets, child });
}

/**
 * RowBatch → Arrow table → Arrow IPC stream bytes, the form the encode workers receive.
 * Column order: the dataset's columns as resolved, then the lineage columns; every field carries
 * its Parquet field id (field-ids.ts).
 */
import { RecordBatch, Schema, Struct, Table, makeData, tableToIPC } from 'apache-arrow';
import { buildColumnData, fieldFor } from './column-data.js';
import { fileFieldIds, withFieldId } from './field-ids.js';
import { buildPackedUtf8 } from './flat-vectors.js';
import { buildLineageColumns, type ColumnData } from './lineage-columns.js';
import type { RowBatch } from '../../buffering/row-batch.js';

export function rowBatchToArrowTable(batch: RowBatch): Table {
  const { columns, values, rowCount } = batch;
  if (values.length !== columns.length) throw new TypeError(`batch has ${values.length} value columns for ${columns.length} schema columns`);
  const built: ColumnData[] = columns.map((column, c) => {
    const columnValues = values[c] ?? [];
    const length = Array.isArray(columnValues) ? columnValues.length : columnValues.offsets.length - 1;
    if (length !== rowCount) throw new TypeError(`column "${column.name}" has ${length} values for ${rowCount} rows`);
    const data = Array.isArray(columnValues) ? buildColumnData(column, columnValues) : buildPackedUtf8(columnValues, column.name, column.nullable);
    return { field: fieldFor(column, data), data };
  });
  built.push(...buildLineageColumns(batch.lineage, rowCount));
  const ids = fileFieldIds(columns);
  const nodes = [...ids.columns, ...ids.lineage.map((id) => ({ id, children: [] }))];
  const fields = built.map((c, i) => (nodes[i] ? withFieldId(c.field, nodes[i]) : c.field));
  const schema = new Schema(fields);
  const rows = makeData({ type: new Struct(fields), length: rowCount, nullCount: 0, children: built.map((c) => c.data) });
  return new Table([new RecordBatch(schema, rows)]);
}

/** Arrow IPC stream bytes in a buffer of their own, so they can be transferred to a worker. */
export function rowBatchToIPC(batch: RowBatch): Uint8Array {
  return tableToIPC(rowBatchToArrowTable(batch), 'stream');
}

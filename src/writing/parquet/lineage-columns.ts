/**
 * The lineage columns every data file carries after the dataset's columns: which event, from
 * which topic, partition and offset, and when Tukang received it. All are required (non-null).
 */
import { Field, Int32, Int64, TimestampMillisecond, Utf8, makeData, type Data } from 'apache-arrow';
import { LINEAGE_COLUMNS } from '../../core/records.js';
import { Int64Writer } from './arrow-buffers.js';
import { ColumnValueError, UTC, buildUtf8 } from './flat-vectors.js';
import type { RowBatchLineage } from '../../buffering/row-batch.js';

export interface ColumnData {
  field: Field;
  data: Data;
}

export function buildLineageColumns(lineage: RowBatchLineage, rowCount: number): ColumnData[] {
  for (const [key, values] of [
    ['eventId', lineage.eventId],
    ['eventTimeMs', lineage.eventTimeMs],
    ['partition', lineage.partition],
    ['offset', lineage.offset],
    ['receivedAtMs', lineage.receivedAtMs],
  ] as const) {
    if (values.length !== rowCount) throw new TypeError(`lineage.${key} has ${values.length} entries for ${rowCount} rows`);
  }
  return [
    column(LINEAGE_COLUMNS.eventId, buildUtf8(lineage.eventId, LINEAGE_COLUMNS.eventId, false)),
    column(LINEAGE_COLUMNS.eventTime, epochMillis(lineage.eventTimeMs, LINEAGE_COLUMNS.eventTime)),
    column(LINEAGE_COLUMNS.topic, repeatedString(lineage.topic, rowCount)),
    column(LINEAGE_COLUMNS.partition, int32s(lineage.partition)),
    column(LINEAGE_COLUMNS.offset, makeData({ type: new Int64(), length: rowCount, data: int64s(lineage.offset, LINEAGE_COLUMNS.offset) })),
    column(LINEAGE_COLUMNS.receivedAt, epochMillis(lineage.receivedAtMs, LINEAGE_COLUMNS.receivedAt)),
  ];
}

function column(name: string, data: Data): ColumnData {
  return { field: new Field(name, data.type, false), data };
}

function int64s(values: Float64Array | readonly number[], name: string): BigInt64Array {
  const writer = new Int64Writer(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) throw new ColumnValueError(name, i, 'a finite number', v);
    writer.setNumber(i, v);
  }
  return writer.array;
}

function epochMillis(values: Float64Array | readonly number[], name: string): Data<TimestampMillisecond> {
  return makeData({ type: new TimestampMillisecond(UTC), length: values.length, data: int64s(values, name) });
}

function int32s(values: Int32Array | readonly number[]): Data<Int32> {
  const data = values instanceof Int32Array ? values : Int32Array.from(values);
  return makeData({ type: new Int32(), length: data.length, data });
}

/**
 * The topic is the same on every row: its bytes are written once and repeated by Buffer.alloc's
 * pattern fill. Parquet's dictionary encoding then stores it once per column chunk.
 */
function repeatedString(value: string, rowCount: number): Data<Utf8> {
  const bytes = Buffer.from(value, 'utf8');
  const offsets = new Int32Array(rowCount + 1);
  for (let i = 1; i <= rowCount; i++) offsets[i] = i * bytes.length;
  const data = bytes.length === 0 || rowCount === 0 ? new Uint8Array(0) : Buffer.alloc(bytes.length * rowCount, bytes);
  return makeData({ type: new Utf8(), length: rowCount, valueOffsets: offsets, data });
}

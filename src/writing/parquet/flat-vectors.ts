/**
 * Arrow data for the flat column types, built straight into their final buffers: one UTF-8
 * Buffer plus Int32 offsets for strings, typed arrays for numbers, a bitmap for booleans.
 * The generic `vectorFromArray` builder was the measured bottleneck (docs/design parquet-engines:
 * ~3× slower overall), so these loops touch each value once and allocate nothing per value.
 */
import { Bool, DateDay, Float64, Int32, Int64, TimestampMillisecond, Utf8, makeData, type Data } from 'apache-arrow';
import type { PackedUtf8 } from '../../buffering/column-cells.js';
import type { CellValue } from '../../core/records.js';
import { jsonText } from '../../core/json-text.js';
import { Int64Writer, markNull } from './arrow-buffers.js';

/** One column's values in row order; `undefined` (a missing struct field) counts as null. */
export type ColumnValues = readonly (CellValue | undefined)[];

/** A value that does not fit its column's type; the encoder reports it as ENCODE_FAILED. */
export class ColumnValueError extends TypeError {
  constructor(column: string, row: number, expected: string, value: unknown) {
    super(`column "${column}", row ${row}: expected ${expected}, got ${describeValue(value)}`);
    this.name = 'ColumnValueError';
  }
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** The timezone recorded on every timestamp column: Parquet then marks it isAdjustedToUTC. */
export const UTC = 'UTC';

const MAX_INT32_OFFSET = 0x7fff_ffff;
const INT64_LIMIT = 2 ** 63;

export function buildUtf8(values: ColumnValues, column: string, nullsAllowed: boolean, stringifyOthers = false): Data<Utf8> {
  const n = values.length;
  // Sizing by UTF-16 length is exact for ASCII; the per-value check below grows it otherwise.
  let chars = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'string') chars += v.length;
  }
  let buffer: Buffer = Buffer.allocUnsafeSlow(chars + (chars >> 4) + 64);
  const offsets = new Int32Array(n + 1);
  let validity: Uint8Array | undefined;
  let nulls = 0;
  let position = 0;
  for (let i = 0; i < n; i++) {
    let v = values[i];
    if (typeof v !== 'string') {
      if (v === null || v === undefined) {
        if (!nullsAllowed) throw new ColumnValueError(column, i, 'a non-null string', v);
        validity = markNull(validity, i, n);
        nulls++;
        offsets[i + 1] = position;
        continue;
      }
      if (!stringifyOthers) throw new ColumnValueError(column, i, 'a string', v);
      v = jsonText(v);
    }
    if (v.length > 0) {
      // Three bytes per UTF-16 unit is the worst case; only when that might not fit is the exact
      // byte length worth computing. Buffer.write would silently truncate otherwise.
      if (buffer.length - position < v.length * 3) {
        const needed = position + Buffer.byteLength(v, 'utf8');
        if (needed > buffer.length) buffer = grownBuffer(buffer, position, needed);
      }
      position += buffer.write(v, position, 'utf8');
      if (position > MAX_INT32_OFFSET) throw new ColumnValueError(column, i, 'less than 2 GiB of text per column', v);
    }
    offsets[i + 1] = position;
  }
  return makeData({
    type: new Utf8(),
    length: n,
    nullCount: nulls,
    nullBitmap: validity ?? null,
    valueOffsets: offsets,
    data: buffer.subarray(0, position),
  });
}

/** A text column a row store packed already (buffering/column-cells.ts): only nulls are checked. */
export function buildPackedUtf8(packed: PackedUtf8, column: string, nullsAllowed: boolean): Data<Utf8> {
  const n = packed.offsets.length - 1;
  if (packed.nullCount > 0 && !nullsAllowed) {
    const validity = packed.validity as Uint8Array;
    let row = 0;
    while (row < n && ((validity[row >> 3] as number) & (1 << (row & 7))) !== 0) row++;
    throw new ColumnValueError(column, row, 'a non-null string', null);
  }
  return makeData({
    type: new Utf8(),
    length: n,
    nullCount: packed.nullCount,
    nullBitmap: packed.nullCount > 0 ? packed.validity : null,
    valueOffsets: packed.offsets,
    data: packed.bytes,
  });
}

function grownBuffer(buffer: Buffer, used: number, needed: number): Buffer {
  const next = Buffer.allocUnsafeSlow(Math.max(needed, buffer.length * 2));
  buffer.copy(next, 0, 0, used);
  return next;
}

export function buildBool(values: ColumnValues, column: string, nullsAllowed: boolean): Data<Bool> {
  const n = values.length;
  const bits = new Uint8Array((n + 7) >> 3);
  let validity: Uint8Array | undefined;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === true) bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
    else if (v === false) continue;
    else if (v === null || v === undefined) {
      if (!nullsAllowed) throw new ColumnValueError(column, i, 'a non-null boolean', v);
      validity = markNull(validity, i, n);
      nulls++;
    } else throw new ColumnValueError(column, i, 'a boolean', v);
  }
  return makeData({ type: new Bool(), length: n, nullCount: nulls, nullBitmap: validity ?? null, data: bits });
}

/** A filled value buffer with its validity, before it gets an Arrow type. */
interface Filled<T> {
  data: T;
  nulls: number;
  validity: Uint8Array | null;
}

/** int32 and date (days since the epoch) share this loop; only the Arrow type differs. */
function fillInt32(values: ColumnValues, column: string, nullsAllowed: boolean, expected: string): Filled<Int32Array> {
  const n = values.length;
  const data = new Int32Array(n);
  let validity: Uint8Array | undefined;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'number' && (v | 0) === v) data[i] = v;
    else if (v === null || v === undefined) {
      if (!nullsAllowed) throw new ColumnValueError(column, i, `a non-null ${expected}`, v);
      validity = markNull(validity, i, n);
      nulls++;
    } else throw new ColumnValueError(column, i, expected, v);
  }
  return { data, nulls, validity: validity ?? null };
}

export function buildInt32(values: ColumnValues, column: string, nullsAllowed: boolean): Data<Int32> {
  const { data, nulls, validity } = fillInt32(values, column, nullsAllowed, 'an int32');
  return makeData({ type: new Int32(), length: values.length, nullCount: nulls, nullBitmap: validity, data });
}

export function buildDateDay(values: ColumnValues, column: string, nullsAllowed: boolean): Data<DateDay> {
  const { data, nulls, validity } = fillInt32(values, column, nullsAllowed, 'a date as whole days since 1970-01-01');
  return makeData({ type: new DateDay(), length: values.length, nullCount: nulls, nullBitmap: validity, data });
}

/** int64 and timestamp (epoch ms) share this loop: numbers or bigints into one BigInt64Array. */
function fillInt64(values: ColumnValues, column: string, nullsAllowed: boolean, expected: string): Filled<BigInt64Array> {
  const n = values.length;
  const writer = new Int64Writer(n);
  let validity: Uint8Array | undefined;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'number' && Number.isInteger(v) && v >= -INT64_LIMIT && v < INT64_LIMIT) writer.setNumber(i, v);
    else if (typeof v === 'bigint') {
      if (!writer.setBigInt(i, v)) throw new ColumnValueError(column, i, expected, v);
    } else if (v === null || v === undefined) {
      if (!nullsAllowed) throw new ColumnValueError(column, i, `a non-null ${expected}`, v);
      validity = markNull(validity, i, n);
      nulls++;
    } else throw new ColumnValueError(column, i, expected, v);
  }
  return { data: writer.array, nulls, validity: validity ?? null };
}

export function buildInt64(values: ColumnValues, column: string, nullsAllowed: boolean): Data<Int64> {
  const { data, nulls, validity } = fillInt64(values, column, nullsAllowed, 'an int64');
  return makeData({ type: new Int64(), length: values.length, nullCount: nulls, nullBitmap: validity, data });
}

export function buildTimestamp(values: ColumnValues, column: string, nullsAllowed: boolean): Data<TimestampMillisecond> {
  const { data, nulls, validity } = fillInt64(values, column, nullsAllowed, 'a timestamp as whole epoch milliseconds');
  return makeData({ type: new TimestampMillisecond(UTC), length: values.length, nullCount: nulls, nullBitmap: validity, data });
}

export function buildFloat64(values: ColumnValues, column: string, nullsAllowed: boolean): Data<Float64> {
  const n = values.length;
  const data = new Float64Array(n);
  let validity: Uint8Array | undefined;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'number') data[i] = v;
    else if (v === null || v === undefined) {
      if (!nullsAllowed) throw new ColumnValueError(column, i, 'a non-null float64', v);
      validity = markNull(validity, i, n);
      nulls++;
    } else throw new ColumnValueError(column, i, 'a float64', v);
  }
  return makeData({ type: new Float64(), length: n, nullCount: nulls, nullBitmap: validity ?? null, data });
}

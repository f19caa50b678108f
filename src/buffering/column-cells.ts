/**
 * One buffer's values of one column, kept until the buffer is encoded. Text columns (string and
 * json) keep UTF-8 bytes in one growing Buffer outside the V8 heap: a buffered row then holds no
 * JS string for the collector to copy into the old generation and mark there while it waits for
 * its file, and the encoder gathers bytes instead of encoding every string at flush time. Other
 * columns keep their values as they are.
 */
import { jsonText } from '../core/json-text.js';
import type { CellValue } from '../core/records.js';
import type { ResolvedColumn } from '../core/resolved-schema.js';

/** A text column's rows in Arrow's layout: UTF-8 bytes, `length + 1` offsets, a validity bitmap (bit set: a value). */
export interface PackedUtf8 {
  kind: 'utf8';
  bytes: Uint8Array;
  offsets: Int32Array;
  validity: Uint8Array | null;
  nullCount: number;
}

/** Rows of one column in file order: values as the cleansing stage made them, or packed text. */
export type GatheredColumn = CellValue[] | PackedUtf8;

export interface ColumnCells {
  readonly length: number;
  push(value: CellValue): void;
  /** The values of rows `order` (push indices), in that order; RangeError for a row never pushed. */
  gather(order: Uint32Array, describe: string): GatheredColumn;
}

export function cellsFor(column: ResolvedColumn): ColumnCells {
  if (column.type === 'string') return new TextCells(false);
  if (column.type === 'json') return new TextCells(true);
  return new ValueCells();
}

class ValueCells implements ColumnCells {
  private readonly values: CellValue[] = [];

  get length(): number {
    return this.values.length;
  }

  push(value: CellValue): void {
    this.values.push(value);
  }

  gather(order: Uint32Array, describe: string): CellValue[] {
    const picked = new Array<CellValue>(order.length);
    for (let k = 0; k < order.length; k++) {
      const i = order[k] as number;
      if (i >= this.values.length) throw outOfRange(describe, this.values.length, i);
      picked[k] = this.values[i] as CellValue;
    }
    return picked;
  }
}

const FIRST_BYTES = 1024;
const FIRST_ROWS = 64;
/** Values up to this many bytes are copied byte by byte: cheaper than a native copy's call. */
const SHORT_COPY = 48;

class TextCells implements ColumnCells {
  private bytes: Buffer = Buffer.allocUnsafeSlow(FIRST_BYTES);
  private used = 0;
  /** End offset in `bytes` of each row; a row starts where the one before it ends. */
  private ends: Int32Array<ArrayBuffer> = new Int32Array(FIRST_ROWS);
  /** Bit set: the row is null. Made on the first null. */
  private nulls: Uint8Array | undefined;
  /** Values a text column should not hold (a string column given a number): kept as they are, so that encoding reports them as it would any other bad value. */
  private odd: Map<number, CellValue> | undefined;
  private count = 0;

  /** `stringifyOthers`: a structured value in a json column is stored as its JSON text. */
  constructor(private readonly stringifyOthers: boolean) {}

  get length(): number {
    return this.count;
  }

  push(value: CellValue): void {
    const row = this.count;
    if (row === this.ends.length) this.ends = grownInt32(this.ends);
    if (typeof value === 'string') this.write(value);
    else if (value === null || value === undefined) this.markNull(row);
    else if (this.stringifyOthers) this.write(jsonText(value));
    else (this.odd ??= new Map()).set(row, value);
    this.ends[row] = this.used;
    this.count = row + 1;
  }

  gather(order: Uint32Array, describe: string): GatheredColumn {
    const n = order.length;
    let total = 0;
    let hasOdd = false;
    for (let k = 0; k < n; k++) {
      const i = order[k] as number;
      if (i >= this.count) throw outOfRange(describe, this.count, i);
      total += this.endOf(i) - this.startOf(i);
      if (this.odd?.has(i) === true) hasOdd = true;
    }
    if (hasOdd) return this.values(order);

    const from = this.bytes;
    const out = Buffer.allocUnsafeSlow(total);
    const offsets = new Int32Array(n + 1);
    const nulls = this.nulls;
    let validity: Uint8Array | null = null;
    let nullCount = 0;
    let at = 0;
    for (let k = 0; k < n; k++) {
      const i = order[k] as number;
      const start = this.startOf(i);
      const end = this.endOf(i);
      if (end - start <= SHORT_COPY) {
        for (let b = start; b < end; b++) out[at++] = from[b] as number;
      } else {
        from.copy(out, at, start, end);
        at += end - start;
      }
      offsets[k + 1] = at;
      if (nulls !== undefined && ((nulls[i >> 3] as number) & (1 << (i & 7))) !== 0) {
        validity ??= new Uint8Array((n + 7) >> 3).fill(0xff);
        validity[k >> 3] = (validity[k >> 3] as number) & ~(1 << (k & 7));
        nullCount++;
      }
    }
    return { kind: 'utf8', bytes: out, offsets, validity, nullCount };
  }

  /** The rows as values again (strings decoded), when one of them is odd. */
  private values(order: Uint32Array): CellValue[] {
    const picked = new Array<CellValue>(order.length);
    for (let k = 0; k < order.length; k++) {
      const i = order[k] as number;
      const odd = this.odd?.get(i);
      if (odd !== undefined) picked[k] = odd;
      else if (this.isNull(i)) picked[k] = null;
      else picked[k] = this.bytes.toString('utf8', this.startOf(i), this.endOf(i));
    }
    return picked;
  }

  private write(text: string): void {
    // Three bytes per UTF-16 unit is the worst case; the exact length is computed only when that might not fit.
    if (this.bytes.length - this.used < text.length * 3) {
      const needed = this.used + Buffer.byteLength(text, 'utf8');
      if (needed > this.bytes.length) {
        const next = Buffer.allocUnsafeSlow(Math.max(needed, this.bytes.length * 2));
        this.bytes.copy(next, 0, 0, this.used);
        this.bytes = next;
      }
    }
    this.used += this.bytes.write(text, this.used, 'utf8');
  }

  private markNull(row: number): void {
    let nulls = this.nulls;
    if (nulls === undefined || nulls.length <= row >> 3) {
      const next = new Uint8Array(Math.max(FIRST_ROWS >> 3, this.ends.length >> 3, (row >> 3) + 1));
      if (nulls !== undefined) next.set(nulls);
      this.nulls = nulls = next;
    }
    nulls[row >> 3] = (nulls[row >> 3] as number) | (1 << (row & 7));
  }

  private isNull(row: number): boolean {
    return this.nulls !== undefined && ((this.nulls[row >> 3] ?? 0) & (1 << (row & 7))) !== 0;
  }

  private startOf(row: number): number {
    return row === 0 ? 0 : (this.ends[row - 1] as number);
  }

  private endOf(row: number): number {
    return this.ends[row] as number;
  }
}

function grownInt32(from: Int32Array): Int32Array<ArrayBuffer> {
  const next = new Int32Array(from.length * 2);
  next.set(from);
  return next;
}

function outOfRange(describe: string, held: number, row: number): RangeError {
  return new RangeError(`${describe} holds ${held} rows, not row ${row}`);
}

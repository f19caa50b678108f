/**
 * Avro binary encoding and decoding, driven by a schema, for the few shapes Iceberg's manifests
 * and manifest lists use: records, arrays, nullable unions, int, long, boolean, string and bytes.
 * The schema is ours (iceberg/manifest-schemas.ts) and is written verbatim into each file's
 * header, so Iceberg's `field-id` attributes reach readers unchanged.
 * Avro specification: zig-zag varints for int and long, length-prefixed strings and bytes,
 * arrays in blocks ending with a zero count, a union as its branch index then the value.
 */

export type AvroPrimitive = 'null' | 'boolean' | 'int' | 'long' | 'string' | 'bytes';

export interface AvroField {
  name: string;
  type: AvroType;
  'field-id'?: number;
  default?: null;
  doc?: string;
}

export interface AvroRecord {
  type: 'record';
  name: string;
  fields: AvroField[];
}

export interface AvroArray {
  type: 'array';
  items: AvroType;
  'element-id'?: number;
  logicalType?: 'map';
}

export interface AvroAnnotated {
  type: 'int' | 'long';
  logicalType: string;
  'adjust-to-utc'?: boolean;
}

export type AvroType = AvroPrimitive | AvroRecord | AvroArray | AvroAnnotated | AvroType[];

/** Values as JavaScript holds them: longs are numbers (Iceberg's here stay below 2^53). */
export type AvroValue = null | boolean | number | string | Uint8Array | AvroValue[] | { [field: string]: AvroValue };

export class AvroWriter {
  private chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(10);
  size = 0;

  bytes(): Uint8Array {
    return Buffer.concat(this.chunks, this.size);
  }

  raw(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  long(value: number): void {
    if (!Number.isSafeInteger(value)) throw new TypeError(`Avro long ${value} is not a safe integer`);
    let n = (BigInt(value) << 1n) ^ (BigInt(value) >> 63n);
    let i = 0;
    while (n >= 0x80n) {
      this.scratch[i++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.scratch[i++] = Number(n);
    this.raw(this.scratch.slice(0, i));
  }

  lengthPrefixed(bytes: Uint8Array): void {
    this.long(bytes.length);
    this.raw(bytes);
  }

  value(type: AvroType, value: AvroValue, path: string): void {
    if (Array.isArray(type)) {
      const index = value === null ? type.indexOf('null') : type.findIndex((t) => t !== 'null');
      const branch = type[index];
      if (index < 0 || branch === undefined) throw new TypeError(`${path}: no union branch of ${JSON.stringify(type)} takes ${String(value)}`);
      this.long(index);
      this.value(branch, value, path);
      return;
    }
    const name = typeof type === 'string' ? type : type.type;
    switch (name) {
      case 'null':
        if (value !== null) throw new TypeError(`${path}: expected null`);
        return;
      case 'boolean':
        this.raw(Uint8Array.of(value === true ? 1 : 0));
        return;
      case 'int':
      case 'long':
        if (typeof value !== 'number') throw new TypeError(`${path}: expected a number, got ${typeof value}`);
        this.long(value);
        return;
      case 'string':
        if (typeof value !== 'string') throw new TypeError(`${path}: expected a string, got ${typeof value}`);
        this.lengthPrefixed(Buffer.from(value, 'utf8'));
        return;
      case 'bytes':
        if (!(value instanceof Uint8Array)) throw new TypeError(`${path}: expected bytes`);
        this.lengthPrefixed(value);
        return;
      case 'array': {
        const items = (type as AvroArray).items;
        if (!Array.isArray(value)) throw new TypeError(`${path}: expected an array`);
        if (value.length > 0) {
          this.long(value.length);
          value.forEach((item, i) => this.value(items, item, `${path}[${i}]`));
        }
        this.long(0);
        return;
      }
      case 'record': {
        if (value === null || typeof value !== 'object' || value instanceof Uint8Array || Array.isArray(value)) throw new TypeError(`${path}: expected a record`);
        for (const field of (type as AvroRecord).fields) this.value(field.type, value[field.name] ?? null, `${path}.${field.name}`);
        return;
      }
      default:
        throw new TypeError(`${path}: unsupported Avro type ${name}`);
    }
  }
}

export class AvroReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get offset(): number {
    return this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  take(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new RangeError(`Avro data ends at ${this.buf.length}, needed ${this.pos + n}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  long(): number {
    let n = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.take(1)[0] as number;
      n |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
    }
    return Number((n >> 1n) ^ -(n & 1n));
  }

  lengthPrefixed(): Uint8Array {
    return this.take(this.long());
  }

  value(type: AvroType): AvroValue {
    if (Array.isArray(type)) {
      const branch = type[this.long()];
      if (branch === undefined) throw new RangeError('Avro union index out of range');
      return this.value(branch);
    }
    const name = typeof type === 'string' ? type : type.type;
    switch (name) {
      case 'null':
        return null;
      case 'boolean':
        return this.take(1)[0] === 1;
      case 'int':
      case 'long':
        return this.long();
      case 'string':
        return Buffer.from(this.lengthPrefixed()).toString('utf8');
      case 'bytes':
        return Uint8Array.from(this.lengthPrefixed());
      case 'array': {
        const out: AvroValue[] = [];
        for (let count = this.long(); count !== 0; count = this.long()) {
          // A negative count is followed by the block's size in bytes.
          if (count < 0) {
            this.long();
            count = -count;
          }
          for (let i = 0; i < count; i++) out.push(this.value((type as AvroArray).items));
        }
        return out;
      }
      case 'record': {
        const out: { [field: string]: AvroValue } = {};
        for (const field of (type as AvroRecord).fields) out[field.name] = this.value(field.type);
        return out;
      }
      default:
        throw new TypeError(`unsupported Avro type ${name}`);
    }
  }
}

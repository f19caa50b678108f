import type { CellValue } from '../../core/records.js';
import type { ResolvedColumn } from '../../core/resolved-schema.js';
import { TukangError } from '../../errors/catalogue.js';
import { describeValue, isPlainObject } from '../describe-value.js';
import { compilePathReader } from '../payload-path.js';
import { parsePlainDate } from '../time/parse-plain-date.js';
import { parseRfc3339 } from '../time/parse-rfc3339.js';
import { fail, INVALID, prefixFailure, type Converter } from './converter.js';
import { parseInt64 } from './int64.js';

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/** Builds the converter for one column once; the returned function runs per event. */
export function compileConverter(column: ResolvedColumn): Converter {
  const convert = compileNonNullConverter(column);
  const nullable = column.nullable;
  return (raw, failure) => {
    if (raw === undefined || raw === null) {
      if (nullable) return null;
      return fail(failure, raw === undefined ? 'required but missing' : 'must not be null');
    }
    return convert(raw, failure);
  };
}

function compileNonNullConverter(column: ResolvedColumn): Converter {
  switch (column.type) {
    case 'string':
      return (raw, failure) => (typeof raw === 'string' ? raw : mismatch(failure, 'string', raw));
    case 'boolean':
      return (raw, failure) => (typeof raw === 'boolean' ? raw : mismatch(failure, 'boolean', raw));
    case 'float64':
      return (raw, failure) => (typeof raw === 'number' ? raw : mismatch(failure, 'float64', raw));
    case 'int32':
      return convertInt32;
    case 'int64':
      return convertInt64;
    case 'timestamp':
      return convertTimestamp;
    case 'date':
      return convertDate;
    case 'json':
      return (raw) => JSON.stringify(raw);
    case 'struct':
      return compileStructConverter(column);
    case 'list':
      return compileListConverter(column);
  }
}

function mismatch(failure: { field: string; problem: string }, expected: string, raw: unknown, note = ''): typeof INVALID {
  return fail(failure, `expected ${expected}, got ${describeValue(raw)}${note}`);
}

const convertInt32: Converter = (raw, failure) => {
  if (typeof raw !== 'number' || !Number.isInteger(raw)) return mismatch(failure, 'int32', raw);
  if (raw < INT32_MIN || raw > INT32_MAX) return mismatch(failure, 'int32', raw, ' (out of range)');
  return raw;
};

const convertInt64: Converter = (raw, failure) => {
  if (typeof raw === 'number') {
    // Beyond 2^53 JSON.parse has already rounded the number, so the digits are not the producer's.
    if (Number.isSafeInteger(raw)) return BigInt(raw);
    const note = Number.isInteger(raw) ? ' (beyond 2^53, send it as a string to keep it exact)' : '';
    return mismatch(failure, 'int64', raw, note);
  }
  if (typeof raw === 'string') {
    const parsed = parseInt64(raw);
    if (parsed !== undefined) return parsed;
  }
  return mismatch(failure, 'int64', raw);
};

const convertTimestamp: Converter = (raw, failure) => {
  if (typeof raw === 'string') {
    const ms = parseRfc3339(raw);
    if (!Number.isNaN(ms)) return ms;
    return mismatch(failure, 'timestamp (RFC 3339 with offset, or epoch milliseconds)', raw);
  }
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
  return mismatch(failure, 'timestamp (RFC 3339 with offset, or epoch milliseconds)', raw);
};

const convertDate: Converter = (raw, failure) => {
  if (typeof raw === 'string') {
    const days = parsePlainDate(raw);
    if (!Number.isNaN(days)) return days;
  }
  return mismatch(failure, 'date (YYYY-MM-DD)', raw);
};

function compileStructConverter(column: ResolvedColumn): Converter {
  const fields = (column.fields ?? []).map((field) => ({
    name: field.name,
    label: field.path.join('.'),
    read: compilePathReader(field.path),
    convert: compileConverter(field),
  }));
  return (raw, failure) => {
    if (!isPlainObject(raw)) return mismatch(failure, 'object', raw);
    const out: { [field: string]: CellValue } = {};
    for (const field of fields) {
      const value = field.convert(field.read(raw), failure);
      if (value === INVALID) return prefixFailure(failure, field.label);
      out[field.name] = value;
    }
    return out;
  };
}

function compileListConverter(column: ResolvedColumn): Converter {
  if (!column.items) throw new TukangError('INTERNAL', `list column "${column.name}" has no items`);
  const convertItem = compileConverter(column.items);
  return (raw, failure) => {
    if (!Array.isArray(raw)) return mismatch(failure, 'array', raw);
    const out = new Array<CellValue>(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const item = convertItem(raw[i] as unknown, failure);
      if (item === INVALID) return prefixFailure(failure, `[${i}]`);
      out[i] = item;
    }
    return out;
  };
}

import type { DatasetConfig } from '../config/schema.js';
import { EXTRA_COLUMN, type CellValue } from '../core/records.js';
import type { ResolvedSchema } from '../core/resolved-schema.js';
import { TukangError } from '../errors/catalogue.js';
import { compileConverter } from './convert/compile-converter.js';
import { INVALID, prefixFailure, type Converter, type Failure } from './convert/converter.js';
import { describeValue } from './describe-value.js';
import { compilePathReader, type PathReader } from './payload-path.js';
import { reject, type Rejection } from './rejection.js';

export type UnknownFieldsPolicy = DatasetConfig['schema']['unknown_fields'];

export type ValidationResult =
  | { ok: true; values: CellValue[]; partitionValues: string[] }
  | Rejection<'schema_violation' | 'unknown_field'>;

export type PayloadValidator = (payload: Record<string, unknown>) => ValidationResult;

/**
 * Validates one payload against a schema. Convenience form of compileValidator for callers that
 * validate now and then; compiled validators are cached per schema object.
 */
export function validatePayload(
  payload: Record<string, unknown>,
  schema: ResolvedSchema,
  unknownFields: UnknownFieldsPolicy,
  envelopeKeys: readonly string[] = [],
): ValidationResult {
  let bySchema = cache.get(schema);
  if (!bySchema) {
    bySchema = new Map();
    cache.set(schema, bySchema);
  }
  const key = `${unknownFields}\n${envelopeKeys.join('\n')}`;
  let validator = bySchema.get(key);
  if (!validator) {
    validator = compileValidator(schema, unknownFields, envelopeKeys);
    bySchema.set(key, validator);
  }
  return validator(payload);
}

const cache = new WeakMap<ResolvedSchema, Map<string, PayloadValidator>>();

/**
 * Builds the per-event validator of a schema: column values in schema order, partition values in
 * config order. `envelopeKeys` are top-level payload keys the envelope put there (Debezium's
 * `op`, Nakadi's `data_op`/`data_type`) or already consumed (a JSON envelope's single-segment id
 * and time paths); they are never unknown fields, but a column may still read them.
 */
export function compileValidator(
  schema: ResolvedSchema,
  unknownFields: UnknownFieldsPolicy,
  envelopeKeys: readonly string[] = [],
): PayloadValidator {
  const extraIndex = schema.columns.findIndex((c) => c.name === EXTRA_COLUMN);
  if ((extraIndex >= 0) !== (unknownFields === 'keep_json')) {
    throw new TukangError('INTERNAL', `schema ${schema.version} and unknown_fields "${unknownFields}" disagree about the ${EXTRA_COLUMN} column`);
  }

  const columns: Array<{ label: string; read: PathReader; convert: Converter } | null> = schema.columns.map((column, i) =>
    i === extraIndex ? null : { label: column.path.join('.'), read: compilePathReader(column.path), convert: compileConverter(column) },
  );
  const partitions = schema.partitionFields.map((field) => ({ name: field.name, read: compilePathReader(field.path) }));
  const known = new Set<string>(envelopeKeys);
  for (const column of schema.columns) if (column.path[0] !== undefined) known.add(column.path[0]);
  for (const field of schema.partitionFields) if (field.path[0] !== undefined) known.add(field.path[0]);

  const failure: Failure = { field: '', problem: '' };

  return (payload) => {
    const values: CellValue[] = [];
    for (const column of columns) {
      if (column === null) {
        values.push(null); // filled below, once unknown fields are known
        continue;
      }
      const value = column.convert(column.read(payload), failure);
      if (value === INVALID) {
        prefixFailure(failure, column.label);
        return reject('schema_violation', `field "${failure.field}": ${failure.problem}`);
      }
      values.push(value);
    }

    const partitionValues: string[] = [];
    for (const partition of partitions) {
      const text = partitionText(partition.read(payload));
      if (typeof text !== 'string') return reject('schema_violation', `partition field "${partition.name}" ${text.problem}`);
      partitionValues.push(text);
    }

    if (unknownFields === 'ignore') return { ok: true, values, partitionValues };

    let extra: string | null = null;
    for (const key in payload) {
      if (known.has(key)) continue;
      if (unknownFields === 'reject') return reject('unknown_field', `field "${key}" is not in the schema`);
      // Built as text rather than as an object: no object to allocate, and a "__proto__" key
      // stays an ordinary key instead of becoming a prototype.
      const entry = `${JSON.stringify(key)}:${JSON.stringify(payload[key])}`;
      extra = extra === null ? `{${entry}` : `${extra},${entry}`;
    }
    if (extra !== null) values[extraIndex] = `${extra}}`;
    return { ok: true, values, partitionValues };
  };
}

/** The text of a partition value for a Hive-style path key; a problem when it has none. */
function partitionText(value: unknown): string | { problem: string } {
  switch (typeof value) {
    case 'string':
      return value.length > 0 ? value : { problem: 'is empty' };
    case 'number':
    case 'boolean':
      return String(value);
    case 'undefined':
      return { problem: 'missing' };
    default:
      return { problem: `must be a string, number or boolean, got ${describeValue(value)}` };
  }
}

import { createHash } from 'node:crypto';
import type { ResolvedSchema } from '../../core/resolved-schema.js';

/**
 * A short hash of everything that shapes a file: the columns (names, types, nullability, paths,
 * descriptions) and the partition fields. Keys are sorted so the same schema hashes the same
 * however its objects were built.
 */
export function schemaVersion(columns: ResolvedSchema['columns'], partitionFields: ResolvedSchema['partitionFields']): string {
  return createHash('sha256').update(canonicalJson({ columns, partitionFields })).digest('hex').slice(0, 12);
}

/** JSON with object keys in sorted order and undefined members left out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

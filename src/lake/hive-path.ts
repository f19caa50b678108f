/**
 * The Hive partition path codec, both directions: `name=value` segments joined by `/`, each name
 * and value escaped the way Hive's FileUtils.escapePathName does it, so that DuckDB, Spark, Trino,
 * Athena and pyarrow decode the folder names we write to the values we meant.
 *
 * Hive escapes, as `%XX` (two upper-case hex digits of the UTF-16 code unit), every code unit
 * below 0x20, DEL (0x7F) and `" # % ' * / : = ? \ { [ ] ^`. Everything else (including `+`,
 * spaces, `}` and all non-ASCII characters) is written as it is. An empty value is written as
 * `__HIVE_DEFAULT_PARTITION__`, which readers show as null.
 */

export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

const ESCAPED = /[\x00-\x1f"#%'*/:=?\\\x7f{[\]^]/g;

/** A name or value as Hive writes it in a path segment. */
export function escapePathName(value: string): string {
  if (value === '') return HIVE_DEFAULT_PARTITION;
  return value.replace(ESCAPED, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * The inverse of `escapePathName`, as Hive's unescapePathName: each `%` followed by two hex digits
 * becomes that code unit; any other `%` stays. The default-partition marker reads back as ''.
 */
export function unescapePathName(segment: string): string {
  if (segment === HIVE_DEFAULT_PARTITION) return '';
  return segment.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** `[{name:'kind', value:'a/b'}]` → `kind=a%2Fb` */
export function hivePath(fields: ReadonlyArray<{ name: string; value: string }>): string {
  return fields.map((f) => `${escapePathName(f.name)}=${escapePathName(f.value)}`).join('/');
}

/** The `name=value` pairs of a Hive path, unescaped, in path order. Segments without `=` are skipped. */
export function hiveFields(partitionPath: string): Array<{ name: string; value: string }> {
  const fields: Array<{ name: string; value: string }> = [];
  for (const segment of partitionPath.split('/')) {
    const eq = segment.indexOf('=');
    if (eq > 0) fields.push({ name: unescapePathName(segment.slice(0, eq)), value: unescapePathName(segment.slice(eq + 1)) });
  }
  return fields;
}

/** `event_date=2026-11-21/event_hour=10/kind=a` → { event_date: '2026-11-21', event_hour: '10', kind: 'a' } */
export function partitionValues(partitionPath: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of hiveFields(partitionPath)) values[field.name] = field.value;
  return values;
}

/** Start and end (epoch ms) of the time partition a Hive path names. */
export function partitionBounds(partitionPath: string): { startMs: number; endMs: number } {
  const values = partitionValues(partitionPath);
  const hour = values['event_hour'];
  const startMs = Date.parse(`${values['event_date'] ?? '1970-01-01'}T${hour ?? '00'}:00:00Z`);
  return { startMs, endMs: startMs + (hour === undefined ? 86_400_000 : 3_600_000) };
}

/**
 * A partition path as ONE key segment (open markers, compaction requests, commit records and
 * change-log names hold a partition in their name). `/` becomes `+`; a `+` of the path (Hive
 * leaves `+` in values as it is) becomes `%2B` first, so that `unflattenPath` gives back exactly
 * the path. A Hive-escaped path never holds `%2B` itself (its `%` are escaped to `%25`), so names
 * written before `+` was encoded (the plain `/`→`+` form) read back the same way.
 */
export function flattenPath(partitionPath: string): string {
  return partitionPath.replaceAll('+', '%2B').replaceAll('/', '+');
}

export function unflattenPath(flat: string): string {
  return flat.replaceAll('+', '/').replaceAll('%2B', '+');
}

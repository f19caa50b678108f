/**
 * Event-time partitions: which UTC hour or day an event belongs to, its Hive path, and its
 * bounds. Pure functions; the hot path calls `partitionStart` once per record.
 */
const HOUR = 3_600_000;
const DAY = 86_400_000;

export type Granularity = 'hour' | 'day';

export function partitionLength(granularity: Granularity): number {
  return granularity === 'hour' ? HOUR : DAY;
}

/** Start of the partition holding `eventTimeMs` (epoch ms, UTC). */
export function partitionStart(eventTimeMs: number, granularity: Granularity): number {
  const len = partitionLength(granularity);
  return Math.floor(eventTimeMs / len) * len;
}

/** Hive path of a time partition plus value partition fields: `event_date=2026-11-21/event_hour=10/event_type=x`. */
export function partitionPath(startMs: number, granularity: Granularity, fields: ReadonlyArray<{ name: string; value: string }> = []): string {
  const iso = new Date(startMs).toISOString();
  let path = `event_date=${iso.slice(0, 10)}`;
  if (granularity === 'hour') path += `/event_hour=${iso.slice(11, 13)}`;
  for (const field of fields) path += `/${field.name}=${escapeHiveValue(field.value)}`;
  return path;
}

/** Hive escapes characters that would break a path segment; so do we, the same way (%XX). */
export function escapeHiveValue(value: string): string {
  if (value === '') return '__HIVE_DEFAULT_PARTITION__';
  return value.replace(/[\x00-\x1f"#%'*/:=?\\\x7f{}[\]^]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

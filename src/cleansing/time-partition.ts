/**
 * Event-time partitions: which UTC hour or day an event belongs to, its Hive path, and its
 * bounds. Pure functions; the hot path calls `partitionStart` once per record.
 */
import { hivePath } from '../lake/hive-path.js';

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
  if (fields.length > 0) path += `/${hivePath(fields)}`;
  return path;
}

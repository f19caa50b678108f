/** `event_date=2026-11-21/event_hour=10/kind=a` → { event_date: '2026-11-21', event_hour: '10', kind: 'a' } */
export function partitionValues(partitionPath: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const segment of partitionPath.split('/')) {
    const eq = segment.indexOf('=');
    if (eq > 0) values[segment.slice(0, eq)] = decodeURIComponent(segment.slice(eq + 1));
  }
  return values;
}

/** Start and end (epoch ms) of the time partition a Hive path names. */
export function partitionBounds(partitionPath: string): { startMs: number; endMs: number } {
  const values = partitionValues(partitionPath);
  const hour = values['event_hour'];
  const startMs = Date.parse(`${values['event_date'] ?? '1970-01-01'}T${hour ?? '00'}:00:00Z`);
  return { startMs, endMs: startMs + (hour === undefined ? 86_400_000 : 3_600_000) };
}

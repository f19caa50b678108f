/**
 * Partition ids in URLs. A Hive path has slashes, which proxies and clients mangle when encoded
 * in one path segment, so the API uses a compact id instead:
 *
 *   event_date=2026-11-21/event_hour=10            →  2026-11-21T10
 *   event_date=2026-11-21                           →  2026-11-21
 *   event_date=2026-11-21/event_hour=10/kind=a~b    →  2026-11-21T10~kind=a%7Eb
 *
 * Field values stay escaped as in the Hive path (which escapes `%`, so `%7E` is unambiguous).
 */
export function partitionIdOf(path: string): string {
  const segments = path.split('/');
  let id = '';
  for (const segment of segments) {
    if (segment.startsWith('event_date=')) id = segment.slice('event_date='.length);
    else if (segment.startsWith('event_hour=')) id += `T${segment.slice('event_hour='.length)}`;
    else id += `~${segment.replaceAll('~', '%7E')}`;
  }
  return id;
}

/** The Hive path of an id, or undefined when the id is malformed. */
export function partitionPathOf(id: string): string | undefined {
  const [time, ...fields] = id.split('~');
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}))?$/.exec(time ?? '');
  if (!match) return undefined;
  let path = `event_date=${match[1]}`;
  if (match[2] !== undefined) path += `/event_hour=${match[2]}`;
  for (const field of fields) {
    if (!/^[a-z_][a-z0-9_]*=[^/]*$/.test(field)) return undefined;
    path += `/${field.replace(/%7E/gi, '~')}`;
  }
  return path;
}

import type { PartitionState } from '../../src/lake/metadata-types.js';
import type { ListOptions, ListPage } from '../../src/storage/object-store.js';
import { MemoryObjectStore } from '../../src/storage/memory-object-store.js';
import { HOUR, hourPath } from './catalog-fixture.js';

/** MemoryObjectStore sorts every key on each list call; for 100k keys that written-once lake, sort once. */
export class StaticListStore extends MemoryObjectStore {
  private sorted: string[] | undefined;
  override async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    this.sorted ??= this.keys();
    const after = options.continuationToken ?? options.startAfter ?? '';
    let i = after === '' ? 0 : this.sorted.findIndex((k) => k > after);
    if (i < 0) i = this.sorted.length;
    const objects: ListPage['objects'] = [];
    for (; i < this.sorted.length && objects.length < (options.maxKeys ?? 1000); i++) {
      const key = this.sorted[i] as string;
      if (!key.startsWith(prefix)) continue;
      const head = await this.head(key);
      if (head) objects.push(head);
    }
    return { objects, prefixes: [], nextToken: i < this.sorted.length && objects.length > 0 ? objects.at(-1)?.key : undefined };
  }
}
/** The first hour of the synthetic lakes: one partition per hour from here. */
export const T0 = Date.UTC(2015, 0, 1);

/** The state of a one-hour partition that starts at `startMs` (10 rows, no files). */
export function state(startMs: number, status: 'open' | 'complete' = 'complete', path = hourPath(startMs)): PartitionState {
  const at = new Date(startMs + 2 * HOUR).toISOString();
  return {
    dataset: 'orders',
    partition_path: path,
    values: {},
    start_at: new Date(startMs).toISOString(),
    end_at: new Date(startMs + HOUR).toISOString(),
    status,
    version: 1,
    files: [],
    rows: 10,
    bytes: 1000,
    duplicates: 0,
    late_rows: 0,
    min_event_at: null,
    max_event_at: null,
    versions: [{ version: 1, reason: 'ingest', created_at: at, completed_at: status === 'complete' ? at : null, files: 0, rows: 10, manifest: null }],
    created_at: at,
    updated_at: at,
  };
}


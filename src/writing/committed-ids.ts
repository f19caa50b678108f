import { cachedAsyncBuffer, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { LRUCache } from 'lru-cache';
import { LINEAGE_COLUMNS } from '../core/records.js';
import type { DedupMark } from '../cleansing/deduplicator.js';
import type { ObjectStore } from '../storage/object-store.js';
import { objectAsyncBuffer } from '../storage/object-async-buffer.js';

/** Event id → event time (epoch ms) of the rows of one data file. */
export type FileEventIds = ReadonlyMap<string, number>;

/** Reads the event ids and event times of a committed data file: two columns, by range reads. */
export async function readFileEventIds(store: ObjectStore, key: string, bytes: number): Promise<FileEventIds> {
  const file = cachedAsyncBuffer(await objectAsyncBuffer(store, key, bytes));
  const rows = await parquetReadObjects({ file, columns: [LINEAGE_COLUMNS.eventId, LINEAGE_COLUMNS.eventTime], compressors });
  const ids = new Map<string, number>();
  for (const row of rows) {
    const time = row[LINEAGE_COLUMNS.eventTime];
    ids.set(String(row[LINEAGE_COLUMNS.eventId]), time instanceof Date ? time.getTime() : Number(time));
  }
  return ids;
}

/**
 * The event ids of committed files, cached by key (a data file never changes once written; a new
 * content gets a new name). The flusher asks for the files of the time partition it commits to,
 * so that an event already committed from another source partition is not written again. Memory
 * is bounded by the total number of ids held; the least recently used files are dropped first.
 */
export class CommittedIds {
  private readonly cache: LRUCache<string, FileEventIds>;
  /** Files this process wrote, with the deduplicator's mark of the buffer they came from. */
  private readonly own = new LRUCache<string, DedupMark>({ max: 100_000 });

  constructor(
    private readonly store: ObjectStore,
    /** Where a committed file's bytes are when not in its folder (staged, or superseded meanwhile). */
    private readonly locate: (key: string) => Promise<{ key: string; size: number } | undefined> = async () => undefined,
    /** About 100 bytes each: 250,000 ids hold about 25 MiB, beside the buffers' memory budget. */
    maxIds = 250_000,
  ) {
    this.cache = new LRUCache<string, FileEventIds>({ maxSize: maxIds, sizeCalculation: (ids) => Math.max(1, ids.size) });
  }

  async of(file: { key: string; bytes: number }): Promise<FileEventIds> {
    const cached = this.cache.get(file.key);
    if (cached) return cached;
    let ids: FileEventIds;
    try {
      ids = await readFileEventIds(this.store, file.key, file.bytes);
    } catch (err) {
      // Committed but not published yet (a crash between the two), or superseded since.
      const where = await this.locate(file.key);
      if (!where || where.key === file.key) throw err;
      ids = await readFileEventIds(this.store, where.key, where.size);
    }
    this.cache.set(file.key, ids);
    return ids;
  }

  /**
   * Records the ids of a file this process just wrote, so that its own files are never read back,
   * and, with `mark`, that the deduplicator admitted every one of its rows.
   */
  remember(key: string, ids: FileEventIds, mark?: DedupMark): void {
    this.cache.set(key, ids);
    if (mark) this.own.set(key, mark);
  }

  /**
   * True when no row of a buffer with mark `rows` can be in file `key` (both of the time range
   * [fromMs, toMs)): this process wrote the file from rows its deduplicator admitted, and the
   * deduplicator has lost no id of that time range since either buffer opened, so it would have
   * dropped any later copy of those rows. Checking such files
   * re-read every file of a time partition on every flush (quadratic in the files of an hour).
   */
  cannotHold(key: string, rows: DedupMark | undefined, fromMs: number, toMs: number): boolean {
    const mark = this.own.get(key);
    return mark !== undefined && mark.losses.unchangedSince(fromMs, toMs, mark, rows);
  }
}

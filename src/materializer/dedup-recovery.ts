import { cachedAsyncBuffer, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { CommitLog } from '../commit/commit-log.js';
import { LINEAGE_COLUMNS } from '../core/records.js';
import type { ObjectStore } from '../storage/object-store.js';
import { objectAsyncBuffer } from '../storage/object-async-buffer.js';

/** Stop walking back once this many files in a row end before the horizon (late files can interleave). */
const OLD_FILES_TO_STOP = 3;

/**
 * The event ids a source partition already wrote within the dedup window, read back from its
 * committed files (two columns, by range reads). Seeding the deduplicator with them on
 * assignment makes deduplication hold across restarts and rebalances, not only within one
 * process: a copy whose original was committed before the crash is still recognised.
 */
export async function* committedEventIds(
  store: ObjectStore,
  commitLog: CommitLog,
  dataset: string,
  topic: string,
  sourcePartition: number,
  horizonMs: number,
): AsyncGenerator<{ eventId: string; eventTimeMs: number }> {
  const newestFirst = (await commitLog.commitKeys(dataset, topic, sourcePartition)).reverse();
  let oldInARow = 0;
  for (const key of newestFirst) {
    const commit = await commitLog.readCommit(key);
    if (!commit) continue;
    if (Date.parse(commit.max_event_at) < horizonMs) {
      if (++oldInARow >= OLD_FILES_TO_STOP) return;
      continue;
    }
    oldInARow = 0;
    // A file a replay superseded has moved out of its folder; one not yet published is staged.
    const where = (await commitLog.placement.locate(commit.key)) ?? { key: commit.key, size: commit.bytes };
    const file = cachedAsyncBuffer(await objectAsyncBuffer(store, where.key, where.size));
    const rows = await parquetReadObjects({ file, columns: [LINEAGE_COLUMNS.eventId, LINEAGE_COLUMNS.eventTime], compressors });
    for (const row of rows) {
      const time = row[LINEAGE_COLUMNS.eventTime];
      yield { eventId: String(row[LINEAGE_COLUMNS.eventId]), eventTimeMs: time instanceof Date ? time.getTime() : Number(time) };
    }
  }
}

import { cachedAsyncBuffer, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { LINEAGE_COLUMNS, type CellValue } from '../core/records.js';
import type { ResolvedColumn } from '../core/resolved-schema.js';
import { objectAsyncBuffer } from '../storage/object-async-buffer.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { MergeRow } from './merge-sorted.js';

/**
 * Values back in the shape the encoder takes (core/records.ts CellValue): timestamps as epoch
 * milliseconds, dates as days, JSON parsed (the encoder serializes it again).
 */
const PARSERS = {
  timestampFromMilliseconds: (v: bigint): number => Number(v),
  timestampFromMicroseconds: (v: bigint): number => Number(v / 1000n),
  timestampFromNanoseconds: (v: bigint): number => Number(v / 1_000_000n),
  dateFromDays: (v: number): number => v,
};

/**
 * The rows of one Parquet object in file order, decoded `sliceRows` at a time, so that a
 * compaction of many inputs holds a slice per input, not their row groups. The compressed bytes of
 * the current row group are fetched once (range requests) and kept until the next group.
 */
export async function* readSortedRows(store: ObjectStore, key: string, size: number, columns: readonly ResolvedColumn[], sliceRows = Infinity): AsyncGenerator<MergeRow> {
  const source = await objectAsyncBuffer(store, key, size);
  const metadata = await parquetMetadataAsync(source);
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    const file = cachedAsyncBuffer(source);
    for (let from = start; from < end; from += sliceRows) {
      const rowEnd = Math.min(end, from + sliceRows);
      const rows = (await parquetReadObjects({ file, metadata, rowStart: from, rowEnd, compressors, parsers: PARSERS })) as Array<Record<string, unknown>>;
      for (const row of rows) yield toMergeRow(row, columns);
    }
    start = end;
  }
}

function toMergeRow(row: Record<string, unknown>, columns: readonly ResolvedColumn[]): MergeRow {
  return {
    values: columns.map((c) => (row[c.name] ?? null) as CellValue),
    eventId: String(row[LINEAGE_COLUMNS.eventId]),
    eventTimeMs: Number(row[LINEAGE_COLUMNS.eventTime]),
    partition: Number(row[LINEAGE_COLUMNS.partition]),
    offset: Number(row[LINEAGE_COLUMNS.offset]),
    receivedAtMs: Number(row[LINEAGE_COLUMNS.receivedAt]),
  };
}

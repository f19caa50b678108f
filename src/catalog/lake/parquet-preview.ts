import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { LRUCache } from 'lru-cache';
import type { FileCommit } from '../../lake/metadata-types.js';
import { objectAsyncBuffer } from '../../storage/object-async-buffer.js';
import type { ObjectStore } from '../../storage/object-store.js';

export interface Preview {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/** Thrown when a requested column is not in the partition's files. */
export class UnknownColumnError extends Error {
  constructor(readonly column: string) {
    super(`no column ${column}`);
  }
}

/**
 * Reads the first rows of a partition straight from its Parquet files with range reads: the
 * footer, then only the row groups and column chunks the first N rows need, never whole files.
 * Footers are cached by file key and checksum (a file's content never changes under its sha256).
 */
export class ParquetPreviewer {
  private readonly footers = new LRUCache<string, FileMetaData>({ max: 2_000 });

  constructor(private readonly store: ObjectStore) {}

  async preview(files: readonly FileCommit[], limit: number, columns: string[] | undefined): Promise<Preview> {
    const rows: Array<Record<string, unknown>> = [];
    let names: string[] = columns ?? [];
    for (const file of files) {
      if (rows.length >= limit) break;
      const buffer = await objectAsyncBuffer(this.store, file.key, file.bytes);
      const cacheKey = `${file.key}@${file.sha256}`;
      let metadata = this.footers.get(cacheKey);
      if (!metadata) {
        metadata = await parquetMetadataAsync(buffer);
        this.footers.set(cacheKey, metadata);
      }
      const available = parquetSchema(metadata).children.map((c) => c.element.name);
      for (const column of columns ?? []) if (!available.includes(column)) throw new UnknownColumnError(column);
      if (!columns) names = available;
      const need = Math.min(limit - rows.length, Number(metadata.num_rows));
      const read = await parquetReadObjects({ file: buffer, metadata, rowStart: 0, rowEnd: need, compressors, ...(columns ? { columns } : {}) });
      for (const row of read.slice(0, need)) rows.push(toJsonValue(row) as Record<string, unknown>);
    }
    return { columns: names, rows };
  }
}

/** JSON-safe values: int64 beyond 2^53 as strings (never rounded), timestamps RFC 3339, bytes base64. */
export function toJsonValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonValue(v);
    return out;
  }
  return value;
}

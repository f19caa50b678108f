import type { AsyncBuffer } from 'hyparquet';
import { TukangError } from '../errors/catalogue.js';
import type { ObjectStore } from './object-store.js';

/**
 * A Parquet reader's view of an object in the store: byte ranges fetched on demand, so reading
 * a few columns (or the footer) never downloads the whole file.
 */
export async function objectAsyncBuffer(store: ObjectStore, key: string, size?: number): Promise<AsyncBuffer> {
  const byteLength = size ?? (await store.head(key))?.size;
  if (byteLength === undefined) throw new TukangError('OBJECT_MISSING', `no object ${key}`, { details: { key } });
  return {
    byteLength,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const bytes = await store.getRange(key, start, end ?? byteLength);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

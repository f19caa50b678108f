import type { ListOptions, ListPage, ObjectInfo, ObjectStore, PutOptions, StoredObject } from './object-store.js';

export type RequestKind = 'put' | 'get' | 'getRange' | 'head' | 'list' | 'delete' | 'copy';

/**
 * An ObjectStore decorator that counts the requests made through it, by kind and by key prefix:
 * what the benchmark and the idle-cost tests use to say how many S3 requests something costs.
 */
export class CountingObjectStore implements ObjectStore {
  readonly counts = new Map<RequestKind, number>();
  /** Every request as `kind key`, in order (cleared by reset). */
  readonly log: string[] = [];

  constructor(private readonly inner: ObjectStore) {}

  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  reset(): void {
    this.counts.clear();
    this.log.length = 0;
  }

  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<{ etag: string }> {
    this.count('put', key);
    return this.inner.put(key, body, options);
  }

  get(key: string): Promise<StoredObject | undefined> {
    this.count('get', key);
    return this.inner.get(key);
  }

  getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    this.count('getRange', key);
    return this.inner.getRange(key, start, end);
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    this.count('head', key);
    return this.inner.head(key);
  }

  list(prefix: string, options?: ListOptions): Promise<ListPage> {
    this.count('list', prefix);
    return this.inner.list(prefix, options);
  }

  delete(keys: string[]): Promise<void> {
    this.count('delete', keys[0] ?? '');
    return this.inner.delete(keys);
  }

  copy(from: string, to: string): Promise<boolean> {
    this.count('copy', to);
    return this.inner.copy(from, to);
  }

  private count(kind: RequestKind, key: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    this.log.push(`${kind} ${key}`);
  }
}

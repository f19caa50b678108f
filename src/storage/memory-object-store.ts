import { createHash } from 'node:crypto';
import { TukangError } from '../errors/catalogue.js';
import type { ListOptions, ListPage, ObjectInfo, ObjectStore, PutOptions, StoredObject } from './object-store.js';

/**
 * An in-memory ObjectStore with S3's semantics for what Tukang relies on: strong consistency,
 * conditional writes (412 on a lost If-None-Match or a stale If-Match, 404 on If-Match of a
 * missing key), lexicographic listing. For unit tests of pure logic only; S3 claims are tested
 * against LocalStack.
 */
export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, StoredObject>();
  private readonly written = new Map<string, number>();

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<{ etag: string }> {
    const existing = this.objects.get(key);
    if (options.ifNoneMatch === '*' && existing) throw precondition(key, 412);
    if (options.ifMatch !== undefined) {
      if (!existing) throw precondition(key, 404);
      if (existing.etag !== options.ifMatch) throw precondition(key, 412);
    }
    const bytes = typeof body === 'string' ? new Uint8Array(Buffer.from(body, 'utf8')) : new Uint8Array(body);
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    this.objects.set(key, { body: bytes, etag });
    this.written.set(key, Date.now());
    return { etag };
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const object = this.objects.get(key);
    return object ? { body: object.body.slice(), etag: object.etag } : undefined;
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    const object = this.objects.get(key);
    if (!object) throw new TukangError('S3_UNAVAILABLE', `no object ${key}`, { details: { status: 404 } });
    return object.body.slice(start, end);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const object = this.objects.get(key);
    return object ? { key, size: object.body.byteLength, etag: object.etag } : undefined;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    const after = options.continuationToken ?? options.startAfter;
    const max = options.maxKeys ?? 1000;
    const objects: ObjectInfo[] = [];
    const prefixes = new Set<string>();
    let last: string | undefined;
    for (const key of keys) {
      if (after !== undefined && key <= after) continue;
      if (objects.length + prefixes.size >= max) return { objects, prefixes: [...prefixes], nextToken: last };
      last = key;
      if (options.delimiter !== undefined) {
        const cut = key.indexOf(options.delimiter, prefix.length);
        if (cut >= 0) {
          prefixes.add(key.slice(0, cut + options.delimiter.length));
          continue;
        }
      }
      const object = this.objects.get(key) as StoredObject;
      objects.push({ key, size: object.body.byteLength, etag: object.etag, lastModifiedMs: this.written.get(key) ?? 0 });
    }
    return { objects, prefixes: [...prefixes], nextToken: undefined };
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }

  async copy(from: string, to: string): Promise<boolean> {
    const object = this.objects.get(from);
    if (!object) return false;
    this.objects.set(to, { body: object.body.slice(), etag: object.etag });
    this.written.set(to, Date.now());
    return true;
  }

  /** Every key, sorted; for assertions. */
  keys(): string[] {
    return [...this.objects.keys()].sort();
  }
}

function precondition(key: string, status: number): TukangError {
  return new TukangError('S3_PRECONDITION_FAILED', `writing ${key}: precondition failed (${status})`, { details: { status } });
}

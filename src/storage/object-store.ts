/**
 * The small interface Tukang needs from S3. The S3 implementation talks to AWS or LocalStack; an
 * in-memory implementation (memory-object-store.ts) serves unit tests of pure logic.
 */

export interface PutOptions {
  /** Only create: fails with S3_PRECONDITION_FAILED when the key exists. */
  ifNoneMatch?: '*';
  /** Only replace this exact version: fails with S3_PRECONDITION_FAILED when the ETag differs. */
  ifMatch?: string;
  contentType?: string;
}

export interface StoredObject {
  body: Uint8Array;
  etag: string;
}

export interface ObjectInfo {
  key: string;
  size: number;
  etag: string;
  /** When the object was last written (listings give it; garbage collection dates orphans by it). */
  lastModifiedMs?: number;
}

export interface ListPage {
  objects: ObjectInfo[];
  /** Folder-like prefixes when a delimiter was given. */
  prefixes: string[];
  /** Pass back as `continuationToken` for the next page; undefined on the last page. */
  nextToken: string | undefined;
}

export interface ListOptions {
  startAfter?: string;
  delimiter?: string;
  maxKeys?: number;
  continuationToken?: string;
}

export interface ObjectStore {
  /** Writes a whole object; large bodies go up in parts. Returns the new ETag. */
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<{ etag: string }>;
  /** Reads a whole object, or undefined when it does not exist. */
  get(key: string): Promise<StoredObject | undefined>;
  /** Reads bytes [start, end) of an object. */
  getRange(key: string, start: number, end: number): Promise<Uint8Array>;
  head(key: string): Promise<ObjectInfo | undefined>;
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  delete(keys: string[]): Promise<void>;
  /** Server-side copy of a whole object to another key of the same bucket; false when `from` does not exist. */
  copy(from: string, to: string): Promise<boolean>;
}

/** Lists every object under a prefix, page by page. */
export async function* listAll(store: ObjectStore, prefix: string, options: Omit<ListOptions, 'continuationToken'> = {}): AsyncGenerator<ObjectInfo> {
  let token: string | undefined;
  do {
    const page = await store.list(prefix, token === undefined ? options : { ...options, continuationToken: token });
    yield* page.objects;
    token = page.nextToken;
  } while (token !== undefined);
}

/** Raw, unvalidated JSON read: src/ reads metadata through lake/read-metadata.ts instead (tests and src/iceberg still use this). */
export async function getJson<T>(store: ObjectStore, key: string): Promise<{ value: T; etag: string } | undefined> {
  const object = await store.get(key);
  if (!object) return undefined;
  return { value: JSON.parse(Buffer.from(object.body).toString('utf8')) as T, etag: object.etag };
}

export function putJson(store: ObjectStore, key: string, value: unknown, options: PutOptions = {}): Promise<{ etag: string }> {
  return store.put(key, `${JSON.stringify(value, null, 2)}\n`, { contentType: 'application/json', ...options });
}

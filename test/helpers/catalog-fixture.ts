/**
 * An in-process catalog over an in-memory lake written by the real CommitLog (the same metadata
 * the materializer writes), served on an ephemeral port and checked against the OpenAPI document.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { CommitLog } from '../../src/commit/commit-log.js';
import type { FileCommit } from '../../src/lake/metadata-types.js';
import { parseConfig } from '../../src/config/load.js';
import type { TukangConfig } from '../../src/config/schema.js';
import { buildCatalog, type BuiltCatalog, type CatalogBuildDeps } from '../../src/catalog/build-catalog.js';
import { answerClientErrors } from '../../src/catalog/catalog-server.js';
import { loadOpenApi, operations, type OperationRef } from '../../src/catalog/openapi/document.js';
import { SchemaValidator } from '../../src/catalog/openapi/schema-validator.js';
import { silentLogger } from '../../src/log/logger.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { MemoryObjectStore } from '../../src/storage/memory-object-store.js';
import { LakeLayout } from '../../src/lake/lake-layout.js';

export const READ_TOKEN = 'read-token-0123456789abcdef';
export const WRITE_ONLY_TOKEN = 'write-token-0123456789abcdef';
export const BUCKET = 'lake';

export const ORDER_COLUMNS = [
  { name: 'order_id', type: 'string', nullable: false, description: 'Order number' },
  { name: 'amount', type: 'float64', nullable: false, description: 'Order total' },
  { name: 'coupon', type: 'string', nullable: true, description: 'Coupon code' },
];

export function catalogConfig(catalog: Record<string, unknown> = {}, s3: Record<string, unknown> = {}): TukangConfig {
  return parseConfig({
    s3: { bucket: BUCKET, ...s3 },
    log: { level: 'silent' },
    catalog: {
      port: 0,
      auth: {
        static_tokens: [
          { name: 'reader', token: READ_TOKEN, scopes: ['tukang.read'] },
          { name: 'writer', token: WRITE_ONLY_TOKEN, scopes: ['tukang.write'] },
        ],
      },
      cache: { change_settle: '0ms', refresh_interval: '1h' },
      ...catalog,
    },
    datasets: [
      {
        name: 'orders',
        topic: 'orders-topic',
        description: 'Orders.',
        envelope: { type: 'nakadi' },
        schema: { columns: ORDER_COLUMNS },
        watermark: { max_out_of_orderness: '30s', allowed_lateness: '1m', dedup_window: '1h', idle_timeout: '1s' },
      },
    ],
  });
}

export const HOUR = 3_600_000;
export const DAY0 = Date.UTC(2026, 10, 21, 0, 0, 0);

export function hourPath(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `event_date=${iso.slice(0, 10)}/event_hour=${iso.slice(11, 13)}`;
}

/** A file commit of `rows` rows at hour `startMs`; the data object is written when bytes are given. */
export async function commitFile(
  store: ObjectStore,
  log: CommitLog,
  opts: { dataset?: string; startMs: number; partition: number; first: number; rows: number; bytes?: Uint8Array; sha256?: string; duplicates?: number },
): Promise<FileCommit> {
  const dataset = opts.dataset ?? 'orders';
  const path = hourPath(opts.startMs);
  const sha256 = opts.sha256 ?? 'ab'.repeat(32);
  const key = new LakeLayout('').dataFile(dataset, path, 'orders-topic', opts.partition, opts.first, opts.first + opts.rows - 1, sha256, '.zstd.parquet');
  const body = opts.bytes ?? new Uint8Array(100 + opts.rows);
  await store.put(key, body);
  const commit: FileCommit = {
    dataset,
    partition_path: path,
    key,
    uri: `s3://${BUCKET}/${key}`,
    bytes: body.byteLength,
    rows: opts.rows,
    sha256,
    min_event_at: new Date(opts.startMs + 1000).toISOString(),
    max_event_at: new Date(opts.startMs + HOUR - 1000).toISOString(),
    source: { topic: 'orders-topic', partition: opts.partition, first_offset: opts.first, last_offset: opts.first + opts.rows - 1 },
    schema_version: 'v1',
    duplicates: opts.duplicates ?? 0,
    late: false,
    committed_at: new Date().toISOString(),
  };
  await log.commitFile(commit);
  return commit;
}

export interface CatalogHarness {
  store: MemoryObjectStore;
  log: CommitLog;
  catalog: BuiltCatalog;
  url: string;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: unknown; text: string }>;
  request(method: string, path: string, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; text: string }>;
}

export async function startCatalog(t: TestContext, options: { config?: TukangConfig; store?: MemoryObjectStore; deps?: Partial<CatalogBuildDeps> } = {}): Promise<CatalogHarness> {
  const store = options.store ?? new MemoryObjectStore();
  const config = options.config ?? catalogConfig();
  const log = new CommitLog(store, new LakeLayout(config.s3.prefix), BUCKET);
  const catalog = buildCatalog({ config, logger: silentLogger(), store, checks: [], ...options.deps });
  const server: Server = createServer(catalog.app);
  answerClientErrors(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    await catalog.lake.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    store,
    log,
    catalog,
    url,
    async get(path, headers = { authorization: `Bearer ${READ_TOKEN}` }) {
      const res = await fetch(`${url}${path}`, { headers });
      const text = await res.text();
      let body: unknown = undefined;
      if (text && (res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
      checkAgainstDocument('GET', path, res.status, res.headers.get('content-type') ?? '', body);
      return { status: res.status, headers: res.headers, body, text };
    },
    async request(method, path, headers = {}) {
      const res = await fetch(`${url}${path}`, { method, headers });
      return { status: res.status, headers: res.headers, text: await res.text() };
    },
  };
}

const openapi = loadOpenApi();
const schemas = new SchemaValidator(openapi.document);
const ops: Array<OperationRef & { pattern: RegExp }> = operations(openapi.document).map((op) => ({
  ...op,
  pattern: new RegExp(`^${op.path.replace(/\{\w+\}/g, '[^/]+').replaceAll('.', '\\.')}$`),
}));

/** Every response must be what the document says: its status documented, its body valid against the schema. */
export function checkAgainstDocument(method: string, path: string, status: number, contentType: string, body: unknown): void {
  const pathname = new URL(path, 'http://x').pathname;
  const op = ops.find((o) => o.method === method.toLowerCase() && o.pattern.test(pathname));
  if (!op) {
    assert.equal(contentType.split(';')[0], 'application/problem+json', `undocumented path ${pathname} answers with a problem`);
    return;
  }
  if (status === 304) {
    assert.ok('304' in op.operation.responses, `${op.operation.operationId} documents 304`);
    return;
  }
  const mediaType = contentType.split(';')[0] ?? '';
  const pointer = schemas.responsePointer(op, status, mediaType);
  assert.ok(pointer, `${op.operation.operationId} documents ${status} ${mediaType}`);
  if (!mediaType.includes('json')) return;
  const validate = schemas.at(pointer);
  assert.ok(validate(body), `${op.operation.operationId} ${status} body does not match the document: ${schemas.errorsText(validate)}\n${JSON.stringify(body).slice(0, 500)}`);
}

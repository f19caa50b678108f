import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { ParquetEncoderPool } from '../../../src/writing/parquet/encoder-pool.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import type { DeadLetter } from '../../../src/writing/dead-letter-batch.js';
import { sampleBatch } from '../writing/fixtures/sample-batch.js';
import { BUCKET, DAY0, HOUR, READ_TOKEN, WRITE_ONLY_TOKEN, catalogConfig, commitFile, startCatalog, type CatalogHarness } from '../../helpers/catalog-fixture.js';

type Json = Record<string, unknown>;
type Page = { self: string; next?: string; changes_cursor?: string; items: Json[] };

/** Six hours of orders: hours 0-3 complete (hour 1 with late data, v2), hours 4-5 open. */
async function seed(h: CatalogHarness): Promise<void> {
  for (let hour = 0; hour < 6; hour++) {
    await commitFile(h.store, h.log, { startMs: DAY0 + hour * HOUR, partition: 0, first: hour * 100, rows: 100, duplicates: hour });
    await commitFile(h.store, h.log, { startMs: DAY0 + hour * HOUR, partition: 1, first: hour * 50, rows: 50 });
  }
  // Change-log names have millisecond resolution; a pause keeps this test's change order unambiguous.
  for (let hour = 0; hour < 4; hour++) {
    await sleep(2);
    await h.log.completePartition('orders', `event_date=2026-11-21/event_hour=0${hour}`);
  }
  await sleep(2);
  await commitFile(h.store, h.log, { startMs: DAY0 + HOUR, partition: 0, first: 10_000, rows: 7 });
}

test('datasets: list and detail with schema, partitioning, quality and freshness', async (t) => {
  const h = await startCatalog(t);
  await seed(h);
  const list = await h.get('/datasets');
  assert.equal(list.status, 200);
  const items = (list.body as Page).items;
  assert.equal(items.length, 1);
  assert.deepEqual(items[0]?.['partitions'], { total: 6, complete: 4, open: 2, rows: 907, bytes: 6 * 350 + 107 });
  assert.equal((items[0]?.['newest_complete_partition'] as Json)['id'], '2026-11-21T03');

  const detail = await h.get('/datasets/orders');
  assert.equal(detail.status, 200);
  const d = detail.body as Json;
  const schema = d['schema'] as { columns: Json[] };
  assert.deepEqual(schema.columns[0], { name: 'order_id', type: 'string', nullable: false, description: 'Order number' });
  assert.equal((d['partitioning'] as Json)['path_template'], 'orders/event_date={yyyy-mm-dd}/event_hour={hh}');
  assert.equal((d['watermark'] as Json)['allowed_lateness_ms'], 60_000);
  assert.deepEqual(d['quality'], { consumed: 907 + 15, rows: 907, duplicates: 15, late_rows: 7, rejected: 0, rejected_by_reason: {} });
  assert.equal(d['since_start'], null);
  assert.equal(((d['freshness'] as Json)['newest_complete_partition'] as Json)['id'], '2026-11-21T03');
  assert.equal((d['freshness'] as Json)['consumer_lag'], null);

  const missing = await h.get('/datasets/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  assert.equal((missing.body as Json)['code'], 'CATALOG_NOT_FOUND');
  const bad = await h.get('/datasets/Not-A-Name');
  assert.equal(bad.status, 400);
  assert.equal(((bad.body as Json)['invalid_params'] as Json[])[0]?.['name'], 'dataset');
});

test('partitions: event-time range and status filters, embedded files, cursor pagination with self and next', async (t) => {
  const h = await startCatalog(t);
  await seed(h);
  const complete = await h.get('/datasets/orders/partitions?from=2026-11-21T01:00:00Z&to=2026-11-21T05:00:00Z&status=complete&embed=files');
  assert.equal(complete.status, 200);
  const page = complete.body as Page;
  assert.deepEqual(page.items.map((p) => p['id']), ['2026-11-21T01', '2026-11-21T02', '2026-11-21T03']);
  assert.equal(page.items[0]?.['rows'], 157);
  assert.equal(page.items[0]?.['version'], 2);
  assert.equal((page.items[0]?.['files'] as Json[]).length, 3);
  assert.match(String((page.items[0]?.['files'] as Json[])[0]?.['uri']), /^s3:\/\/lake\/orders\/event_date=2026-11-21\/event_hour=01\/part-/);
  assert.equal(page.next, undefined);

  const seen: string[] = [];
  let next: string | undefined = '/datasets/orders/partitions?limit=4';
  while (next) {
    const res = await h.get(next.replace(h.url, ''));
    const body = res.body as Page;
    assert.ok(body.self.startsWith(h.url));
    seen.push(...body.items.map((p) => String(p['id'])));
    next = body.next;
  }
  assert.deepEqual(seen, ['00', '01', '02', '03', '04', '05'].map((x) => `2026-11-21T${x}`));

  const open = await h.get('/datasets/orders/partitions?status=open');
  assert.deepEqual((open.body as Page).items.map((p) => p['status']), ['open', 'open']);

  for (const [query, name] of [
    ['status=closed', 'status'],
    ['from=yesterday', 'from'],
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['cursor=garbage', 'cursor'],
    ['changed_since=garbage', 'changed_since'],
    ['colour=red', 'colour'],
    ['limit=1&limit=2', 'limit'],
  ] as const) {
    const res = await h.get(`/datasets/orders/partitions?${query}`);
    assert.equal(res.status, 400, query);
    assert.equal(((res.body as Json)['invalid_params'] as Json[])[0]?.['name'], name, query);
  }
});

test('partitions changed since a cursor: complete or new versions, each once, in change order; polling resumes exactly', async (t) => {
  const h = await startCatalog(t);
  await seed(h);
  const all = (await h.get('/datasets/orders/partitions?changed_since=1970-01-01T00:00:00Z')).body as Page;
  // Hour 01's latest change is its late-data version 2, which came last.
  assert.deepEqual(all.items.map((p) => [p['id'], (p['change'] as Json)['change'], (p['change'] as Json)['version']]), [
    ['2026-11-21T00', 'complete', 1],
    ['2026-11-21T02', 'complete', 1],
    ['2026-11-21T03', 'complete', 1],
    ['2026-11-21T01', 'late_data', 2],
  ]);
  const cursor = all.changes_cursor ?? '';
  const none = (await h.get(`/datasets/orders/partitions?changed_since=${cursor}`)).body as Page;
  assert.deepEqual(none.items, []);
  assert.equal(none.changes_cursor, cursor);

  // Hour 04 completes; the next poll with the stored cursor returns exactly it.
  await sleep(2);
  await h.log.completePartition('orders', 'event_date=2026-11-21/event_hour=04');
  await h.catalog.lake.refresh('orders');
  const poll = (await h.get(`/datasets/orders/partitions?changed_since=${cursor}&embed=files`)).body as Page;
  assert.deepEqual(poll.items.map((p) => p['id']), ['2026-11-21T04']);
  assert.equal((poll.items[0]?.['files'] as Json[]).length, 2);

  // Paging through changes: limit 1, following next links, gives the same sequence.
  const ids: string[] = [];
  let next: string | undefined = '/datasets/orders/partitions?changed_since=1970-01-01T00:00:00Z&limit=1';
  while (next) {
    const body = (await h.get(next.replace(h.url, ''))).body as Page;
    ids.push(...body.items.map((p) => String(p['id'])));
    next = body.next;
  }
  assert.deepEqual(ids, ['00', '02', '03', '01', '04'].map((x) => `2026-11-21T${x}`));
  const withCursor = await h.get(`/datasets/orders/partitions?changed_since=${cursor}&cursor=abc`);
  assert.equal(withCursor.status, 400);
});

test('partition detail: files, quality, version history; unknown and malformed ids', async (t) => {
  const h = await startCatalog(t);
  await seed(h);
  const res = await h.get('/datasets/orders/partitions/2026-11-21T01');
  assert.equal(res.status, 200);
  const p = res.body as Json;
  assert.equal(p['status'], 'complete');
  assert.equal(p['version'], 2);
  assert.equal(p['rows'], 157);
  assert.deepEqual(p['quality'], { duplicates: 1, late_rows: 7 });
  const files = p['files'] as Json[];
  assert.equal(files.length, 3);
  assert.deepEqual(files[2]?.['source'], { topic: 'orders-topic', partition: 0, first_offset: 10_000, last_offset: 10_006 });
  assert.equal(files[2]?.['late'], true);
  const versions = p['versions'] as Json[];
  assert.deepEqual(versions.map((v) => [v['version'], v['reason'], v['rows']]), [[1, 'ingest', 150], [2, 'late_data', 157]]);
  assert.match(String(versions[1]?.['manifest_href']), /\/manifest\?version=2$/);

  assert.equal((await h.get('/datasets/orders/partitions/2026-11-22T01')).status, 404);
  const malformed = await h.get('/datasets/orders/partitions/yesterday-ish');
  assert.equal(malformed.status, 400);
  assert.equal(((malformed.body as Json)['invalid_params'] as Json[])[0]?.['name'], 'partition');
});

test('manifest: Redshift COPY shape per version, 409 while open, presigned URLs on request', async (t) => {
  const presigned: string[] = [];
  const h = await startCatalog(t, {});
  (h.catalog.context as { presigner: unknown }).presigner = {
    presign: async (key: string) => {
      presigned.push(key);
      return `https://example.test/${key}?sig=1`;
    },
  };
  await seed(h);
  const latest = (await h.get('/datasets/orders/partitions/2026-11-21T01/manifest')).body as { version: number; rows: number; entries: Array<{ url: string; mandatory: boolean; meta: Json }> };
  assert.equal(latest.version, 2);
  assert.equal(latest.rows, 157);
  assert.equal(latest.entries.length, 3);
  for (const e of latest.entries) {
    assert.equal(e.mandatory, true);
    const key = e.url.replace(`s3://${BUCKET}/`, '');
    assert.equal(e.meta['content_length'], (await h.store.head(key))?.size);
  }
  const v1 = (await h.get('/datasets/orders/partitions/2026-11-21T01/manifest?version=1')).body as { entries: unknown[]; rows: number };
  assert.equal(v1.entries.length, 2);
  assert.equal(v1.rows, 150);
  assert.equal((await h.get('/datasets/orders/partitions/2026-11-21T01/manifest?version=9')).status, 404);
  const open = await h.get('/datasets/orders/partitions/2026-11-21T05/manifest');
  assert.equal(open.status, 409);
  assert.equal((open.body as Json)['code'], 'MANIFEST_UNAVAILABLE');
  const signed = await h.get('/datasets/orders/partitions/2026-11-21T00/manifest?presign=true');
  assert.equal(signed.headers.get('cache-control'), 'no-store');
  const entries = (signed.body as { entries: Json[] }).entries;
  assert.equal(entries.length, 2);
  assert.match(String(entries[0]?.['download_url']), /^https:\/\/example\.test\/orders\//);
  assert.equal(presigned.length, 2);
});

test('preview: the first rows of a partition from its Parquet files, as JSON', async (t) => {
  const h = await startCatalog(t);
  const pool = new ParquetEncoderPool(1);
  t.after(() => pool.close());
  const encoded = await pool.encode(sampleBatch(30), { compression: 'zstd', rowGroupRows: 10 });
  await commitFile(h.store, h.log, { startMs: DAY0, partition: 0, first: 0, rows: 30, bytes: encoded.bytes, sha256: encoded.sha256 });
  await commitFile(h.store, h.log, { startMs: DAY0, partition: 1, first: 0, rows: 30, bytes: encoded.bytes, sha256: `${encoded.sha256.slice(0, 60)}ffff` });

  const five = (await h.get('/datasets/orders/partitions/2026-11-21T00/preview?limit=5')).body as { rows: Json[]; columns: string[]; version: number };
  assert.equal(five.rows.length, 5);
  assert.equal(five.rows[0]?.['id'], 'order-0');
  assert.equal(five.rows[0]?.['_event_id'], 'evt-0');
  assert.equal(five.rows[0]?.['_event_time'], new Date(1_700_000_000_000).toISOString());
  assert.ok(five.columns.includes('_source_offset'));
  // int64 beyond 2^53 keeps every digit as a string.
  assert.ok(five.rows.some((r) => r['big'] === '9007199254740993'));

  const across = (await h.get('/datasets/orders/partitions/2026-11-21T00/preview?limit=45&columns=id,_source_partition')).body as { rows: Json[]; columns: string[] };
  assert.equal(across.rows.length, 45);
  assert.deepEqual(across.columns, ['id', '_source_partition']);
  assert.deepEqual(Object.keys(across.rows[0] ?? {}), ['id', '_source_partition']);
  assert.equal(across.rows[44]?.['id'], 'order-14');

  const badColumn = await h.get('/datasets/orders/partitions/2026-11-21T00/preview?columns=nope');
  assert.equal(badColumn.status, 400);
  assert.equal(((badColumn.body as Json)['invalid_params'] as Json[])[0]?.['name'], 'columns');
  const tooMany = await h.get('/datasets/orders/partitions/2026-11-21T00/preview?limit=5000');
  assert.equal(tooMany.status, 400);
});

test('dead letters: counts by reason and pages of rejects with their reasons', async (t) => {
  const h = await startCatalog(t);
  const layout = new LakeLayout('');
  const letter = (offset: number, reason: DeadLetter['reason']): DeadLetter => ({
    dataset: 'orders',
    topic: 'orders-topic',
    partition: 0,
    offset,
    timestamp_at: '2026-11-21T00:00:00.000Z',
    received_at: '2026-11-21T00:00:01.000Z',
    reason,
    message: `${reason} at ${offset}`,
    key_base64: null,
    value_base64: Buffer.from('{oops').toString('base64'),
  });
  await h.store.put(layout.deadLetterBatch('orders', 'orders-topic', 0, 2, 0), [letter(0, 'bad_json'), letter(1, 'missing_event_id'), letter(2, 'bad_json')].map((l) => JSON.stringify(l)).join('\n') + '\n');
  await h.store.put(layout.deadLetterBatch('orders', 'orders-topic', 1, 9, 9), JSON.stringify({ ...letter(9, 'schema_violation'), partition: 1 }) + '\n');

  const res = await h.get('/datasets/orders/dead-letters?limit=2');
  const body = res.body as Page & { counts: Json };
  assert.deepEqual(body.counts, { total: 4, by_reason: { bad_json: 2, missing_event_id: 1, schema_violation: 1 } });
  assert.deepEqual(body.items.map((l) => [l['offset'], l['reason']]), [[0, 'bad_json'], [1, 'missing_event_id']]);
  const second = (await h.get(String(body.next).replace(h.url, ''))).body as Page;
  assert.deepEqual(second.items.map((l) => [l['partition'], l['offset']]), [[0, 2], [1, 9]]);
  assert.equal(second.next, undefined);
  const badJson = (await h.get('/datasets/orders/dead-letters?reason=bad_json')).body as Page;
  assert.deepEqual(badJson.items.map((l) => l['message']), ['bad_json at 0', 'bad_json at 2']);
  assert.equal((await h.get('/datasets/orders/dead-letters?reason=typo')).status, 400);
  assert.equal((await h.get('/datasets/nope/dead-letters')).status, 404);

  const detail = (await h.get('/datasets/orders')).body as { quality: Json };
  assert.equal(detail.quality['rejected'], 4);
});

test('ETags on every read, 304 on If-None-Match, and a new ETag once a commit lands', async (t) => {
  const h = await startCatalog(t);
  await seed(h);
  for (const path of ['/datasets', '/datasets/orders', '/datasets/orders/partitions', '/datasets/orders/partitions/2026-11-21T00', '/datasets/orders/partitions/2026-11-21T00/manifest', '/datasets/orders/dead-letters']) {
    const first = await h.get(path);
    const etag = first.headers.get('etag');
    assert.ok(etag, `${path} has an ETag`);
    const again = await h.get(path, { authorization: `Bearer ${READ_TOKEN}`, 'if-none-match': etag });
    assert.equal(again.status, 304, path);
    assert.equal(again.text, '');
  }
  const before = (await h.get('/datasets/orders/partitions/2026-11-21T05')).headers.get('etag') ?? '';
  await commitFile(h.store, h.log, { startMs: DAY0 + 5 * HOUR, partition: 2, first: 0, rows: 3 });
  await h.catalog.lake.refresh('orders');
  const after = await h.get('/datasets/orders/partitions/2026-11-21T05', { authorization: `Bearer ${READ_TOKEN}`, 'if-none-match': before });
  assert.equal(after.status, 200);
  assert.equal((after.body as Json)['rows'], 153);
});

test('auth: no token, malformed header, bad token, wrong scope; health, metrics and the document stay open', async (t) => {
  const h = await startCatalog(t);
  const none = await h.get('/datasets', {});
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="tukang"');
  assert.equal((none.body as Json)['code'], 'CATALOG_UNAUTHORIZED');
  assert.equal((await h.get('/datasets', { authorization: 'Basic abc' })).status, 401);
  assert.equal((await h.get('/datasets', { authorization: 'Bearer not-a-known-token-at-all' })).status, 401);
  assert.equal((await h.get('/datasets', { authorization: 'Bearer a.b.c' })).status, 401);
  const wrongScope = await h.get('/datasets/orders/partitions', { authorization: `Bearer ${WRITE_ONLY_TOKEN}` });
  assert.equal(wrongScope.status, 403);
  assert.equal((wrongScope.body as Json)['code'], 'CATALOG_FORBIDDEN');
  // Auth comes before validation: an anonymous caller learns nothing about parameters.
  assert.equal((await h.get('/datasets/orders/partitions?limit=0', {})).status, 401);
  for (const open of ['/health', '/health/live', '/health/ready', '/openapi.json', '/openapi.yaml']) {
    assert.equal((await h.get(open, {})).status, 200, open);
  }
  const metrics = await h.request('GET', '/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.text, /tukang_catalog_requests_total\{method="GET",route="\/datasets",status="401"\} 4/);
  assert.match(metrics.text, /tukang_lake_partitions/);
});

test('auth disabled by the development flag serves without a token', async (t) => {
  const h = await startCatalog(t, { config: catalogConfig({ auth: { disabled: true } }) });
  assert.equal((await h.get('/datasets', {})).status, 200);
});

test('errors are problem+json without stack traces; unknown paths 404, wrong methods 405; flow ids pass through', async (t) => {
  const h = await startCatalog(t);
  const unknown = await h.get('/api/v1/datasets');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  const post = await h.request('POST', '/datasets', { authorization: `Bearer ${READ_TOKEN}` });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET');
  // A failing store: 503 problem, no internals.
  (h.store as unknown as { list: () => Promise<never> }).list = async () => {
    throw new Error('boom at /secret/path.js:12');
  };
  const failing = await h.get('/datasets/orders');
  assert.equal(failing.status, 500);
  assert.doesNotMatch(failing.text, /boom|secret|at /);
  assert.equal((failing.body as Json)['code'], 'INTERNAL');

  const flowed = await h.get('/health', { 'x-flow-id': 'flow-123' });
  assert.equal(flowed.headers.get('x-flow-id'), 'flow-123');
  assert.match((await h.get('/health', {})).headers.get('x-flow-id') ?? '', /^[0-9a-f-]{36}$/);
  assert.match((await h.get('/health', { 'x-flow-id': 'bad id\n' })).headers.get('x-flow-id') ?? '', /^[0-9a-f-]{36}$/);
});

test('the OpenAPI document is served as JSON and YAML, and is the same document', async (t) => {
  const h = await startCatalog(t);
  const json = (await h.get('/openapi.json', {})).body as Json;
  const yaml = parse((await h.request('GET', '/openapi.yaml')).text) as Json;
  assert.equal(json['openapi'], '3.1.0');
  assert.deepEqual(yaml, json);
});

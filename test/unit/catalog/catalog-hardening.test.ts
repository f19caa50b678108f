/**
 * Regression tests for the catalog defects found by outside testing (issue 11, item 6): each test
 * names the defect it pins down.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { TukangError } from '../../../src/errors/catalogue.js';
import { encodeCursor } from '../../../src/catalog/index/cursor.js';
import type { HealthCheck } from '../../../src/catalog/context.js';
import { silentLogger } from '../../../src/log/logger.js';
import { createKafka } from '../../../src/source/kafka-client.js';
import type { DeadLetter } from '../../../src/writing/dead-letter-batch.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { ParquetEncoderPool } from '../../../src/writing/parquet/encoder-pool.js';
import { sampleBatch } from '../writing/fixtures/sample-batch.js';
import { DAY0, HOUR, READ_TOKEN, WRITE_ONLY_TOKEN, catalogConfig, checkAgainstDocument, commitFile, startCatalog } from '../../helpers/catalog-fixture.js';

type Json = Record<string, unknown>;
const read = { authorization: `Bearer ${READ_TOKEN}` };

function letter(offset: number): DeadLetter {
  return {
    dataset: 'orders',
    topic: 'orders-topic',
    partition: 0,
    offset,
    timestamp_at: '2026-11-21T00:00:00.000Z',
    received_at: '2026-11-21T00:00:01.000Z',
    reason: 'bad_json',
    message: `bad_json at ${offset}`,
    key_base64: null,
    value_base64: Buffer.from('{oops').toString('base64'),
  };
}

test('a forged dead-letters cursor with a negative, fractional or huge line is a 400, not a 500', async (t) => {
  const h = await startCatalog(t);
  const object = new LakeLayout('').deadLetterBatch('orders', 'orders-topic', 0, 2, 0);
  await h.store.put(object, [0, 1, 2].map((o) => JSON.stringify(letter(o))).join('\n') + '\n');
  const name = object.slice('_tukang/dead-letters/orders/'.length);
  for (const line of [-1, 0.5, -0.5, 2 ** 60]) {
    const res = await h.get(`/datasets/orders/dead-letters?cursor=${encodeCursor({ k: 'd', o: name, l: line })}`);
    assert.equal(res.status, 400, `line ${line}: ${res.text}`);
    assert.equal(((res.body as Json)['invalid_params'] as Json[])[0]?.['name'], 'cursor');
  }
  const fine = await h.get(`/datasets/orders/dead-letters?cursor=${encodeCursor({ k: 'd', o: name, l: 1 })}`);
  assert.equal(fine.status, 200);
  assert.deepEqual((fine.body as { items: Json[] }).items.map((l) => l['offset']), [1, 2]);
});

test('/health answers within 2 s when a dependency hangs, joins the running check, and names no hosts', async (t) => {
  let started = 0;
  const hanging: HealthCheck = {
    name: 'kafka',
    check: () => {
      started++;
      return new Promise<void>(() => undefined);
    },
  };
  const failing: HealthCheck = {
    name: 's3',
    check: async () => {
      throw new TukangError('S3_UNAVAILABLE', 'S3 at http://10.1.2.3:4566 answered 503');
    },
  };
  const h = await startCatalog(t, { deps: { checks: [hanging, failing] } });
  for (const path of ['/health', '/health/ready']) {
    const began = Date.now();
    const res = await h.get(path, {});
    const took = Date.now() - began;
    assert.equal(res.status, 503);
    assert.ok(took < 2_000, `${path} took ${took} ms`);
    assert.deepEqual(res.body, {
      status: 'down',
      checks: [
        { name: 'kafka', status: 'down', detail: 'TIMEOUT' },
        { name: 's3', status: 'down', detail: 'S3_UNAVAILABLE' },
      ],
    });
    assert.doesNotMatch(res.text, /10\.1\.2\.3|4566/);
  }
  assert.equal(started, 1, 'the second probe joined the check still running');
});

/** A TCP server that accepts connections and never answers: a broker that hangs. */
async function blackhole(t: { after(fn: () => Promise<void>): void }): Promise<number> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

test('GET /datasets/{name} does not wait on a Kafka that hangs: lag null with a reason, answered fast', async (t) => {
  const port = await blackhole(t);
  const config = catalogConfig();
  const kafka = createKafka({ ...config.kafka, brokers: [`127.0.0.1:${port}`], connection_timeout: 1_000 }, silentLogger(), '-probe', 0);
  const h = await startCatalog(t, { config, deps: { kafka } });
  await commitFile(h.store, h.log, { startMs: DAY0, partition: 0, first: 0, rows: 5 });
  for (let i = 0; i < 3; i++) {
    const began = Date.now();
    const res = await h.get('/datasets/orders');
    const took = Date.now() - began;
    assert.equal(res.status, 200);
    assert.ok(took < 1_500, `answered after ${took} ms`);
    const freshness = (res.body as { freshness: Json }).freshness;
    assert.equal(freshness['consumer_lag'], null);
    assert.ok(['kafka_pending', 'kafka_unavailable'].includes(String(freshness['consumer_lag_reason'])), String(freshness['consumer_lag_reason']));
  }
  const none = await startCatalog(t);
  const reason = ((await none.get('/datasets/orders')).body as { freshness: Json }).freshness['consumer_lag_reason'];
  assert.equal(reason, 'not_configured');
});

test('an X-Flow-ID longer than 128 characters, or empty, is replaced, not refused', async (t) => {
  const h = await startCatalog(t);
  for (const given of ['x'.repeat(129), 'a'.repeat(5_000), '']) {
    const res = await h.get('/datasets', { ...read, 'x-flow-id': given });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('x-flow-id') ?? '', /^[0-9a-f-]{36}$/);
  }
  const kept = await h.get('/datasets', { ...read, 'x-flow-id': 'f'.repeat(128) });
  assert.equal(kept.headers.get('x-flow-id'), 'f'.repeat(128));
});

test('empty query values are values: ?limit= and friends are 400s naming the parameter', async (t) => {
  const h = await startCatalog(t);
  for (const [path, name] of [
    ['/datasets/orders/partitions?limit=', 'limit'],
    ['/datasets/orders/partitions?cursor=', 'cursor'],
    ['/datasets/orders/partitions?embed=', 'embed'],
    ['/datasets/orders/partitions?from=', 'from'],
    ['/datasets/orders/dead-letters?reason=', 'reason'],
    ['/replays?limit', 'limit'],
  ] as const) {
    const res = await h.get(path);
    assert.equal(res.status, 400, path);
    assert.equal(((res.body as Json)['invalid_params'] as Json[])[0]?.['name'], name, path);
  }
});

test('the preview limit the served document states is the one the server applies (catalog.preview_max_rows)', async (t) => {
  const previewLimit = (doc: Json): unknown => {
    const op = ((doc['paths'] as Json)['/datasets/{dataset}/partitions/{partition}/preview'] as Json)['get'] as { parameters: Json[] };
    return (op.parameters.find((p) => p['name'] === 'limit')?.['schema'] as Json)['maximum'];
  };
  const pool = new ParquetEncoderPool(1);
  t.after(() => pool.close());
  const encoded = await pool.encode(sampleBatch(30), { compression: 'zstd', rowGroupRows: 10 });
  for (const max of [1_000, 4_000]) {
    const h = await startCatalog(t, { config: catalogConfig({ preview_max_rows: max }) });
    await commitFile(h.store, h.log, { startMs: DAY0, partition: 0, first: 0, rows: 30, bytes: encoded.bytes, sha256: encoded.sha256 });
    assert.equal(previewLimit((await h.get('/openapi.json', {})).body as Json), max);
    const over = await h.get(`/datasets/orders/partitions/2026-11-21T00/preview?limit=${max + 1}`);
    assert.equal(over.status, 400);
    assert.equal(((over.body as Json)['invalid_params'] as Json[])[0]?.['name'], 'limit');
    const at = await h.get(`/datasets/orders/partitions/2026-11-21T00/preview?limit=${max}`);
    assert.equal(at.status, 200, at.text);
    assert.equal((at.body as { rows: Json[] }).rows.length, 30);
  }
});

test('a body over 64 KiB is a documented 413 "Content Too Large"; a wrong method is 405 with its own code', async (t) => {
  const h = await startCatalog(t);
  const big = JSON.stringify({ dataset: 'orders', partitions: ['2026-11-21T00'], pad: 'x'.repeat(70_000) });
  const res = await fetch(`${h.url}/replays`, { method: 'POST', headers: { authorization: `Bearer ${WRITE_ONLY_TOKEN}`, 'content-type': 'application/json' }, body: big });
  const body = (await res.json()) as Json;
  assert.equal(res.status, 413);
  assert.equal(body['title'], 'Content Too Large');
  assert.equal(body['code'], 'CATALOG_BODY_UNREADABLE');
  checkAgainstDocument('POST', '/replays', res.status, res.headers.get('content-type') ?? '', body);
  const op = ((((await h.get('/openapi.json', {})).body as Json)['paths'] as Json)['/replays'] as Json)['post'] as { responses: Json };
  assert.ok('413' in op.responses, 'createReplay documents 413');

  const wrong = await h.request('PUT', '/datasets', read);
  assert.equal(wrong.status, 405);
  assert.equal((JSON.parse(wrong.text) as Json)['code'], 'CATALOG_METHOD_NOT_ALLOWED');
});

/** GET with a forged Host header (fetch does not let a caller set it). */
function getWithHost(url: string, host: string): Promise<Json> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { ...read, host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(JSON.parse(text) as Json));
    });
    req.on('error', reject);
    req.end();
  });
}

test('absolute links never follow the Host header: catalog.public_url, else the address the connection reached', async (t) => {
  const local = await startCatalog(t);
  for (let hour = 0; hour < 3; hour++) await commitFile(local.store, local.log, { startMs: DAY0 + hour * HOUR, partition: 0, first: hour * 10, rows: 10 });
  const forged = await getWithHost(`${local.url}/datasets/orders/partitions?limit=2`, 'evil.example:666');
  assert.equal(forged['self'], `${local.url}/datasets/orders/partitions?limit=2`);
  assert.ok(String(forged['next']).startsWith(`${local.url}/datasets/orders/partitions?`), String(forged['next']));
  assert.doesNotMatch(JSON.stringify(forged), /evil/);

  const h = await startCatalog(t, { config: catalogConfig({ public_url: 'https://catalog.example.com/lake/' }) });
  await commitFile(h.store, h.log, { startMs: DAY0, partition: 0, first: 0, rows: 10 });
  const listed = await getWithHost(`${h.url}/datasets`, 'evil.example');
  assert.equal(listed['self'], 'https://catalog.example.com/lake/datasets');
  assert.equal((listed['items'] as Json[])[0]?.['href'], 'https://catalog.example.com/lake/datasets/orders');
  const doc = (await h.get('/openapi.json', {})).body as Json;
  assert.deepEqual(doc['servers'], [{ url: 'https://catalog.example.com/lake/' }]);
  assert.throws(() => catalogConfig({ public_url: 'ftp://x.example' }), /catalog\.public_url/);
});

test('every answer carries X-Content-Type-Options: nosniff', async (t) => {
  const h = await startCatalog(t);
  for (const [path, headers] of [['/datasets', read], ['/datasets', {}], ['/nope', read], ['/openapi.yaml', {}], ['/health', {}], ['/metrics', {}]] as const) {
    const res = await h.request('GET', path, headers);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
  }
});

test('401 and 403 carry the RFC 6750 challenge: error="invalid_token", error="insufficient_scope" with the scope', async (t) => {
  const h = await startCatalog(t);
  assert.equal((await h.get('/datasets', {})).headers.get('www-authenticate'), 'Bearer realm="tukang"');
  assert.equal((await h.get('/datasets', { authorization: 'Basic abc' })).headers.get('www-authenticate'), 'Bearer realm="tukang"');
  for (const authorization of ['Bearer not-a-known-token-at-all', 'Bearer a.b.c', 'Bearer', 'Bearer two tokens']) {
    const res = await h.get('/datasets', { authorization });
    assert.equal(res.status, 401, authorization);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="tukang", error="invalid_token", error_description="[^"]+"$/, authorization);
  }
  const forbidden = await h.get('/datasets', { authorization: `Bearer ${WRITE_ONLY_TOKEN}` });
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.headers.get('www-authenticate'), 'Bearer realm="tukang", error="insufficient_scope", error_description="the token lacks the scope tukang.read", scope="tukang.read"');
});

test('a request line and headers over 16 KiB get a problem+json 431, not Node\'s bare status line', async (t) => {
  const h = await startCatalog(t);
  const answer = await new Promise<{ status: number; type: string; body: Json }>((resolve, reject) => {
    const req = httpRequest(`${h.url}/datasets?cursor=${'c'.repeat(20_000)}`, { headers: read }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body: JSON.parse(text) as Json }));
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(answer.status, 431);
  assert.equal(answer.type, 'application/problem+json');
  assert.equal(answer.body['code'], 'CATALOG_BAD_REQUEST');
  checkAgainstDocument('GET', '/datasets', answer.status, answer.type, answer.body);
});

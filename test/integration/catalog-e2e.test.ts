import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { buildCatalog } from '../../src/catalog/build-catalog.js';
import { checkAgainstDocument } from '../helpers/catalog-fixture.js';
import { freePort, startCli, waitFor, writeTempConfig } from '../helpers/cli.js';
import { LINEAGE_COLUMNS } from '../../src/core/records.js';
import { silentLogger } from '../../src/log/logger.js';
import { sampleOrderEvents } from '../../src/sample/order-events.js';
import { createKafka } from '../../src/source/kafka-client.js';
import { createS3Client } from '../../src/storage/s3-object-store.js';
import { arrayBufferOf, readPartitionStates } from '../helpers/lake-reader.js';
import { ORDER_COLUMNS, endOffsets, committedOffsets, produce, startMaterializer, until } from '../helpers/pipeline-harness.js';
import { FIXED_DATE_LIMITS, realConfig, realStack, uniqueName } from '../helpers/real-stack.js';

const TOKEN = 'e2e-catalog-token-0123456789';
const START = Date.UTC(2026, 10, 21, 6, 0, 0);

type Json = Record<string, unknown>;

test('the catalog reports exactly what the materializer wrote to S3, and its manifests load exactly those rows', { timeout: 300_000 }, async (t) => {
  const stack = await realStack(t, 'catalog-e2e');
  const topic = await stack.createTopic(4, 'catalog-orders');
  const config = realConfig({
    kafka: { group_id: uniqueName('catalog-group') },
    s3: { prefix: stack.prefix },
    materializer: { tick_interval: 200 },
    catalog: { port: 0, auth: { static_tokens: [{ name: 'e2e', token: TOKEN, scopes: ['tukang.read'] }] }, cache: { change_settle: '0ms' } },
    datasets: [
      {
        name: 'orders',
        topic,
        envelope: { type: 'nakadi' },
        limits: FIXED_DATE_LIMITS,
        schema: { columns: ORDER_COLUMNS, unknown_fields: 'keep_json' },
        watermark: { max_out_of_orderness: '30s', allowed_lateness: '1m', dedup_window: '1h', idle_timeout: '1s' },
        files: { late_batch_window: '300ms' },
      },
    ],
  });

  // 4 hours of events (disorder reaches into the hour before), with duplicates and malformed records.
  const produced = [...sampleOrderEvents({ count: 12_000, startMs: START, stepMs: 1_200, duplicateRate: 0.02, disorderMs: 10_000, badRate: 0.005, seed: 21 })];
  const sent = await produce(config, topic, produced);
  const valid = produced.filter((r) => r.eventId !== null && !r.duplicate);
  const bad = produced.filter((r) => r.eventId === null);
  const run = await startMaterializer(config, stack.store);
  t.after(() => run.stop());
  await until(() => run.pipeline.counters.consumed === sent, 120_000, () => `consumed ${run.pipeline.counters.consumed} of ${sent}`);
  await until(() => run.pipeline.counters.partitionsCompleted >= 3 && run.pipeline.bufferedBytes() === 0, 120_000, () => `completed ${run.pipeline.counters.partitionsCompleted}`);
  const ends = await endOffsets(config, topic);
  await until(async () => {
    const committed = await committedOffsets(config, topic);
    return [...ends].every(([p, end]) => committed.get(p) === end);
  }, 30_000, () => 'offsets committed');
  await run.stop();

  // A catalog-only instance over the same lake: it knows only what S3 (and Kafka) hold.
  const catalog = buildCatalog({ config, logger: silentLogger(), store: stack.store, checks: [], s3Client: createS3Client(config.s3), kafka: createKafka(config.kafka, silentLogger()) });
  const server = createServer(catalog.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    await catalog.lake.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string): Promise<Json> => {
    const res = await fetch(path.startsWith('http') ? path : `${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = (await res.json()) as Json;
    checkAgainstDocument('GET', path.replace(base, ''), res.status, res.headers.get('content-type') ?? '', body);
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(body)}`);
    return body;
  };

  const states = await readPartitionStates(stack.store, stack.prefix, 'orders');
  const duplicates = states.reduce((n, s) => n + s.duplicates, 0);

  // The dataset: quality counters over what the lake holds, freshness, lag.
  const dataset = await get('/datasets/orders');
  assert.deepEqual(dataset['quality'], {
    consumed: sent,
    rows: valid.length,
    duplicates,
    late_rows: 0,
    rejected: bad.length,
    rejected_by_reason: (dataset['quality'] as Json)['rejected_by_reason'],
  });
  assert.equal(duplicates, produced.filter((r) => r.duplicate).length);
  const freshness = dataset['freshness'] as Json;
  // Lag is fetched in the background: the first read waits at most 0.5 s for it, later ones none.
  let lagged = freshness;
  await until(async () => {
    lagged = (await get('/datasets/orders'))['freshness'] as Json;
    return lagged['consumer_lag'] !== null;
  }, 15_000, () => `consumer lag ${String(lagged['consumer_lag_reason'])}`);
  assert.deepEqual(lagged['consumer_lag'], { total: 0, partitions: [0, 1, 2, 3].map((partition) => ({ partition, lag: 0 })) });
  assert.equal(lagged['consumer_lag_reason'], null);
  assert.ok(typeof freshness['low_watermark_at'] === 'string');
  const complete = states.filter((s) => s.status === 'complete');
  assert.equal((freshness['newest_complete_partition'] as Json)['id'], complete.at(-1)?.partition_path.replace('event_date=', '').replace('/event_hour=', 'T'));

  // Partitions: every state in S3, with its status and counts, through paginated listing.
  const listed: Json[] = [];
  let next: string | undefined = '/datasets/orders/partitions?limit=2';
  while (next) {
    const page = await get(next);
    listed.push(...(page['items'] as Json[]));
    next = page['next'] as string | undefined;
  }
  assert.deepEqual(
    listed.map((p) => [p['path'], p['status'], p['rows'], p['bytes'], p['file_count'], p['version']]),
    states.map((s) => [s.partition_path, s.status, s.rows, s.bytes, s.files.length, s.version]),
  );

  // "Which hours are complete, with how many rows and which files": one call.
  const hours = await get(`/datasets/orders/partitions?from=${new Date(START - 3_600_000).toISOString()}&to=${new Date(START + 4 * 3_600_000).toISOString()}&status=complete&embed=files`);
  assert.deepEqual(
    (hours['items'] as Json[]).map((p) => [p['id'], p['rows'], (p['files'] as Json[]).map((f) => f['uri'])]),
    complete.map((s) => [s.partition_path.replace('event_date=', '').replace('/event_hour=', 'T'), s.rows, s.files.map((f) => f.uri)]),
  );
  // "What became complete since my cursor": everything, from the beginning of time.
  const changed = await get('/datasets/orders/partitions?changed_since=1970-01-01T00:00:00Z');
  assert.deepEqual(new Set((changed['items'] as Json[]).map((p) => p['path'])), new Set(complete.map((s) => s.partition_path)));

  const loadedIds: string[] = [];
  for (const state of complete) {
    const id = state.partition_path.replace('event_date=', '').replace('/event_hour=', 'T');
    // Detail: exactly the files of the state.
    const detail = await get(`/datasets/orders/partitions/${id}`);
    assert.deepEqual(
      (detail['files'] as Json[]).map((f) => [f['uri'], f['rows'], f['bytes'], f['sha256'], f['source']]),
      state.files.map((f) => [f.uri, f.rows, f.bytes, f.sha256, f.source]),
    );
    // Manifest with presigned URLs; an independent reader (hyparquet over plain HTTPS) loads exactly the rows.
    const manifest = await get(`/datasets/orders/partitions/${id}/manifest?presign=true`);
    assert.equal(manifest['rows'], state.rows);
    let rows = 0;
    for (const entry of manifest['entries'] as Array<{ url: string; mandatory: boolean; meta: { content_length: number }; download_url: string }>) {
      assert.equal(entry.mandatory, true);
      const download = await fetch(entry.download_url);
      assert.equal(download.status, 200);
      const bytes = new Uint8Array(await download.arrayBuffer());
      assert.equal(bytes.byteLength, entry.meta.content_length);
      const fileRows = await parquetReadObjects({ file: arrayBufferOf(bytes), compressors, columns: [LINEAGE_COLUMNS.eventId] });
      rows += fileRows.length;
      loadedIds.push(...fileRows.map((r) => String(r[LINEAGE_COLUMNS.eventId])));
    }
    assert.equal(rows, state.rows);
  }
  const completeIds = new Set(valid.filter((r) => complete.some((s) => s.partition_path === hourOf(r.eventTimeMs ?? 0))).map((r) => r.eventId));
  assert.equal(loadedIds.length, completeIds.size, 'manifests load each row once');
  assert.deepEqual(new Set(loadedIds), completeIds);

  // Preview: the first rows of the partition, read with range requests.
  const first = complete[0];
  assert.ok(first);
  const preview = await get(`/datasets/orders/partitions/${first.partition_path.replace('event_date=', '').replace('/event_hour=', 'T')}/preview?limit=5`);
  const previewRows = preview['rows'] as Json[];
  assert.equal(previewRows.length, 5);
  // Files in the order the state lists them, rows in file order (the partition may start with small files).
  const expected: Json[] = [];
  for (const file of first.files) {
    const object = await stack.store.get(file.key);
    expected.push(...(await parquetReadObjects({ file: arrayBufferOf(object?.body ?? new Uint8Array()), compressors })));
  }
  assert.deepEqual(previewRows.map((r) => r[LINEAGE_COLUMNS.eventId]), expected.slice(0, 5).map((r) => r[LINEAGE_COLUMNS.eventId]));
  assert.equal(previewRows[0]?.['order_id'], expected[0]?.['order_id']);

  // Dead letters: every rejected record, with its reason.
  const letters = await get('/datasets/orders/dead-letters?limit=1000');
  assert.equal((letters['counts'] as Json)['total'], bad.length);
  const items = letters['items'] as Json[];
  assert.equal(items.length, bad.length);
  assert.deepEqual(items.map((l) => Buffer.from(String(l['value_base64']), 'base64').toString('utf8')).sort(), bad.map((r) => r.value).sort());
  assert.ok(items.every((l) => typeof l['reason'] === 'string' && typeof l['message'] === 'string'));
});

function hourOf(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `event_date=${iso.slice(0, 10)}/event_hour=${iso.slice(11, 13)}`;
}

test('tukang catalog serves the catalog alone: health open, data behind a token, request logs with the flow id', { timeout: 120_000 }, async (t) => {
  const stack = await realStack(t, 'catalog-cli');
  const port = await freePort();
  const file = writeTempConfig({
    kafka: { brokers: stack.config.kafka.brokers },
    s3: { endpoint: stack.config.s3.endpoint, bucket: stack.config.s3.bucket, prefix: stack.prefix },
    catalog: { port, auth: { static_tokens: [{ name: 'cli', token: TOKEN, scopes: ['tukang.read'] }] } },
    log: { format: 'json' },
    datasets: [{ name: 'orders', topic: 'unused-topic', envelope: { type: 'nakadi' }, schema: { columns: ORDER_COLUMNS } }],
  });
  const run = startCli(['catalog', '--config', file]);
  t.after(() => run.child.kill('SIGKILL'));
  await waitFor(() => run.output().includes('tukang catalog running'), 30_000, 'the catalog to start');
  const health = await fetch(`http://127.0.0.1:${port}/health`);
  assert.deepEqual(await health.json(), { status: 'up', checks: [{ name: 's3', status: 'up' }, { name: 'kafka', status: 'up' }] });
  assert.equal((await fetch(`http://127.0.0.1:${port}/datasets`)).status, 401);
  const list = await fetch(`http://127.0.0.1:${port}/datasets/orders/partitions`, { headers: { authorization: `Bearer ${TOKEN}`, 'x-flow-id': 'cli-flow-1' } });
  assert.equal(list.status, 200);
  assert.deepEqual(((await list.json()) as Json)['items'], []);
  await waitFor(() => run.output().includes('"flow_id":"cli-flow-1"'), 5_000, `a request log line with the flow id:\n${run.output()}`);
  assert.doesNotMatch(run.output(), new RegExp(TOKEN), 'tokens never reach the logs');
  const exited = new Promise<number | null>((resolve) => run.child.once('exit', (code) => resolve(code)));
  run.child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { buildCatalog } from '../../src/catalog/build-catalog.js';
import { parseConfig } from '../../src/config/load.js';
import type { PartitionState } from '../../src/lake/metadata-types.js';
import { silentLogger } from '../../src/log/logger.js';
import { sampleOrderEvents } from '../../src/sample/order-events.js';
import { createKafka } from '../../src/source/kafka-client.js';
import { LakeLayout } from '../../src/lake/lake-layout.js';
import { runCli, writeTempConfig } from '../helpers/cli.js';
import { readLake } from '../helpers/lake-reader.js';
import { ORDER_COLUMNS, ordersConfig, produce, startMaterializer, until } from '../helpers/pipeline-harness.js';
import { FIXED_DATE_LIMITS, realStack, uniqueName } from '../helpers/real-stack.js';

const START = Date.UTC(2026, 10, 3, 6, 0, 0);
const PATH = 'event_date=2026-11-03/event_hour=06';
const COLUMNS = ORDER_COLUMNS.filter((c) => c.name !== 'coupon');
const TOKEN = 'writer-and-reader-0123456789abcdef';

test('replay through the API against Kafka and S3: 202, poll until succeeded, the new version in the changes listing; then tukang gc', { timeout: 300_000 }, async (t) => {
  const stack = await realStack(t, 'replay-api');
  const topic = await stack.createTopic(3, 'replay-api');
  const base = ordersConfig(topic, stack.prefix, uniqueName('replay-api-group'), { schema: { columns: COLUMNS, unknown_fields: 'ignore' } });
  await produce(base, topic, sampleOrderEvents({ count: 6_000, startMs: START, stepMs: 2_000, duplicateRate: 0.02, disorderMs: 10_000, badRate: 0.002, seed: 7 }));
  const run = await startMaterializer(base, stack.store);
  const stateOfPath = async (): Promise<PartitionState | undefined> => (await readLake(stack.store, stack.prefix, 'orders')).find((p) => p.state.partition_path === PATH)?.state;
  await until(async () => (await stateOfPath())?.status === 'complete', 120_000, () => `completed ${run.pipeline.counters.partitionsCompleted}`);
  await run.stop();
  const before = (await stateOfPath()) as PartitionState;
  assert.equal(before.status, 'complete');

  const config = parseConfig({
    kafka: { brokers: base.kafka.brokers },
    s3: { endpoint: base.s3.endpoint, bucket: base.s3.bucket, prefix: stack.prefix },
    log: { level: 'silent' },
    catalog: { auth: { static_tokens: [{ name: 'ops', token: TOKEN, scopes: ['tukang.read', 'tukang.write'] }] }, cache: { change_settle: '0ms' } },
    datasets: base.datasets.map((d) => ({ name: d.name, topic: d.topic, envelope: { type: 'nakadi' }, limits: FIXED_DATE_LIMITS, schema: { columns: COLUMNS, unknown_fields: 'ignore' }, watermark: { max_out_of_orderness: '30s', allowed_lateness: '1m', dedup_window: '1h', idle_timeout: '1s' } })),
  });
  const kafka = createKafka(config.kafka, silentLogger());
  const catalog = buildCatalog({ config, logger: silentLogger(), store: stack.store, checks: [], kafka });
  await catalog.replays.start();
  const server = createServer(catalog.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    await catalog.replays.stop();
    await catalog.lake.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const get = async (path: string): Promise<Record<string, unknown>> => (await (await fetch(path.startsWith('http') ? path : `${url}${path}`, { headers: auth })).json()) as Record<string, unknown>;

  const cursor = String((await get('/datasets/orders/partitions?changed_since=1970-01-01T00:00:00Z'))['changes_cursor']);
  const res = await fetch(`${url}/replays`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ dataset: 'orders', partitions: ['2026-11-03T06'] }) });
  assert.equal(res.status, 202, await res.clone().text());
  const location = res.headers.get('location') ?? '';
  let job: Record<string, unknown> = {};
  await until(async () => {
    job = await get(location);
    return job['status'] !== 'running';
  }, 120_000, () => JSON.stringify(job));
  assert.equal(job['status'], 'succeeded', String(job['error']));
  assert.ok(Number(job['records_read']) >= before.rows);

  await catalog.lake.refresh('orders');
  const changes = (await get(`/datasets/orders/partitions?changed_since=${cursor}`))['items'] as Array<Record<string, unknown>>;
  const changed = changes.find((p) => p['id'] === '2026-11-03T06');
  assert.ok(changed, JSON.stringify(changes));
  assert.deepEqual(changed['change'] && [(changed['change'] as Record<string, unknown>)['change'], (changed['change'] as Record<string, unknown>)['version']], ['replay', before.version + 1]);

  // gc: within the default retention nothing goes; with retention 0 the old version's files go, the new ones stay.
  const gcConfig = (retention: string): string => writeTempConfig({ ...JSON.parse(JSON.stringify({ kafka: { brokers: config.kafka.brokers }, s3: { endpoint: config.s3.endpoint, bucket: config.s3.bucket, prefix: stack.prefix }, log: { level: 'warn' } })), replay: { retention }, datasets: [{ name: 'orders', topic, envelope: { type: 'nakadi' }, limits: FIXED_DATE_LIMITS, schema: { columns: COLUMNS, unknown_fields: 'ignore' } }] });
  const kept = await runCli(['gc', '--json', '--config', gcConfig('7d')]);
  assert.equal(kept.code, 0, kept.stderr);
  assert.equal((JSON.parse(kept.stdout) as { deleted: unknown[]; retained: unknown[] }).deleted.length, 0);
  assert.equal((JSON.parse(kept.stdout) as { retained: unknown[] }).retained.length, before.files.length);
  const dry = await runCli(['gc', '--dry-run', '--json', '--config', gcConfig('0ms')]);
  assert.equal((JSON.parse(dry.stdout) as { would_delete: unknown[] }).would_delete.length, before.files.length);
  // The replay moved the old version's files out of the Hive folder (file-placement.ts).
  const layout = new LakeLayout(stack.prefix);
  for (const f of before.files) assert.ok(await stack.store.head(layout.supersededFile(f.key)), 'a dry run deletes nothing');
  const gc = await runCli(['gc', '--dataset', 'orders', '--config', gcConfig('0ms')]);
  assert.equal(gc.code, 0, gc.stderr);
  assert.match(gc.stdout, new RegExp(`^deleted ${before.files.length} files`));
  for (const f of before.files) for (const where of Object.values(layout.fileLocations(f.key))) assert.equal(await stack.store.head(where), undefined, `${where} deleted`);
  const after = (await readLake(stack.store, stack.prefix, 'orders')).find((p) => p.state.partition_path === PATH)?.state as PartitionState;
  for (const f of after.files) assert.ok(await stack.store.head(f.key), 'the current version is intact');
});

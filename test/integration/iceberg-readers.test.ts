import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildCatalog } from '../../src/catalog/build-catalog.js';
import type { TukangConfig } from '../../src/config/schema.js';
import { test } from 'node:test';
import { LINEAGE_COLUMNS } from '../../src/core/records.js';
import { resolveSchema } from '../../src/cleansing/schema/resolve-schema.js';
import { IcebergCommitter } from '../../src/iceberg/iceberg-committer.js';
import { TableStore } from '../../src/iceberg/table-store.js';
import { silentLogger } from '../../src/log/logger.js';
import { Materializer } from '../../src/materializer/materializer.js';
import { sampleOrderEvents } from '../../src/sample/order-events.js';
import { createKafka } from '../../src/source/kafka-client.js';
import { LakeLayout } from '../../src/lake/lake-layout.js';
import { partitionBounds } from '../../src/lake/hive-path.js';
import { readWithDuckDb, readWithPyIceberg, type ReadRequest, type ReaderRows } from '../helpers/iceberg-readers.js';
import { runPython } from '../helpers/iceberg-python.js';
import { readLake, type LakePartition } from '../helpers/lake-reader.js';
import { ordersConfig, produce, until } from '../helpers/pipeline-harness.js';
import { realStack, uniqueName } from '../helpers/real-stack.js';

const START = Date.UTC(2026, 10, 21, 6, 0, 0);
const TOKEN = 'iceberg-read-token-0123456789';

/** `event id|event time|source partition|offset` of every row of these partitions, sorted. */
function rowKeys(partitions: LakePartition[]): string[] {
  const rows = partitions.flatMap((p) =>
    p.files.flatMap((f) =>
      f.rows.map((r) => `${String(r[LINEAGE_COLUMNS.eventId])}|${(r[LINEAGE_COLUMNS.eventTime] as Date).toISOString()}|${String(r[LINEAGE_COLUMNS.partition])}|${String(r[LINEAGE_COLUMNS.offset])}`),
    ),
  );
  return rows.sort();
}

function key(rows: ReaderRows['rows']): string[] {
  return rows.map(([id, time, , partition, offset]) => `${id}|${new Date(time).toISOString()}|${partition}|${offset}`).sort();
}

test('Iceberg table: PyIceberg and DuckDB read each event of the lake exactly once', { timeout: 600_000 }, async (t) => {
  const stack = await realStack(t, 'iceberg');
  const topic = await stack.createTopic(4, 'iceberg-orders');
  const config = ordersConfig(topic, stack.prefix, uniqueName('iceberg-group'));
  const layout = new LakeLayout(config.s3.prefix);
  const committer = new IcebergCommitter({
    config: { ...config, iceberg: { ...config.iceberg, commit_interval: 500 } },
    datasets: config.datasets.map((dataset) => ({ dataset, schema: resolveSchema(dataset) })),
    store: stack.store,
    layout,
    logger: silentLogger(),
  });
  await committer.start();
  const produced = [...sampleOrderEvents({ count: 6_000, startMs: START, stepMs: 2_000, duplicateRate: 0.01, disorderMs: 20_000, badRate: 0, seed: 11, paddingChars: 0 })];
  const sent = await produce(config, topic, produced);
  const materializer = new Materializer(config, createKafka(config.kafka, silentLogger()), stack.store, silentLogger(), committer);
  await materializer.start();
  const pipeline = materializer.pipelines.get(topic);
  assert.ok(pipeline);
  await until(() => pipeline.counters.consumed === sent && pipeline.bufferedBytes() === 0 && pipeline.counters.partitionsCompleted >= 3, 240_000, () => `consumed ${pipeline.counters.consumed} of ${sent}`);
  await materializer.stop();
  await committer.stop();

  const lake = await readLake(stack.store, stack.prefix, 'orders');
  const lakeRows = rowKeys(lake);
  const tables = new TableStore(stack.store, layout, config.s3.bucket);
  const latest = await tables.latest('orders');
  assert.ok(latest, 'the table has a metadata version');
  t.diagnostic(`table at v${latest.version} with ${latest.metadata.snapshots.length} snapshots over ${lake.length} partitions`);
  assert.ok(latest.metadata.snapshots.length <= committer.committed.length);

  const s3 = { endpoint: config.s3.endpoint ?? '', region: config.s3.region, accessKeyId: 'test', secretAccessKey: 'test' };
  const request: ReadRequest = { s3, metadata: tables.uri(latest.key) };
  const py = await readWithPyIceberg(request);
  assert.equal(py.rows.length, lakeRows.length, 'PyIceberg: one row per lake row');
  assert.deepEqual(key(py.rows), lakeRows, 'PyIceberg: the same events');
  assert.match(py.event_time_type, /timestamp\[(ms|us), tz=(UTC|\+00:00)\]/);
  const expectedHours = lake.map((p) => Math.floor(Date.parse(p.state.start_at) / 3_600_000)).sort((a, b) => a - b);
  assert.deepEqual(py.hours, expectedHours, 'PyIceberg: partition values are the hours of the Hive paths');

  // The data files carry the Iceberg schema's field ids as Parquet field ids (pyarrow reads them).
  const sampleFile = lake[0]?.files[0]?.key;
  assert.ok(sampleFile);
  const local = join(mkdtempSync(join(tmpdir(), 'tukang-ids-')), 'file.parquet');
  writeFileSync(local, (await stack.store.get(sampleFile))?.body ?? new Uint8Array());
  const fileIds = await runPython<Record<string, number>>(
    'import json, sys\nimport pyarrow.parquet as pq\ns = pq.read_schema(json.load(sys.stdin)["path"])\nprint(json.dumps({f.name: int(f.metadata[b"PARQUET:field_id"]) for f in s}))',
    { path: local },
  );
  assert.deepEqual(fileIds, Object.fromEntries(latest.metadata.schemas[0]?.fields.filter((f) => f.name in fileIds).map((f) => [f.name, f.id]) ?? []), 'pyarrow: Parquet field ids are the Iceberg ids');
  assert.ok(Object.keys(fileIds).includes(LINEAGE_COLUMNS.eventTime));

  const duck = await readWithDuckDb(request);
  assert.deepEqual(key(duck.rows), lakeRows, 'DuckDB: the same events');
  assert.match(duck.event_time_type, /TIMESTAMP WITH TIME ZONE/);

  // The same through the catalog's Iceberg REST endpoints, with a tukang.read token.
  const catalogConfig: TukangConfig = { ...config, catalog: { ...config.catalog, auth: { disabled: false, jwt: null, static_tokens: [{ name: 'reader', token: TOKEN, scopes: ['tukang.read'] }] } } };
  const { app } = buildCatalog({ config: catalogConfig, logger: silentLogger(), store: stack.store, checks: [] });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/iceberg`;
  const unauthorized = await fetch(`${uri}/v1/namespaces/tukang/tables/orders`);
  assert.equal(unauthorized.status, 401, 'the REST catalog needs a token');
  const loadTable = (await (await fetch(`${uri}/v1/namespaces/tukang/tables/orders`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { config: Record<string, string> };
  assert.deepEqual(loadTable.config, { 's3.endpoint': config.s3.endpoint, 's3.path-style-access': 'true', 's3.region': config.s3.region, 'client.region': config.s3.region });
  const rest: ReadRequest = { s3, catalog: { uri, token: TOKEN, namespace: 'tukang', table: 'orders' } };
  assert.deepEqual(key((await readWithPyIceberg(rest)).rows), lakeRows, 'PyIceberg through the REST catalog');
  assert.deepEqual(key((await readWithDuckDb(rest)).rows), lakeRows, 'DuckDB ATTACH to the REST catalog');

  // Only complete partitions, as docs/iceberg.md reads them: the current snapshot's
  // tukang.complete-before as a filter on _event_time gives exactly the complete partitions' rows.
  const table = (await tables.latest('orders'))?.metadata;
  const completeBefore = table?.snapshots.find((s) => s['snapshot-id'] === table['current-snapshot-id'])?.summary['tukang.complete-before'];
  assert.ok(typeof completeBefore === 'string', 'the current snapshot says up to when the table is complete');
  const beforeMs = Date.parse(completeBefore);
  assert.ok(lake.every((p) => partitionBounds(p.state.partition_path).endMs > beforeMs || p.state.status === 'complete'), 'every partition ending by then is complete');
  const completeRows = rowKeys(lake.filter((p) => p.state.status === 'complete' && partitionBounds(p.state.partition_path).endMs <= beforeMs));
  assert.ok(completeRows.length > 0, 'some partitions are complete');
  assert.deepEqual(key((await readWithPyIceberg({ ...rest, before: completeBefore })).rows), completeRows, 'PyIceberg: only the complete partitions');
  assert.deepEqual(key((await readWithDuckDb({ ...rest, before: completeBefore })).rows), completeRows, 'DuckDB: only the complete partitions');

  // Late data for a complete partition: a new Tukang version, appended as a new snapshot; time
  // travel to the snapshot before it still gives the old rows.
  const before = (await tables.latest('orders'))?.metadata['current-snapshot-id'];
  const late = [...sampleOrderEvents({ count: 20, startMs: START + 60_000, stepMs: 1_000, duplicateRate: 0, disorderMs: 0, badRate: 0, seed: 99, paddingChars: 0 })].map((r) => ({
    ...r,
    key: `late-${r.key}`,
    value: r.value.replaceAll(r.eventId ?? '', `late-${r.eventId ?? ''}`),
    eventId: `late-${r.eventId ?? ''}`,
  }));
  const committer2 = new IcebergCommitter({
    config: { ...config, iceberg: { ...config.iceberg, commit_interval: 500 } },
    datasets: config.datasets.map((dataset) => ({ dataset, schema: resolveSchema(dataset) })),
    store: stack.store,
    layout,
    logger: silentLogger(),
  });
  await committer2.start();
  const again = new Materializer(config, createKafka(config.kafka, silentLogger()), stack.store, silentLogger(), committer2);
  await again.start();
  const lateSent = await produce(config, topic, late);
  const pipeline2 = again.pipelines.get(topic);
  assert.ok(pipeline2);
  await until(() => pipeline2.counters.consumed >= lateSent && pipeline2.bufferedBytes() === 0, 120_000, () => `late: consumed ${pipeline2?.counters.consumed}`);
  await until(async () => (await readLake(stack.store, stack.prefix, 'orders')).reduce((n, p) => n + p.state.rows, 0) === lakeRows.length + late.length, 60_000, () => 'late rows committed');
  await again.stop();
  await committer2.stop();
  const afterLate = await tables.latest('orders');
  assert.ok(afterLate && before !== undefined);
  const lateSnapshot = afterLate.metadata.snapshots.at(-1);
  assert.equal(lateSnapshot?.summary.operation, 'append');
  const withLate = await readWithPyIceberg(rest);
  assert.equal(withLate.rows.length, lakeRows.length + late.length, 'PyIceberg sees the late rows');
  assert.equal(new Set(withLate.rows.map((r) => r[0])).size, withLate.rows.length, 'each event once');
  assert.deepEqual(key((await readWithDuckDb(rest)).rows), key(withLate.rows), 'DuckDB agrees');
  assert.deepEqual(key((await readWithPyIceberg({ ...rest, snapshotId: before })).rows), lakeRows, 'PyIceberg time travel: the snapshot before');
  assert.deepEqual(key((await readWithDuckDb({ ...rest, snapshotId: before })).rows), lakeRows, 'DuckDB time travel: the snapshot before');
});

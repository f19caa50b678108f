import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';
import { IcebergCommitter } from '../../../src/iceberg/iceberg-committer.js';
import { silentLogger } from '../../../src/log/logger.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { DAY0, READ_TOKEN, WRITE_ONLY_TOKEN, catalogConfig, commitFile, startCatalog } from '../../helpers/catalog-fixture.js';

test('Iceberg REST endpoints: config, namespace, tables, load table with storage config, HEAD, tokens', async (t) => {
  const config = catalogConfig({}, { endpoint: 'http://s3.example:4566', region: 'eu-central-1' });
  const harness = await startCatalog(t, { config });
  const auth = { authorization: `Bearer ${READ_TOKEN}` };

  const cfg = await harness.get('/iceberg/v1/config?warehouse=lake');
  assert.equal(cfg.status, 200);
  assert.ok((cfg.body as { endpoints: string[] }).endpoints.includes('HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}'));
  assert.deepEqual((await harness.get('/iceberg/v1/namespaces')).body, { namespaces: [['tukang']] });
  assert.equal((await harness.get('/iceberg/v1/namespaces/other')).status, 404);
  assert.equal((await harness.request('HEAD', '/iceberg/v1/namespaces/tukang', auth)).status, 204);
  assert.equal((await harness.request('HEAD', '/iceberg/v1/namespaces/other', auth)).status, 404);
  assert.deepEqual((await harness.get('/iceberg/v1/namespaces/tukang/tables')).body, { identifiers: [{ namespace: ['tukang'], name: 'orders' }] });

  // No snapshot yet: 404, then a committed file makes the table loadable.
  assert.equal((await harness.request('HEAD', '/iceberg/v1/namespaces/tukang/tables/orders', auth)).status, 404);
  await commitFile(harness.store, harness.log, { startMs: DAY0, partition: 0, first: 0, rows: 10 });
  const dataset = config.datasets[0];
  assert.ok(dataset);
  const committer = new IcebergCommitter({ config, datasets: [{ dataset, schema: resolveSchema(dataset) }], store: harness.store, layout: new LakeLayout(''), logger: silentLogger() });
  await committer.flush();
  assert.equal((await harness.request('HEAD', '/iceberg/v1/namespaces/tukang/tables/orders', auth)).status, 204);
  const loaded = await harness.get('/iceberg/v1/namespaces/tukang/tables/orders?snapshots=all');
  assert.equal(loaded.status, 200);
  const body = loaded.body as { 'metadata-location': string; metadata: { 'format-version': number; 'current-snapshot-id': number }; config: Record<string, string> };
  assert.equal(body['metadata-location'], 's3://lake/_tukang/datasets/orders/iceberg/metadata/v1.metadata.json');
  assert.equal(body.metadata['format-version'], 2);
  assert.deepEqual(body.config, { 's3.endpoint': 'http://s3.example:4566', 's3.path-style-access': 'true', 's3.region': 'eu-central-1', 'client.region': 'eu-central-1' });
  assert.equal((await harness.get('/iceberg/v1/namespaces/tukang/tables/nope')).status, 404);

  assert.equal((await harness.request('GET', '/iceberg/v1/namespaces/tukang/tables/orders')).status, 401, 'no token');
  assert.equal((await harness.request('GET', '/iceberg/v1/namespaces/tukang/tables/orders', { authorization: `Bearer ${WRITE_ONLY_TOKEN}` })).status, 403, 'tukang.read needed');
});

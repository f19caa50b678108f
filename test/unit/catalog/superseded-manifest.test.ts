import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { BUCKET, DAY0, commitFile, startCatalog } from '../../helpers/catalog-fixture.js';

test('an older version’s manifest is served with the URLs where its files are now, after a replay moved them out of the folder', async (t) => {
  const h = await startCatalog(t, {});
  const layout = new LakeLayout('');
  const a = await commitFile(h.store, h.log, { startMs: DAY0, partition: 0, first: 0, rows: 10 });
  const b = await commitFile(h.store, h.log, { startMs: DAY0, partition: 1, first: 0, rows: 5 });
  await h.log.completePartition('orders', a.partition_path);
  const r = { ...a, key: `${layout.partitionDir('orders', a.partition_path)}part-replayed.zstd.parquet`, rows: 15 };
  r.uri = `s3://${BUCKET}/${r.key}`;
  await h.log.placement.stage(r.key, new Uint8Array(115), 'application/vnd.apache.parquet');
  await h.log.switchToReplay('orders', a.partition_path, 1, [r], 'job-1');

  const v1 = (await h.get('/datasets/orders/partitions/2026-11-21T00/manifest?version=1')).body as { entries: Array<{ url: string }> };
  const urls = v1.entries.map((e) => e.url).sort();
  assert.deepEqual(urls, [a, b].map((f) => `s3://${BUCKET}/${layout.supersededFile(f.key)}`).sort());
  for (const url of urls) assert.ok(await h.store.head(url.slice(`s3://${BUCKET}/`.length)), `${url} exists`);
  const v2 = (await h.get('/datasets/orders/partitions/2026-11-21T00/manifest?version=2')).body as { entries: Array<{ url: string }> };
  assert.deepEqual(v2.entries.map((e) => e.url), [r.uri], 'the current version keeps its folder URLs');
});

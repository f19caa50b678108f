import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DatasetIndex } from '../../../src/catalog/index/dataset-index.js';
import { PageCache } from '../../../src/catalog/index/page-cache.js';
import { DAY0, HOUR, commitFile, startCatalog } from '../../helpers/catalog-fixture.js';

type Page = { items: Array<Record<string, unknown>> };

test('page cache: a page is reused only while its index is unchanged', () => {
  const cache = new PageCache();
  const index = new DatasetIndex();
  cache.set(index, 'a', { items: [] });
  assert.deepEqual(cache.get(index, 'a'), { items: [] });
  assert.equal(cache.get(new DatasetIndex(), 'a'), undefined, 'another index (a rebuilt one) has its own pages');
  index.generation++;
  assert.equal(cache.get(index, 'a'), undefined);
});

test('listing: a repeated query after a commit answers the new state, not the cached page', async (t) => {
  const h = await startCatalog(t);
  await commitFile(h.store, h.log, { startMs: DAY0, partition: 0, first: 0, rows: 10 });
  await h.catalog.lake.index('orders');
  const url = '/datasets/orders/partitions?limit=10';
  const before = (await h.get(url)).body as Page;
  assert.equal((await h.get(url)).text, JSON.stringify(before), 'the same answer twice');
  assert.deepEqual(before.items.map((p) => [p['id'], p['status'], p['rows']]), [['2026-11-21T00', 'open', 10]]);
  await commitFile(h.store, h.log, { startMs: DAY0, partition: 1, first: 0, rows: 5 });
  await commitFile(h.store, h.log, { startMs: DAY0 + HOUR, partition: 0, first: 10, rows: 7 });
  await h.log.completePartition('orders', 'event_date=2026-11-21/event_hour=00');
  await h.catalog.lake.refresh('orders');
  const after = (await h.get(url)).body as Page;
  assert.deepEqual(after.items.map((p) => [p['id'], p['status'], p['rows']]), [['2026-11-21T00', 'complete', 15], ['2026-11-21T01', 'open', 7]]);
});

test('listing: a cached page keeps its ETag, and a conditional repeat is a 304', async (t) => {
  const h = await startCatalog(t);
  await commitFile(h.store, h.log, { startMs: DAY0, partition: 0, first: 0, rows: 10 });
  const url = '/datasets/orders/partitions?limit=10';
  const first = await h.get(url);
  const second = await h.get(url);
  assert.equal(second.headers.get('etag'), first.headers.get('etag'));
  assert.equal(second.text, first.text);
  const conditional = await h.request('GET', url, { authorization: 'Bearer read-token-0123456789abcdef', 'if-none-match': first.headers.get('etag') ?? '' });
  assert.equal(conditional.status, 304);
});

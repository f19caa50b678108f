import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { PartitionState } from '../../../src/lake/metadata-types.js';
import { DatasetIndex } from '../../../src/catalog/index/dataset-index.js';
import { partitionIdOf, partitionPathOf } from '../../../src/catalog/index/partition-id.js';
import { parseChangeName } from '../../../src/catalog/lake/lake-catalog.js';
import { putJson } from '../../../src/storage/object-store.js';
import { READ_TOKEN, catalogConfig, hourPath, startCatalog } from '../../helpers/catalog-fixture.js';
import { StaticListStore, T0, state } from '../../helpers/partition-states.js';

const HOUR = 3_600_000;

test('partition ids: compact, URL-safe, reversible, including value fields', () => {
  const cases: Array<[string, string]> = [
    ['event_date=2026-11-21/event_hour=10', '2026-11-21T10'],
    ['event_date=2026-11-21', '2026-11-21'],
    ['event_date=2026-11-21/event_hour=10/kind=a~b/region=eu%2Fwest', '2026-11-21T10~kind=a%7Eb~region=eu%2Fwest'],
  ];
  for (const [path, id] of cases) {
    assert.equal(partitionIdOf(path), id);
    assert.equal(partitionPathOf(id), path);
  }
  for (const bad of ['2026-11-21T1', 'yesterday', '2026-11-21T10~Bad=x', '2026-11-21T10~k=a/b', '']) assert.equal(partitionPathOf(bad), undefined, bad);
});

test('change-log names parse into time, path and version', () => {
  assert.deepEqual(parseChangeName('2026-11-21T11:01:02.345Z-event_date=2026-11-21+event_hour=10-v000002.json'), {
    name: '2026-11-21T11:01:02.345Z-event_date=2026-11-21+event_hour=10-v000002.json',
    at: '2026-11-21T11:01:02.345Z',
    atMs: Date.parse('2026-11-21T11:01:02.345Z'),
    path: 'event_date=2026-11-21/event_hour=10',
    version: 2,
    change: 'complete',
  });
  assert.equal(parseChangeName('garbage.json'), undefined);
});

test('index: range and status filters, resume after an entry, out-of-order inserts, changes counted once per partition', () => {
  const index = new DatasetIndex();
  for (const h of [5, 1, 3, 0, 4, 2]) index.upsert(state(T0 + h * HOUR, h < 4 ? 'complete' : 'open'), `"e${h}"`);
  assert.equal(index.upsert(state(T0), '"e0"'), false, 'same ETag: no change');
  const ids = (r: { items: Array<{ id: string }> }) => r.items.map((e) => e.id.slice(11));
  assert.deepEqual(ids(index.listByTime({}, undefined, 10)), ['00', '01', '02', '03', '04', '05']);
  assert.deepEqual(ids(index.listByTime({ fromMs: T0 + HOUR + 1, toMs: T0 + 4 * HOUR }, undefined, 10)), ['01', '02', '03']);
  assert.deepEqual(ids(index.listByTime({ status: 'open' }, undefined, 10)), ['04', '05']);
  const first = index.listByTime({}, undefined, 2);
  assert.equal(first.more, true);
  const last = first.items.at(-1);
  assert.deepEqual(ids(index.listByTime({}, last, 2)), ['02', '03']);

  const change = (minute: number, h: number, version = 1) => {
    const at = new Date(T0 + 100 * HOUR + minute * 60_000).toISOString();
    return { name: `${at}-${hourPath(T0 + h * HOUR).replace('/', '+')}-v${String(version).padStart(6, '0')}.json`, at, atMs: Date.parse(at), path: hourPath(T0 + h * HOUR), version, change: 'complete' as const };
  };
  index.addChange(change(1, 0));
  index.addChange(change(3, 2));
  index.addChange(change(2, 1)); // arrives late, sorts in place
  index.addChange(change(4, 0, 2)); // a new version of hour 0 supersedes its first change
  const all = index.listByChange({}, '', Number.MAX_SAFE_INTEGER, 10);
  assert.deepEqual(all.items.map((i) => [i.entry.id.slice(11), i.change.version]), [['01', 1], ['02', 1], ['00', 2]]);
  const held = index.listByChange({}, '', T0 + 100 * HOUR + 3 * 60_000, 10);
  assert.deepEqual(held.items.map((i) => i.entry.id.slice(11)), ['01', '02'], 'changes younger than the settle time wait');
  const paged = index.listByChange({}, '', Number.MAX_SAFE_INTEGER, 1);
  assert.equal(paged.more, true);
  assert.deepEqual(index.listByChange({}, paged.last, Number.MAX_SAFE_INTEGER, 10).items.map((i) => i.entry.id.slice(11)), ['02', '00']);
});

// Latency of this listing (index and HTTP, p50/p99) is measured by bench/catalog-index.ts.
test('listing a large index by time: pages of at most the limit, only the status asked for, in time order, also over HTTP', async (t) => {
  const N = 20_000;
  const index = new DatasetIndex();
  for (let i = 0; i < N; i++) index.upsert(state(T0 + i * HOUR, i % 10 === 0 ? 'open' : 'complete'), `"${i}"`);
  for (let r = 0; r < 50; r++) {
    const from = T0 + Math.floor(Math.random() * N) * HOUR;
    const page = index.listByTime({ fromMs: from, toMs: from + 24 * HOUR * 30, status: 'complete' }, undefined, 100);
    assert.ok(page.items.length <= 100);
    const starts = page.items.map((s) => s.startMs);
    assert.ok(page.items.every((s) => s.status === 'complete'), 'only complete partitions');
    assert.ok(starts.every((ms, k) => ms >= from && ms < from + 24 * HOUR * 30 && (k === 0 || ms > (starts[k - 1] ?? 0))), 'inside the range, in time order');
  }

  const partitions = 2_000;
  const store = new StaticListStore();
  for (let i = 0; i < partitions; i++) {
    const s = state(T0 + i * HOUR, i % 10 === 0 ? 'open' : 'complete');
    await putJson(store, `_tukang/datasets/orders/partitions/${s.partition_path}/state.json`, s);
  }
  const h = await startCatalog(t, { store, config: catalogConfig() });
  await h.catalog.lake.index('orders');
  for (let r = 0; r < 20; r++) {
    const from = new Date(T0 + Math.floor(Math.random() * partitions) * HOUR).toISOString();
    const res = await fetch(`${h.url}/datasets/orders/partitions?from=${from}&status=complete&limit=100`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { items: Array<{ status: string }> };
    assert.ok(body.items.length <= 100 && body.items.every((p) => p.status === 'complete'));
  }
});

test('index: what it keeps of a state comes back exactly, also text it cannot store as numbers or bytes', () => {
  const index = new DatasetIndex();
  const plain = state(T0, 'complete');
  index.upsert(plain, '"0123456789abcdef0123456789abcdef"');
  const odd: PartitionState = { ...state(T0 + HOUR, 'open'), updated_at: '2015-01-01T03:00:00Z', bytes: 2 ** 40, rows: 2 ** 33 };
  index.upsert(odd, '"0123456789abcdef0123456789abcdef-12"');
  const secondsOnly: PartitionState = { ...state(T0 + 2 * HOUR, 'complete') };
  secondsOnly.versions = [{ ...(secondsOnly.versions[0] as PartitionState['versions'][number]), completed_at: '2015-01-01T04:00:00+00:00' }];
  index.upsert(secondsOnly, 'W/"weak"');

  const a = index.get(plain.partition_path);
  assert.deepEqual([a?.etag, a?.updatedAt, a?.completedAt, a?.status, a?.startAt, a?.endAt], ['"0123456789abcdef0123456789abcdef"', plain.updated_at, plain.updated_at, 'complete', plain.start_at, plain.end_at]);
  const b = index.get(odd.partition_path);
  assert.deepEqual([b?.etag, b?.updatedAt, b?.completedAt, b?.bytes, b?.rows, b?.status], ['"0123456789abcdef0123456789abcdef-12"', '2015-01-01T03:00:00Z', null, 2 ** 40, 2 ** 33, 'open']);
  const c = index.get(secondsOnly.partition_path);
  assert.deepEqual([c?.etag, c?.completedAt], ['W/"weak"', '2015-01-01T04:00:00+00:00']);
  assert.equal(index.etag(odd.partition_path), '"0123456789abcdef0123456789abcdef-12"');
  assert.equal(index.upsert(odd, '"0123456789abcdef0123456789abcdef-12"'), false, 'a multipart ETag compares equal to itself');

  // A replaced state's odd text goes with it.
  index.upsert({ ...odd, updated_at: new Date(T0 + 5 * HOUR).toISOString() }, '"ffffffffffffffffffffffffffffffff"');
  const replaced = index.get(odd.partition_path);
  assert.deepEqual([replaced?.etag, replaced?.updatedAt], ['"ffffffffffffffffffffffffffffffff"', new Date(T0 + 5 * HOUR).toISOString()]);
  assert.deepEqual([...index.entries()].map((e) => e.path), [plain.partition_path, odd.partition_path, secondsOnly.partition_path]);
});

test('index: a large index holds few heap bytes per partition, so a mark-compact has little to mark', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const N = 50_000;
  const states = Array.from({ length: N }, (_, i) => state(T0 + i * HOUR, i % 10 === 0 ? 'open' : 'complete'));
  const etags = states.map((_, i) => `"${i.toString(16).padStart(32, '0')}"`);
  gc();
  const before = process.memoryUsage().heapUsed;
  const index = new DatasetIndex();
  for (let i = 0; i < N; i++) index.upsert(states[i] as PartitionState, etags[i] as string);
  gc();
  const perPartition = (process.memoryUsage().heapUsed - before) / N;
  assert.equal(index.size, N);
  // An index of one object per partition (its entry, strings and boxed numbers) held ~600 bytes each.
  assert.ok(perPartition < 250, `${perPartition.toFixed(0)} heap bytes per partition`);
});

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { PartitionState } from '../../../src/lake/metadata-types.js';
import type { DatasetConfig } from '../../../src/config/schema.js';
import type { DatasetIndex } from '../../../src/catalog/index/dataset-index.js';
import { LakeCatalog, type LakeCatalogSettings } from '../../../src/catalog/lake/lake-catalog.js';
import { createLogger, silentLogger, type Logger } from '../../../src/log/logger.js';
import { CountingObjectStore } from '../../../src/storage/counting-object-store.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { putJson } from '../../../src/storage/object-store.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { HOUR, hourPath } from '../../helpers/catalog-fixture.js';

const T0 = Date.UTC(2026, 0, 1);
const layout = new LakeLayout('lake/');
const dataset = { name: 'orders' } as DatasetConfig;
const settings: LakeCatalogSettings = { stateCacheSize: 100, refreshMs: 1_000, idleRefreshMs: 300_000, relistMs: 30_000, settleMs: 15_000, snapshotMs: 300_000 };
const SNAPSHOT = layout.indexSnapshot('orders');

function state(i: number, status: 'open' | 'complete', version = 1): PartitionState {
  const startMs = T0 + i * HOUR;
  const at = new Date(startMs + 2 * HOUR).toISOString();
  const versions = Array.from({ length: version }, (_, v) => ({ version: v + 1, reason: v === 0 ? ('ingest' as const) : ('late_data' as const), created_at: at, completed_at: status === 'complete' ? at : null, files: 1, rows: 10 + i, manifest: null }));
  return {
    dataset: 'orders',
    partition_path: hourPath(startMs),
    values: {},
    start_at: new Date(startMs).toISOString(),
    end_at: new Date(startMs + HOUR).toISOString(),
    status,
    version,
    files: [],
    rows: 10 + i + version,
    bytes: 1000 + i,
    duplicates: i % 3,
    late_rows: version - 1,
    min_event_at: null,
    max_event_at: null,
    versions,
    created_at: at,
    updated_at: new Date(startMs + 2 * HOUR + version).toISOString(),
  };
}

/** Writes a state the way the commit log does: state.json, an open marker while open, a change record on completion. */
async function write(store: MemoryObjectStore, s: PartitionState, changeAtMs?: number): Promise<void> {
  await putJson(store, layout.partitionState('orders', s.partition_path), s);
  const marker = `${layout.metaRoot('orders')}open/${s.partition_path.replaceAll('/', '+')}`;
  if (s.status === 'open') await store.put(marker, '');
  else await store.delete([marker]);
  if (changeAtMs !== undefined) {
    const name = `${new Date(changeAtMs).toISOString()}-${s.partition_path.replaceAll('/', '+')}-v${String(s.version).padStart(6, '0')}.json`;
    await putJson(store, `${layout.changeLog('orders')}${name}`, { dataset: 'orders', partition_path: s.partition_path, version: s.version, change: 'complete', at: new Date(changeAtMs).toISOString() });
  }
}

async function lake(count: number): Promise<MemoryObjectStore> {
  const store = new MemoryObjectStore();
  for (let i = 0; i < count; i++) await write(store, state(i, i < count - 2 ? 'complete' : 'open'), i < count - 2 ? T0 + (i + 2) * HOUR : undefined);
  return store;
}

function catalog(store: CountingObjectStore | MemoryObjectStore, now: { ms: number }, logger: Logger = silentLogger()): LakeCatalog {
  return new LakeCatalog(store, layout, [dataset], settings, logger, () => now.ms);
}

/** What listings and "changed since" polls see: the index's answer, compared across instances. */
function view(index: DatasetIndex): unknown {
  const { items } = index.listByTime({}, undefined, 10_000);
  const changes = index.listByChange({}, '', Number.MAX_SAFE_INTEGER, 10_000);
  return {
    partitions: items.map((e) => ({ ...e, change: e.change?.name })),
    changes: changes.items.map((c) => [c.entry.path, c.change.name, c.change.change, c.change.version]),
    totals: index.totals(),
  };
}

function capture(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'info', format: 'json' }, stream), lines };
}

const statesRead = (store: CountingObjectStore): number => store.log.filter((l) => l.startsWith('get ') && l.endsWith('/state.json')).length;

test('snapshot: a cold catalog without one builds from the states and writes one; the next cold start reads no state.json', async () => {
  const memory = await lake(50);
  const now = { ms: T0 + 100 * HOUR };
  const first = catalog(memory, now);
  const built = view(await first.index('orders'));
  assert.equal(await memory.head(SNAPSHOT), undefined);
  await first.refresh('orders');
  assert.ok(await memory.head(SNAPSHOT), 'the first refresh of a fresh build writes the snapshot');

  const counting = new CountingObjectStore(memory);
  const second = catalog(counting, now);
  const index = await second.index('orders');
  assert.deepEqual(view(index), built);
  // Only the two open partitions (their markers) are re-read; the 48 complete ones come from the snapshot.
  assert.equal(statesRead(counting), 2);
  assert.equal(counting.log.filter((l) => l.startsWith('list ') && l.includes('/partitions/')).length, 0, 'no listing of every state.json before the first answer');
});

test('snapshot: a stale one is caught up from the change log and the open markers', async () => {
  const memory = await lake(20);
  const now = { ms: T0 + 100 * HOUR };
  const first = catalog(memory, now);
  await first.index('orders');
  await first.refresh('orders');
  const snapshotEtag = (await memory.head(SNAPSHOT))?.etag;

  // After the snapshot: an open partition completes, a complete one gets late data (version 2), a new one opens.
  await write(memory, state(18, 'complete'), now.ms + 1_000);
  await write(memory, state(3, 'complete', 2), now.ms + 2_000);
  await write(memory, state(20, 'open'));
  now.ms += 60_000;
  assert.equal((await memory.head(SNAPSHOT))?.etag, snapshotEtag, 'the snapshot itself is stale');

  const cold = catalog(memory, now);
  const index = await cold.index('orders');
  // The truth: a catalog that read every state (snapshots off).
  const truth = new LakeCatalog(memory, layout, [dataset], { ...settings, snapshotMs: 0 }, silentLogger(), () => now.ms);
  assert.deepEqual(view(index), view(await truth.index('orders')));
  assert.equal(index.get(state(18, 'complete').partition_path)?.status, 'complete');
  assert.equal(index.get(state(3, 'complete').partition_path)?.version, 2);
  assert.equal(index.get(state(20, 'open').partition_path)?.status, 'open');
  const polled = index.listByChange({}, '', Number.MAX_SAFE_INTEGER, 100).items.at(-1);
  assert.equal(polled?.entry.path, state(3, 'complete').partition_path);
  assert.equal(polled?.change.change, 'late_data');
});

test('snapshot: a change that escaped the change log and markers is corrected by the verifying re-list', async () => {
  const memory = await lake(10);
  const now = { ms: T0 + 100 * HOUR };
  const first = catalog(memory, now);
  await first.index('orders');
  await first.refresh('orders');
  // A state rewritten with no change record and no marker (the case the periodic re-list exists for).
  const changed = { ...state(2, 'complete'), rows: 999 };
  await putJson(memory, layout.partitionState('orders', changed.partition_path), changed);

  const cold = catalog(memory, now);
  const index = await cold.index('orders');
  assert.equal(index.get(changed.partition_path)?.rows, 2 + 10 + 1, 'served from the snapshot until verified');
  await cold.refresh('orders');
  assert.equal(index.get(changed.partition_path)?.rows, 999, 'the first refresh re-lists every state.json against the snapshot');
});

test('snapshot: a corrupt one is logged as METADATA_CORRUPT, the index is built from the states and the snapshot rewritten', async () => {
  for (const body of ['{"format": "tukang.catalog-index.v1", "partitions": [', JSON.stringify({ format: 'tukang.catalog-index.v1', dataset: 'orders', written_at: 'x', changes_through: null, partitions: [['p', 'not a number']], changes: [] })]) {
    const memory = await lake(12);
    await memory.put(SNAPSHOT, body);
    const now = { ms: T0 + 100 * HOUR };
    const { logger, lines } = capture();
    const cold = catalog(memory, now, logger);
    const index = await cold.index('orders');
    const truth = new LakeCatalog(memory, layout, [dataset], { ...settings, snapshotMs: 0 }, silentLogger(), () => now.ms);
    assert.deepEqual(view(index), view(await truth.index('orders')));
    const logged = lines.find((l) => l['code'] === 'METADATA_CORRUPT');
    assert.ok(logged, 'the corrupt snapshot is logged with its code');
    assert.equal(logged['level'], 50);
    assert.equal(lines.find((l) => l['msg'] === 'catalog index built')?.['from'], 'states');
    await cold.refresh('orders');
    const again = catalog(memory, now);
    assert.deepEqual(view(await again.index('orders')), view(index), 'the rewritten snapshot loads');
  }
});

test('snapshot: instances write it with If-Match, so one that has not read the newest never overwrites it', async () => {
  const memory = await lake(6);
  const now = { ms: T0 + 100 * HOUR };
  const a = catalog(memory, now);
  const b = catalog(memory, now);
  await a.index('orders');
  await b.index('orders');
  await a.refresh('orders');
  const written = await memory.get(SNAPSHOT);
  assert.ok(written);
  await write(memory, state(4, 'complete'), now.ms + 1_000);
  now.ms += 20_000;
  await b.refresh('orders'); // b's index changed, but it saw no snapshot when it built: its write loses the race
  assert.equal((await memory.head(SNAPSHOT))?.etag, written.etag);
  now.ms += settings.snapshotMs;
  await b.refresh('orders'); // its next turn writes over the snapshot it has now seen
  const after = await memory.get(SNAPSHOT);
  assert.notEqual(after?.etag, written.etag);
  const cold = catalog(memory, now);
  assert.equal((await cold.index('orders')).get(state(4, 'complete').partition_path)?.status, 'complete');
});

test('snapshot: an unchanged index is not written again', async () => {
  const memory = await lake(6);
  const now = { ms: T0 + 100 * HOUR };
  const a = catalog(memory, now);
  await a.index('orders');
  await a.refresh('orders');
  const counting = new CountingObjectStore(memory);
  const b = catalog(counting, now);
  await b.index('orders');
  for (let i = 0; i < 5; i++) {
    now.ms += settings.relistMs + settings.snapshotMs;
    await b.refresh('orders');
  }
  assert.equal(counting.log.filter((l) => l.startsWith('put ')).length, 0);
});

test('idle: a quiet dataset backs off to idle_refresh_interval, a change brings the index up to date on the next turns', async (t) => {
  const memory = await lake(30);
  const counting = new CountingObjectStore(memory);
  const now = { ms: T0 + 100 * HOUR };
  const refreshMs = 2_000;
  const idle = new LakeCatalog(counting, layout, [dataset], { ...settings, refreshMs, idleRefreshMs: 600_000 }, silentLogger(), () => now.ms);
  await idle.index('orders');
  await idle.refreshDue(); // the first refresh of a fresh build writes the snapshot
  counting.reset();
  // The timer's turns over a simulated hour (it fires every refresh_interval).
  for (let t = 0; t < 3_600_000; t += refreshMs) {
    now.ms += refreshMs;
    await idle.refreshDue();
  }
  t.diagnostic(`idle hour: ${JSON.stringify(Object.fromEntries(counting.counts))}`);
  assert.ok(counting.total <= 40, `an idle hour made ${counting.total} S3 requests: ${JSON.stringify(Object.fromEntries(counting.counts))}`);
  // Another process completes a partition: seen within the backed-off wait, then polled quickly again.
  await write(memory, state(29, 'complete'), now.ms);
  for (let t = 0; t < 600_000; t += refreshMs) {
    now.ms += refreshMs;
    await idle.refreshDue();
  }
  assert.equal((await idle.index('orders')).get(state(29, 'complete').partition_path)?.status, 'complete');
});

import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import type { SourceRecord } from '../../../src/core/records.js';
import type { ReplayBus, TopicOffsets } from '../../../src/replay/replay-bus.js';
import { ReplayStore } from '../../../src/replay/replay-store.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { DAY0, HOUR, READ_TOKEN, WRITE_ONLY_TOKEN, checkAgainstDocument, commitFile, hourPath, startCatalog, type CatalogHarness } from '../../helpers/catalog-fixture.js';

type Json = Record<string, unknown>;

/**
 * The bus as a list of records per source partition: real nakadi events for every offset the
 * seeded files cover, so the real runner (plan, decode, dedup, encode, switch) runs in-process.
 * `gate` holds reads until released, to observe a running job; `low` fakes retention.
 */
class MemoryBus implements ReplayBus {
  low = 0;
  private release: () => void = () => undefined;
  gate: Promise<void> = Promise.resolve();

  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release();
  }

  async offsets(): Promise<TopicOffsets[]> {
    return [0, 1].map((partition) => ({ partition, low: this.low, high: 1_000 }));
  }

  async read(topic: string, ranges: Array<{ partition: number; first: number; last: number }>, _all: number[], onRecords: (r: SourceRecord[]) => void, cancelled: () => boolean): Promise<void> {
    while (!cancelled()) {
      const waited = await Promise.race([this.gate.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20))]);
      if (waited) break;
    }
    if (cancelled()) return;
    for (const r of ranges) {
      const records: SourceRecord[] = [];
      for (let offset = r.first; offset <= r.last; offset++) {
        const hour = Math.floor(offset / 100);
        const event = { metadata: { eid: `e-${r.partition}-${offset}`, occurred_at: new Date(DAY0 + hour * HOUR + (offset % 100) * 1000).toISOString() }, order_id: `o${offset}`, amount: offset };
        records.push({ topic, partition: r.partition, offset, timestampMs: DAY0, key: null, value: Buffer.from(JSON.stringify(event)) });
      }
      onRecords(records);
    }
  }
}

/** Above Linux's pid_max: no process has it, so its jobs are abandoned. */
const DEAD_PID = 99_999_999;

const WRITE = { authorization: `Bearer ${WRITE_ONLY_TOKEN}`, 'content-type': 'application/json' };

/** Hours 0 and 1 complete (two source partitions each), hour 2 open. */
async function seeded(t: Parameters<typeof startCatalog>[0]): Promise<{ h: CatalogHarness; bus: MemoryBus; send: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; headers: Headers; body: Json }> }> {
  const bus = new MemoryBus();
  const h = await startCatalog(t, { deps: { replayBus: bus } });
  t.after(() => h.catalog.replays.stop());
  for (let hour = 0; hour < 3; hour++) {
    await commitFile(h.store, h.log, { startMs: DAY0 + hour * HOUR, partition: 0, first: hour * 100, rows: 60 });
    await commitFile(h.store, h.log, { startMs: DAY0 + hour * HOUR, partition: 1, first: hour * 100, rows: 40 });
  }
  for (let hour = 0; hour < 2; hour++) await h.log.completePartition('orders', hourPath(DAY0 + hour * HOUR));
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = WRITE): Promise<{ status: number; headers: Headers; body: Json }> => {
    const res = await fetch(`${h.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as Json) : {};
    checkAgainstDocument(method, path, res.status, res.headers.get('content-type') ?? '', json);
    return { status: res.status, headers: res.headers, body: json };
  };
  return { h, bus, send };
}

async function finished(h: CatalogHarness, id: string): Promise<Json> {
  for (let i = 0; i < 500; i++) {
    const job = (await h.get(`/replays/${id}`)).body as Json;
    if (job['status'] !== 'running') return job;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`replay ${id} did not finish`);
}

test('replays: a dry run plans without writing; a replay runs in the background and switches the partition to a new version', async (t) => {
  const { h, send } = await seeded(t);
  const dry = await send('POST', '/replays', { dataset: 'orders', partitions: ['2026-11-21T01'], dry_run: true });
  assert.equal(dry.status, 200);
  assert.equal(dry.body['records_total'], 100);
  assert.deepEqual(dry.body['ranges'], [{ partition: 0, first_offset: 100, last_offset: 159 }, { partition: 1, first_offset: 100, last_offset: 139 }]);
  assert.equal((await h.get('/replays')).body && ((await h.get('/replays')).body as { items: Json[] }).items.length, 0, 'a dry run records no job');

  const started = await send('POST', '/replays', { dataset: 'orders', from_at: '2026-11-21T01:00:00Z', to_at: '2026-11-21T02:00:00Z' });
  assert.equal(started.status, 202);
  const id = String(started.body['id']);
  assert.equal(started.headers.get('location'), `${h.url}/replays/${id}`);
  const job = await finished(h, id);
  assert.equal(job['status'], 'succeeded', String(job['error']));
  assert.equal(job['records_read'], 100);
  assert.equal(job['files_written'], 2);
  assert.deepEqual((job['versions'] as Json[]).map((v) => [v['partition'], v['from_version'], v['to_version']]), [['2026-11-21T01', 1, 2]]);
  await h.catalog.lake.refresh('orders');
  const partition = (await h.get('/datasets/orders/partitions/2026-11-21T01')).body as Json;
  assert.equal(partition['version'], 2);
  assert.equal(partition['rows'], 100);

  const list = (await h.get('/replays')).body as { items: Json[] };
  assert.deepEqual(list.items.map((j) => j['id']), [id]);
  const cancelFinished = await send('DELETE', `/replays/${id}`);
  assert.equal(cancelFinished.status, 409);
  assert.equal(cancelFinished.body['code'], 'REPLAY_NOT_CANCELLABLE');
});

test('replays: the write scope is required to start and cancel, the read scope to list', async (t) => {
  const { send } = await seeded(t);
  const body = { dataset: 'orders', partitions: ['2026-11-21T01'] };
  assert.equal((await send('POST', '/replays', body, { 'content-type': 'application/json' })).status, 401);
  const forbidden = await send('POST', '/replays', body, { authorization: `Bearer ${READ_TOKEN}`, 'content-type': 'application/json' });
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.body['code'], 'CATALOG_FORBIDDEN');
  assert.equal((await send('DELETE', '/replays/0b3f6c1e-1111-4a4a-8888-123456789abc', undefined, { authorization: `Bearer ${READ_TOKEN}` })).status, 403);
  assert.equal((await send('GET', '/replays', undefined, { authorization: `Bearer ${WRITE_ONLY_TOKEN}` })).status, 403);
  assert.equal((await send('GET', '/replays', undefined, { authorization: `Bearer ${READ_TOKEN}` })).status, 200);
});

test('replays: the body is validated against the document', async (t) => {
  const { send } = await seeded(t);
  for (const [body, name] of [
    [{ partitions: ['2026-11-21T01'] }, 'dataset'],
    [{ dataset: 'orders', partitions: [] }, 'partitions'],
    [{ dataset: 'orders', partitions: ['2026-11-21T01'], colour: 'red' }, 'colour'],
    [{ dataset: 'orders', partitions: ['2026-11-21T01'], dry_run: 'yes' }, 'dry_run'],
    [{ dataset: 'orders', partitions: ['not-a-partition'] }, 'partitions[0]'],
    [{ dataset: 'orders', partitions: ['2026-11-21T01'], from_at: '2026-11-21T01:00:00Z' }, 'partitions'],
    [{ dataset: 'orders', from_at: '2026-11-21T01:00:00Z' }, 'to_at'],
    [{ dataset: 'orders', from_at: 'yesterday', to_at: '2026-11-21T01:00:00Z' }, 'from_at'],
    ['{"dataset": ', 'body'],
  ] as const) {
    const res = await send('POST', '/replays', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    if (name !== 'body' || typeof body !== 'string') assert.equal(((res.body['invalid_params'] as Json[] | undefined) ?? [])[0]?.['name'], name, JSON.stringify(body));
  }
  const unknown = await send('POST', '/replays', { dataset: 'nope', partitions: ['2026-11-21T01'] });
  assert.equal(unknown.status, 422);
  assert.equal(unknown.body['code'], 'DATASET_UNKNOWN');
});

test('replays: 409 for an open partition and for a partition being replayed, 422 for offsets gone and missing partitions, 404 for unknown jobs', async (t) => {
  const { h, bus, send } = await seeded(t);
  const open = await send('POST', '/replays', { dataset: 'orders', partitions: ['2026-11-21T02'] });
  assert.equal(open.status, 409);
  assert.equal(open.body['code'], 'REPLAY_PARTITION_OPEN');
  const missing = await send('POST', '/replays', { dataset: 'orders', partitions: ['2026-11-21T07'] });
  assert.equal(missing.status, 422);
  assert.equal(missing.body['code'], 'REPLAY_REFUSED');

  bus.low = 120;
  const gone = await send('POST', '/replays', { dataset: 'orders', partitions: ['2026-11-21T01'] });
  assert.equal(gone.status, 422);
  assert.equal(gone.body['code'], 'REPLAY_OFFSETS_GONE');
  assert.deepEqual(gone.body['missing_ranges'], [
    { partition: 0, first_offset: 100, last_offset: 159, available: { first_offset: 120, last_offset: 999 } },
    { partition: 1, first_offset: 100, last_offset: 139, available: { first_offset: 120, last_offset: 999 } },
  ]);
  bus.low = 0;

  bus.hold();
  const running = await send('POST', '/replays', { dataset: 'orders', partitions: ['2026-11-21T00', '2026-11-21T01'] });
  assert.equal(running.status, 202);
  const conflict = await send('POST', '/replays', { dataset: 'orders', partitions: ['2026-11-21T01'] });
  assert.equal(conflict.status, 409);
  assert.equal(conflict.body['code'], 'REPLAY_CONFLICT');
  const id = String(running.body['id']);
  assert.equal(((await h.get(`/replays/${id}`)).body as Json)['status'], 'running');

  const cancel = await send('DELETE', `/replays/${id}`);
  assert.equal(cancel.status, 202);
  const job = await finished(h, id);
  assert.equal(job['status'], 'cancelled');
  assert.deepEqual((job['versions'] as Json[]).map((v) => v['to_version']), [null, null]);
  assert.equal((await h.log.readPartition('orders', hourPath(DAY0 + HOUR)))?.value.version, 1, 'the old version stays');
  bus.open();

  assert.equal((await send('GET', '/replays/0b3f6c1e-1111-4a4a-8888-123456789abc', undefined, { authorization: `Bearer ${READ_TOKEN}` })).status, 404);
  assert.equal((await send('DELETE', '/replays/0b3f6c1e-1111-4a4a-8888-123456789abc')).status, 404);
  assert.equal((await send('GET', '/replays/not-a-uuid', undefined, { authorization: `Bearer ${READ_TOKEN}` })).status, 400);
});

test('replays: a job left running by a dead process is marked failed at start; listing pages newest first', async (t) => {
  const { h, send } = await seeded(t);
  const store = new ReplayStore(h.store, new LakeLayout(''));
  const base = { dataset: 'orders', partitions: [], dry_run: false, records_total: 0, records_read: 0, rows_written: 0, files_written: 0, duplicates: 0, rejected: 0, versions: [], error: null, finished_at: null };
  for (let i = 0; i < 3; i++) {
    const at = new Date(DAY0 + i * 1000).toISOString();
    await store.saveJob({ ...base, id: `0b3f6c1e-1111-4a4a-8888-00000000000${i}`, status: 'running', host: hostname(), pid: DEAD_PID, created_at: at, updated_at: at });
  }
  await h.catalog.replays.start();
  const first = await send('GET', '/replays?limit=2', undefined, { authorization: `Bearer ${READ_TOKEN}` });
  const items = first.body['items'] as Json[];
  assert.deepEqual(items.map((j) => String(j['id']).slice(-1)), ['2', '1']);
  assert.ok(items.every((j) => j['status'] === 'failed' && String(j['error']).startsWith('interrupted')));
  const next = String(first.body['next']).replace(h.url, '');
  const second = await send('GET', next, undefined, { authorization: `Bearer ${READ_TOKEN}` });
  assert.deepEqual((second.body['items'] as Json[]).map((j) => String(j['id']).slice(-1)), ['0']);
  assert.equal(second.body['next'], undefined);
});

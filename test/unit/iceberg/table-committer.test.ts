import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitLog } from '../../../src/commit/commit-log.js';
import type { FileCommit } from '../../../src/lake/metadata-types.js';
import { parseConfig } from '../../../src/config/load.js';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';
import { readAvroFile } from '../../../src/iceberg/avro/avro-file.js';
import { decodeManifest, decodeManifestList } from '../../../src/iceberg/manifests.js';
import { TableCommitter } from '../../../src/iceberg/table-committer.js';
import { currentSnapshot } from '../../../src/iceberg/table-metadata.js';
import { tableLayout } from '../../../src/iceberg/table-schema.js';
import { TableStore } from '../../../src/iceberg/table-store.js';
import { silentLogger } from '../../../src/log/logger.js';
import { listAll, putJson } from '../../../src/storage/object-store.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { FilePlacement } from '../../../src/commit/file-placement.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 21, 0, 0, 0);

function setup(retention = { maxSnapshots: 50, maxSnapshotAgeMs: 7 * 86_400_000, metadataLogSize: 10 }) {
  const config = parseConfig({
    datasets: [{ name: 'orders', topic: 'orders', envelope: { type: 'nakadi' }, schema: { columns: [{ name: 'order_id', type: 'string', description: 'The order.' }] } }],
  });
  const dataset = config.datasets[0];
  assert.ok(dataset);
  const store = new MemoryObjectStore();
  const layout = new LakeLayout('');
  const commitLog = new CommitLog(store, layout, 'lake');
  const tables = new TableStore(store, layout, 'lake');
  const schema = tableLayout(dataset, resolveSchema(dataset));
  let now = T0 + 30 * 86_400_000;
  const clock = () => (now += 1_000);
  const committer = () => new TableCommitter('orders', schema, 's3://lake/orders', store, tables, commitLog, retention, silentLogger(), clock);
  return { store, commitLog, tables, committer, schema, layout };
}

function hourPath(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `event_date=${iso.slice(0, 10)}/event_hour=${iso.slice(11, 13)}`;
}

function file(hourMs: number, first: number, rows: number, tag = ''): FileCommit {
  const path = hourPath(hourMs);
  const key = `orders/${path}/part-t-00000-${first}${tag}.parquet`;
  return {
    dataset: 'orders',
    partition_path: path,
    key,
    uri: `s3://lake/${key}`,
    bytes: 1000 + rows,
    rows,
    sha256: 'ab'.repeat(32),
    min_event_at: new Date(hourMs).toISOString(),
    max_event_at: new Date(hourMs + HOUR - 1).toISOString(),
    source: { topic: 't', partition: 0, first_offset: first, last_offset: first + rows - 1 },
    schema_version: 'v',
    duplicates: 0,
    late: false,
    committed_at: new Date(hourMs).toISOString(),
  };
}

async function liveFiles(store: MemoryObjectStore, tables: TableStore, snapshotId?: number): Promise<string[]> {
  const table = await tables.latest('orders');
  assert.ok(table);
  const snap = snapshotId === undefined ? currentSnapshot(table.metadata) : table.metadata.snapshots.find((s) => s['snapshot-id'] === snapshotId);
  assert.ok(snap);
  const list = decodeManifestList((await store.get(tables.keyOf(snap['manifest-list'])))?.body ?? new Uint8Array());
  const out: string[] = [];
  for (const m of list) {
    const entries = decodeManifest((await store.get(tables.keyOf(m.path)))?.body ?? new Uint8Array());
    for (const e of entries) if (e.status !== 2) out.push(e.path);
  }
  return out.sort();
}

test('appends new files, overwrites a replayed partition with DELETED entries, and skips a commit that changes nothing', async () => {
  const { store, commitLog, tables, committer } = setup();
  const c = committer();
  await commitLog.commitFile(file(T0, 0, 10));
  await commitLog.commitFile(file(T0 + HOUR, 10, 5));
  const first = await c.commit([hourPath(T0), hourPath(T0 + HOUR)]);
  assert.equal(first?.operation, 'append');
  assert.equal(first?.version, 1);
  assert.deepEqual(await liveFiles(store, tables), [file(T0, 0, 10).uri, file(T0 + HOUR, 10, 5).uri].sort());
  assert.equal(await c.commit([hourPath(T0)]), undefined, 'nothing changed: no snapshot');

  await commitLog.completePartition('orders', hourPath(T0));
  const before = await tables.latest('orders');
  const beforeId = before ? currentSnapshot(before.metadata)?.['snapshot-id'] : undefined;
  const replayed = file(T0, 0, 10, '-replay');
  await commitLog.switchToReplay('orders', hourPath(T0), 1, [replayed], 'job-1');
  const second = await c.commit([hourPath(T0)]);
  assert.equal(second?.operation, 'overwrite');
  const table = await tables.latest('orders');
  assert.ok(table);
  const snap = currentSnapshot(table.metadata);
  assert.equal(snap?.summary['deleted-data-files'], '1');
  assert.equal(snap?.summary['added-data-files'], '1');
  assert.deepEqual(JSON.parse(snap?.summary['tukang.partitions'] ?? '{}'), { [hourPath(T0)]: { version: 2, status: 'complete' } });
  assert.deepEqual(await liveFiles(store, tables), [replayed.uri, file(T0 + HOUR, 10, 5).uri].sort());
  // Time travel: the snapshot before the replay still lists the old file, where the switch moved it.
  assert.deepEqual(await liveFiles(store, tables, beforeId), [tables.supersededUri(file(T0, 0, 10).uri), file(T0 + HOUR, 10, 5).uri].sort());
  // The version hint follows the commits, and the manifests' Avro schema keeps Iceberg's field ids.
  assert.equal(Buffer.from((await store.get(tables.versionHintKey('orders')))?.body ?? new Uint8Array()).toString(), '2');
  const manifestList = readAvroFile((await store.get(tables.keyOf(snap?.['manifest-list'] ?? '')))?.body ?? new Uint8Array());
  assert.equal(manifestList.schema.fields.find((f) => f.name === 'manifest_path')?.['field-id'], 500);
});

test('two committers racing for the same version lose nothing: one creates it, the other reloads and commits on top', async () => {
  const { store, commitLog, tables, committer } = setup();
  const a = committer();
  const b = committer();
  const paths: string[] = [];
  for (let h = 0; h < 6; h++) {
    await commitLog.commitFile(file(T0 + h * HOUR, h * 100, 10));
    paths.push(hourPath(T0 + h * HOUR));
  }
  const outcomes = await Promise.all([a.commit(paths.slice(0, 3)), b.commit(paths.slice(3))]);
  assert.deepEqual(outcomes.map((o) => o?.version).sort(), [1, 2]);
  assert.equal((await liveFiles(store, tables)).length, 6);
});

// The caps are reached after 20 commits; 500 show the bound in a few seconds. The full-scale run (10,000
// commits, several minutes since every switch relocates retained snapshots' manifests) is
// `TUKANG_ICEBERG_COMMITS=10000 node --test dist/test/unit/iceberg/table-committer.test.js`.
const COMMITS = Number(process.env['TUKANG_ICEBERG_COMMITS'] ?? 500);

test(`metadata stays bounded over ${COMMITS.toLocaleString('en')} commits: snapshots, metadata log and objects are capped`, { timeout: 600_000 }, async (t) => {
  const { store, commitLog, tables, committer, layout } = setup({ maxSnapshots: 20, maxSnapshotAgeMs: 7 * 86_400_000, metadataLogSize: 10 });
  const c = committer();
  // The size once the caps hold, to compare the final size with (a tenth of the run, as 1,000 of 10,000).
  const baselineAt = Math.floor(COMMITS / 10);
  let sizeAtBaseline = 0;
  for (let i = 0; i < COMMITS; i++) {
    // One change per commit over 48 hours (2 manifests): a new file at first, then replays that
    // swap an hour's file, so snapshots pile up while the table keeps 48 live files.
    const hour = T0 + (i % 48) * HOUR;
    if (i < 48) await commitLog.commitFile(file(hour, i * 10, 10));
    else {
      // The state document as a replay leaves it (written directly: the commit log's change
      // records and manifests would only slow the in-memory store down).
      const state = (await commitLog.readPartition('orders', hourPath(hour)))?.value;
      assert.ok(state);
      await putJson(store, layout.partitionState('orders', hourPath(hour)), { ...state, status: 'complete', version: state.version + 1, files: [file(hour, (i % 48) * 10, 10, `-r${i}`)] });
    }
    const outcome = await c.commit([hourPath(hour)]);
    assert.ok(outcome);
    if (i === baselineAt - 1) sizeAtBaseline = Buffer.byteLength(JSON.stringify((await tables.latest('orders'))?.metadata));
  }
  const table = await tables.latest('orders');
  assert.ok(table);
  assert.equal(table.version, COMMITS);
  assert.equal(table.metadata.snapshots.length, 20);
  assert.equal(table.metadata['metadata-log'].length, 10);
  const size = Buffer.byteLength(JSON.stringify(table.metadata));
  assert.ok(size <= sizeAtBaseline * 1.05, `metadata JSON ${size} bytes after ${COMMITS} commits, ${sizeAtBaseline} after ${baselineAt}`);
  const metadataObjects: string[] = [];
  for await (const o of listAll(store, tables.tableDir('orders'))) metadataObjects.push(o.key);
  // 11 metadata files + hint, 20 manifest lists, and manifests of 2 days reachable from 20 snapshots.
  assert.ok(metadataObjects.length <= 12 + 20 + 2 * 20, `${metadataObjects.length} metadata objects`);
  t.diagnostic(`after ${COMMITS} commits: metadata JSON ${size} bytes (${sizeAtBaseline} after ${baselineAt}), ${metadataObjects.length} metadata objects`);
  assert.equal((await liveFiles(store, tables)).length, 48);
});

test('a crash at any step of a commit leaves a readable table, and the next commit carries on', async () => {
  const { store, commitLog, tables, committer, schema } = setup();
  await commitLog.commitFile(file(T0, 0, 10));
  assert.equal((await committer().commit([hourPath(T0)]))?.version, 1);
  await commitLog.commitFile(file(T0 + HOUR, 10, 10));
  // Die at each write of the second commit in turn: manifest, manifest list, metadata, hint.
  for (const dieAt of ['/m-', '/snap-', '/v2.metadata.json', '/version-hint.text']) {
    const crashing = Object.create(store) as MemoryObjectStore;
    crashing.put = async (key, body, options) => {
      if (key.includes(dieAt)) throw new Error(`killed before writing ${key}`);
      return store.put(key, body, options);
    };
    const dying = new TableCommitter('orders', schema, 's3://lake/orders', crashing, new TableStore(crashing, new LakeLayout(''), 'lake'), commitLog, { maxSnapshots: 50, maxSnapshotAgeMs: 86_400_000 * 7, metadataLogSize: 10 }, silentLogger());
    await assert.rejects(dying.commit([hourPath(T0 + HOUR)]), /killed/);
    const table = await tables.latest('orders');
    assert.ok(table, `readable after a crash before ${dieAt}`);
    const expected = dieAt === '/version-hint.text' ? 2 : 1;
    assert.equal(table.version, expected, `the version after a crash before ${dieAt} (found by probing past the hint)`);
    if (expected === 2) break;
    assert.deepEqual(await liveFiles(store, tables), [file(T0, 0, 10).uri]);
  }
  // A fresh committer (a restarted instance reconciling every partition) carries on.
  const next = await committer().commit([hourPath(T0), hourPath(T0 + HOUR)]);
  assert.equal(next, undefined, 'the version the crash left already holds both files');
  assert.deepEqual(await liveFiles(store, tables), [file(T0, 0, 10).uri, file(T0 + HOUR, 10, 10).uri].sort());
  await commitLog.commitFile(file(T0 + 2 * HOUR, 20, 10));
  assert.equal((await committer().commit([hourPath(T0 + 2 * HOUR)]))?.version, 3);
  assert.equal(Buffer.from((await store.get(tables.versionHintKey('orders')))?.body ?? new Uint8Array()).toString(), '3');
});

test('the snapshot summary says up to when every partition is complete', async () => {
  const { commitLog, tables, committer } = setup();
  const c = committer();
  for (let h = 0; h < 3; h++) await commitLog.commitFile(file(T0 + h * HOUR, h * 100, 10));
  await commitLog.completePartition('orders', hourPath(T0));
  await c.commit([0, 1, 2].map((h) => hourPath(T0 + h * HOUR)));
  const summary = async () => currentSnapshot((await tables.latest('orders'))?.metadata ?? ({} as never))?.summary;
  assert.equal((await summary())?.['tukang.complete-before'], '2026-11-21T01:00:00+00:00', 'the oldest open partition starts at hour 1 (in the form PyIceberg accepts)');
  await commitLog.completePartition('orders', hourPath(T0 + HOUR));
  await commitLog.completePartition('orders', hourPath(T0 + 2 * HOUR));
  await commitLog.commitFile(file(T0 + 2 * HOUR, 500, 1));
  // Late data registers the partition as open again until the completion pass clears the marker.
  await commitLog.completePartition('orders', hourPath(T0 + 2 * HOUR));
  await c.commit([hourPath(T0 + 2 * HOUR)]);
  assert.equal((await summary())?.['tukang.complete-before'], '2026-11-21T03:00:00+00:00', 'all complete: the end of the newest partition');
});

test('a compacted partition version (reason compaction) becomes a replace snapshot', async () => {
  const { store, commitLog, tables, committer, layout } = setup();
  await commitLog.commitFile(file(T0, 0, 10));
  await commitLog.commitFile(file(T0, 10, 10));
  const c = committer();
  await c.commit([hourPath(T0)]);
  const state = (await commitLog.readPartition('orders', hourPath(T0)))?.value;
  assert.ok(state);
  const compacted = { ...file(T0, 0, 20, '-compacted'), source: { topic: 't', partition: 0, first_offset: 0, last_offset: 19 } };
  // The state as compaction leaves it (a version with reason `compaction`, one file for two).
  const versions = [...state.versions, { ...state.versions[0], version: 2, reason: 'compaction' }];
  await putJson(store, layout.partitionState('orders', hourPath(T0)), { ...state, status: 'complete', version: 2, versions, files: [compacted] });
  const outcome = await c.commit([hourPath(T0)]);
  assert.equal(outcome?.operation, 'replace');
  assert.deepEqual(await liveFiles(store, tables), [compacted.uri]);
});

test('time travel across a replay and a compaction: every retained snapshot names its files where they are after the switch, and no metadata is left unreachable', async () => {
  const { store, commitLog, tables, committer, layout } = setup();
  const placement = new FilePlacement(store, layout);
  const c = committer();
  // Publishes a partition's committed files into its folder and retires what it no longer lists, as the switch does.
  const place = async (path: string) => {
    await placement.reconcile('orders', path, async () => (await commitLog.readPartition('orders', path))?.value.files.map((f) => f.key) ?? []);
  };
  const write = async (f: FileCommit) => {
    await placement.stage(f.key, Buffer.from(f.key), 'application/octet-stream');
    await commitLog.commitFile(f);
    await place(f.partition_path);
  };
  // Two files in hour 0 and one in hour 1 (one manifest: the same day), over three snapshots.
  await write(file(T0, 0, 10));
  const s1 = (await c.commit([hourPath(T0)]))?.snapshotId;
  await write(file(T0, 10, 10));
  const s2 = (await c.commit([hourPath(T0)]))?.snapshotId;
  await write(file(T0 + HOUR, 20, 10));
  const s3 = (await c.commit([hourPath(T0 + HOUR)]))?.snapshotId;
  assert.ok(s1 !== undefined && s2 !== undefined && s3 !== undefined);
  await commitLog.completePartition('orders', hourPath(T0));

  // A replay of hour 0 swaps its two files for one; the switch moves the old ones out of the folder.
  const replayed = file(T0, 0, 20, '-replay');
  await placement.stage(replayed.key, Buffer.from(replayed.key), 'application/octet-stream');
  await commitLog.switchToReplay('orders', hourPath(T0), 1, [replayed], 'job-1');
  await place(hourPath(T0));
  assert.equal((await c.commit([hourPath(T0)]))?.operation, 'overwrite');

  // Compaction of hour 1 (its file and a late one) into one file.
  await write({ ...file(T0 + HOUR, 40, 5), late: true });
  const s5 = (await c.commit([hourPath(T0 + HOUR)]))?.snapshotId;
  const state = (await commitLog.readPartition('orders', hourPath(T0 + HOUR)))?.value;
  assert.ok(state && s5 !== undefined);
  const compacted = file(T0 + HOUR, 20, 15, '-compacted');
  await placement.stage(compacted.key, Buffer.from(compacted.key), 'application/octet-stream');
  await putJson(store, layout.partitionState('orders', hourPath(T0 + HOUR)), { ...state, status: 'complete', version: state.version + 1, versions: [...state.versions, { ...state.versions[0], version: state.version + 1, reason: 'compaction' }], files: [compacted] });
  await place(hourPath(T0 + HOUR));
  assert.equal((await c.commit([hourPath(T0 + HOUR)]))?.operation, 'replace');

  // Every file of every retained snapshot exists at the location its manifest names.
  const table = await tables.latest('orders');
  assert.ok(table);
  for (const snap of table.metadata.snapshots) {
    for (const uri of await liveFiles(store, tables, snap['snapshot-id'])) assert.ok(await store.head(tables.keyOf(uri)), `snapshot ${snap['snapshot-id']}: ${uri} exists`);
  }
  // And each snapshot still holds the files (by name) it had.
  const names = async (id: number) => (await liveFiles(store, tables, id)).map((u) => u.slice(u.lastIndexOf('/') + 1)).sort();
  assert.deepEqual(await names(s2), ['part-t-00000-0.parquet', 'part-t-00000-10.parquet']);
  assert.deepEqual(await names(s5), ['part-t-00000-0-replay.parquet', 'part-t-00000-20.parquet', 'part-t-00000-40.parquet']);
  assert.deepEqual((await liveFiles(store, tables)).map((u) => tables.keyOf(u)).sort(), [compacted.key, replayed.key].sort());
  // Nothing under the table's metadata folder is unreachable from the newest version.
  const reachable = new Set([tables.versionHintKey('orders'), table.key, ...table.metadata['metadata-log'].map((e) => tables.keyOf(e['metadata-file']))]);
  for (const snap of table.metadata.snapshots) {
    reachable.add(tables.keyOf(snap['manifest-list']));
    const list = decodeManifestList((await store.get(tables.keyOf(snap['manifest-list'])))?.body ?? new Uint8Array());
    for (const m of list) reachable.add(tables.keyOf(m.path));
  }
  const objects: string[] = [];
  for await (const o of listAll(store, tables.tableDir('orders'))) objects.push(o.key);
  assert.deepEqual(objects.filter((k) => !reachable.has(k)), [], 'no unreachable metadata objects');
});

test('metadata that another instance expired while this one read it is not corrupt: the commit plans again on the newer version', async () => {
  const { store, commitLog, tables, committer } = setup();
  const a = committer();
  await commitLog.commitFile(file(T0, 0, 10));
  assert.equal((await a.commit([hourPath(T0)]))?.version, 1);
  const v1 = await tables.latest('orders');
  const v1List = tables.keyOf(currentSnapshot(v1?.metadata ?? assert.fail('no table'))?.['manifest-list'] ?? '');
  // While b reads version 1's manifest list, a commits version 2 and version 1's list is expired.
  const get = store.get.bind(store);
  let raced = false;
  store.get = async (key) => {
    if (key === v1List && !raced) {
      raced = true;
      await commitLog.commitFile(file(T0 + HOUR, 10, 5));
      assert.equal((await a.commit([hourPath(T0 + HOUR)]))?.version, 2);
      await store.delete([v1List]);
    }
    return get(key);
  };
  await commitLog.commitFile(file(T0 + 2 * HOUR, 15, 5));
  const outcome = await committer().commit([hourPath(T0 + 2 * HOUR)]);
  assert.ok(raced);
  assert.equal(outcome?.version, 3);
  assert.deepEqual(await liveFiles(store, tables), [file(T0, 0, 10).uri, file(T0 + HOUR, 10, 5).uri, file(T0 + 2 * HOUR, 15, 5).uri].sort());
});

/**
 * Catalog cold start over a synthetic lake (docs/performance.md, "Catalog cold start"):
 *
 *   node dist/bench/catalog-cold-start.js [--partitions 100000] [--store s3|memory] [--changes 200]
 *
 * The lake is the catalog benchmark's fixture (one complete hourly state.json per partition,
 * written once to LocalStack by ensureFixture and reused). The bench writes the index snapshot the
 * way a catalog instance would (rows built from the same states, ETags the MD5 of the bodies), then
 * `--changes` partitions complete after it (state rewritten, change record, as the commit log
 * does), so the cold start must catch up from the change log. It times a fresh LakeCatalog's first
 * index (what a new replica waits for before it answers), then its first refresh (the re-list that
 * verifies the snapshot against every state.json, in the background), and counts S3 requests.
 * `--from-states` also times the old path: reading every state.json (7 minutes at 100,000 on
 * LocalStack).
 */
import { parseArgs } from 'node:util';
import type { PartitionState } from '../src/lake/metadata-types.js';
import { encodeSnapshot } from '../src/catalog/index/index-snapshot.js';
import { LakeCatalog, parseChangeName } from '../src/catalog/lake/lake-catalog.js';
import type { DatasetConfig } from '../src/config/schema.js';
import { silentLogger } from '../src/log/logger.js';
import { CountingObjectStore } from '../src/storage/counting-object-store.js';
import { MemoryObjectStore } from '../src/storage/memory-object-store.js';
import { putJson, type ObjectStore } from '../src/storage/object-store.js';
import { LakeLayout } from '../src/lake/lake-layout.js';
import { ensureFixture, fixtureIndex, stateFor } from './lib/catalog.js';
import { CATALOG_BENCH_BUCKET, benchStore, round } from './lib/common.js';

const { values: args } = parseArgs({
  options: {
    partitions: { type: 'string', default: '100000' },
    store: { type: 'string', default: 's3' },
    changes: { type: 'string', default: '200' },
    'from-states': { type: 'boolean', default: false },
    /** s3 only: skip writing the N state.json objects (15 minutes at 100,000 on LocalStack). The cold start reads none of them but the changed ones, which are written; the verifying re-list is then not measured. */
    'snapshot-only': { type: 'boolean', default: false },
  },
});
const COUNT = Number(args.partitions);
const CHANGES = Number(args.changes);
const HOUR = 3_600_000;
const START = Date.UTC(2015, 0, 1);

function log(message: string): void {
  process.stdout.write(`[cold-start ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function writeMemoryFixture(store: ObjectStore, prefix: string, layout: LakeLayout): Promise<void> {
  for (let i = 0; i < COUNT; i++) {
    const state = stateFor(prefix, START + i * HOUR, i);
    await putJson(store, layout.partitionState('orders', state.partition_path), state);
  }
}

/** Partitions that change after the snapshot: a new version each, with its change record. */
async function changeAfterSnapshot(store: ObjectStore, prefix: string, layout: LakeLayout, run: number): Promise<string[]> {
  const paths: string[] = [];
  const at = new Date().toISOString();
  for (let c = 0; c < CHANGES; c++) {
    const i = Math.floor((c * COUNT) / Math.max(1, CHANGES));
    const base = stateFor(prefix, START + i * HOUR, i);
    const version = 1 + run;
    const state: PartitionState = { ...base, version, rows: base.rows + run, updated_at: at, versions: [...base.versions, { version, reason: 'late_data', created_at: at, completed_at: at, files: 2, rows: base.rows + run, manifest: null }] };
    await putJson(store, layout.partitionState('orders', state.partition_path), state);
    const name = `${at}-${state.partition_path.replaceAll('/', '+')}-v${String(version).padStart(6, '0')}.json`;
    await putJson(store, `${layout.changeLog('orders')}${name}`, { dataset: 'orders', partition_path: state.partition_path, version, change: 'late_data', at });
    paths.push(state.partition_path);
  }
  return paths;
}

async function restoreFixture(store: ObjectStore, prefix: string, layout: LakeLayout): Promise<void> {
  // Puts the changed partitions back, so the fixture stays what ensureFixture wrote for the next run.
  for (let c = 0; c < CHANGES; c++) {
    const i = Math.floor((c * COUNT) / Math.max(1, CHANGES));
    await putJson(store, layout.partitionState('orders', stateFor(prefix, START + i * HOUR, i).partition_path), stateFor(prefix, START + i * HOUR, i));
  }
  let token: string | undefined;
  const keys: string[] = [];
  do {
    const page = await store.list(layout.changeLog('orders'), token === undefined ? {} : { continuationToken: token });
    keys.push(...page.objects.map((o) => o.key));
    token = page.nextToken;
  } while (token !== undefined);
  for (let i = 0; i < keys.length; i += 1000) await store.delete(keys.slice(i, i + 1000));
}

/** The first refresh after a snapshot load: the re-list of every state.json that verifies it. */
async function verify(catalog: LakeCatalog, counting: CountingObjectStore, results: Record<string, unknown>): Promise<void> {
  counting.reset();
  const started = Date.now();
  await catalog.refresh('orders');
  const ms = Date.now() - started;
  log(`first refresh (verifying re-list of every state.json): ${ms} ms, requests ${JSON.stringify(Object.fromEntries(counting.counts))}`);
  Object.assign(results, { verify_relist_ms: ms, verify_requests: Object.fromEntries(counting.counts) });
}

async function deleteUnder(store: ObjectStore, prefix: string): Promise<void> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.list(prefix, token === undefined ? {} : { continuationToken: token });
    keys.push(...page.objects.map((o) => o.key));
    token = page.nextToken;
  } while (token !== undefined);
  for (let i = 0; i < keys.length; i += 1000) await store.delete(keys.slice(i, i + 1000));
}

async function main(): Promise<void> {
  const prefix = args['snapshot-only'] ? `bench-catalog-snapshot-${COUNT}/` : `bench-catalog-${COUNT}/`;
  const layout = new LakeLayout(prefix);
  let store: ObjectStore;
  if (args.store === 'memory') {
    store = new MemoryObjectStore();
    const t = Date.now();
    await writeMemoryFixture(store, prefix, layout);
    log(`memory fixture: ${COUNT} states in ${Date.now() - t} ms`);
  } else {
    const s3 = benchStore(CATALOG_BENCH_BUCKET);
    await s3.ensureBucket(true);
    if (!args['snapshot-only']) {
      const fixture = await ensureFixture(s3, prefix, COUNT, log);
      log(`fixture: ${fixture.written} states written (${fixture.ms} ms)`);
    }
    store = s3;
  }
  const snapshotKey = layout.indexSnapshot('orders');
  const index0 = fixtureIndex(prefix, COUNT);
  // What a catalog instance spends on its main thread to write the snapshot.
  const encodeStarted = Date.now();
  const body = JSON.stringify(encodeSnapshot('orders', index0, Date.now()));
  const encodeMs = Date.now() - encodeStarted;
  const putStarted = Date.now();
  await store.put(snapshotKey, body, { contentType: 'application/json' });
  const putMs = Date.now() - putStarted;
  log(`snapshot: ${round(body.length / 1048576, 1)} MiB, encoded in ${encodeMs} ms, written in ${putMs} ms`);
  const changed = await changeAfterSnapshot(store, prefix, layout, 1);
  log(`${changed.length} partitions changed after the snapshot`);

  const results: Record<string, unknown> = { partitions: COUNT, store: args.store, snapshot_mib: round(body.length / 1048576, 1), snapshot_encode_ms: encodeMs, snapshot_put_ms: putMs, changes_after_snapshot: CHANGES };
  try {
    const settings = { stateCacheSize: 10_000, refreshMs: 2_000, idleRefreshMs: 300_000, relistMs: 30_000, settleMs: 15_000, snapshotMs: 0 };
    const counting = new CountingObjectStore(store);
    const catalog = new LakeCatalog(counting, layout, [{ name: 'orders' } as DatasetConfig], { ...settings, snapshotMs: 300_000 }, silentLogger());
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    const index = await catalog.index('orders');
    const coldMs = Date.now() - started;
    const coldRequests = Object.fromEntries(counting.counts);
    const caughtUp = changed.every((p) => index.get(p)?.version === 2);
    log(`cold start from the snapshot: ${coldMs} ms, ${index.size} partitions, changes caught up: ${caughtUp}, requests ${JSON.stringify(coldRequests)}`);
    Object.assign(results, { cold_start_ms: coldMs, cold_start_requests: coldRequests, changes_caught_up: caughtUp, rss_growth_mib: round((process.memoryUsage().rss - rssBefore) / 1048576, 1) });
    if (!args['snapshot-only']) await verify(catalog, counting, results);
    if (args['from-states']) {

      await store.delete([snapshotKey]);
      const old = new LakeCatalog(store, layout, [{ name: 'orders' } as DatasetConfig], settings, silentLogger());
      const t = Date.now();
      await old.index('orders');
      results['cold_start_from_states_ms'] = Date.now() - t;
      log(`cold start from every state.json: ${Date.now() - t} ms`);
    }
  } finally {
    await store.delete([snapshotKey]);
    if (args['snapshot-only']) await deleteUnder(store, prefix);
    else if (args.store !== 'memory') await restoreFixture(store, prefix, layout);
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exit(1);
});

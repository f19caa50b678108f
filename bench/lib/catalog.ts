/**
 * Catalog latency under load: a lake prefix holding N partition states (written once and reused
 * by later runs), `tukang catalog` serving it as its own process, and load clients driving the
 * partition listing at a fixed request rate, as processes of their own (load-client.ts).
 */
import { createHash } from 'node:crypto';
import type { PartitionState } from '../../src/lake/metadata-types.js';
import { DatasetIndex } from '../../src/catalog/index/dataset-index.js';
import { encodeSnapshot } from '../../src/catalog/index/index-snapshot.js';
import { getJson, putJson, type ObjectStore } from '../../src/storage/object-store.js';
import type { S3ObjectStore } from '../../src/storage/s3-object-store.js';
import { LakeLayout } from '../../src/lake/lake-layout.js';
import { ADVISED_SEMI_SPACE_MIB } from '../../src/materializer/runtime-memory.js';
import { CATALOG_BENCH_BUCKET, ORDER_COLUMNS, benchStore, brokers, freePort, percentile, round, s3Endpoint, sleep } from './common.js';
import { autocannonRun, clientFloor, vegetaBinary, vegetaRun, type LoadOptions, type LoadResult } from './load-client.js';
import { readProc, startService } from './service.js';

const HOUR = 3_600_000;

/** The initial old-generation limit (MiB) docs/catalog.md advises for catalog replicas. */
export const CATALOG_INITIAL_OLD_MIB = 320;

const TOKEN = 'bench-read-token-0123456789abcdef';

function hourPath(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `event_date=${iso.slice(0, 10)}/event_hour=${iso.slice(11, 13)}`;
}

export function stateFor(prefix: string, startMs: number, i: number): PartitionState {
  const path = hourPath(startMs);
  const at = new Date(startMs + 2 * HOUR).toISOString();
  const rows = 1_000 + (i % 5_000);
  const files = [0, 1].map((p) => {
    const key = `${prefix}orders/${path}/part-orders-${String(p).padStart(5, '0')}-${String(i * 1000).padStart(20, '0')}-${String(i * 1000 + 999).padStart(20, '0')}-abcdef012345.zstd.parquet`;
    return {
      dataset: 'orders',
      partition_path: path,
      key,
      uri: `s3://${CATALOG_BENCH_BUCKET}/${key}`,
      bytes: rows * 120,
      rows: rows / 2,
      sha256: 'ab'.repeat(32),
      min_event_at: new Date(startMs).toISOString(),
      max_event_at: new Date(startMs + HOUR - 1).toISOString(),
      source: { topic: 'orders', partition: p, first_offset: i * 1000, last_offset: i * 1000 + 999 },
      schema_version: 'v1',
      duplicates: 3,
      late: false,
      committed_at: at,
    };
  });
  return {
    dataset: 'orders',
    partition_path: path,
    values: { event_date: path.slice(11, 21), event_hour: path.slice(-2) },
    start_at: new Date(startMs).toISOString(),
    end_at: new Date(startMs + HOUR).toISOString(),
    status: 'complete',
    version: 1,
    files,
    rows,
    bytes: rows * 240,
    duplicates: 6,
    late_rows: 0,
    min_event_at: new Date(startMs).toISOString(),
    max_event_at: new Date(startMs + HOUR - 1).toISOString(),
    versions: [{ version: 1, reason: 'ingest', created_at: at, completed_at: at, files: 2, rows, manifest: null }],
    created_at: at,
    updated_at: at,
  };
}

/** Writes `count` hourly partition states under `prefix` unless a previous run left them complete. */
export async function ensureFixture(store: S3ObjectStore, prefix: string, count: number, log: (m: string) => void): Promise<{ written: number; ms: number }> {
  const marker = `${prefix}_bench/fixture.json`;
  const existing = await getJson<{ count: number }>(store, marker);
  if (existing && existing.value.count >= count) return { written: 0, ms: 0 };
  const layout = new LakeLayout(prefix);
  const start = Date.UTC(2015, 0, 1);
  const started = Date.now();
  let next = 0;
  let written = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const startMs = start + i * HOUR;
      const state = stateFor(prefix, startMs, i);
      await putJson(store, layout.partitionState('orders', state.partition_path), state);
      written++;
      if (written % 10_000 === 0) log(`catalog fixture: ${written}/${count} partition states written`);
    }
  };
  await Promise.all(Array.from({ length: 48 }, worker));
  await putJson(store, marker, { count });
  return { written, ms: Date.now() - started };
}

/** The ETag S3 gives a single-part object: the quoted MD5 of the body putJson writes. */
function etagOf(value: unknown): string {
  return `"${createHash('md5').update(`${JSON.stringify(value, null, 2)}\n`).digest('hex')}"`;
}

/** The index a catalog would build from ensureFixture's `count` states (same rows, same ETags). */
export function fixtureIndex(prefix: string, count: number): DatasetIndex {
  const index = new DatasetIndex();
  const start = Date.UTC(2015, 0, 1);
  for (let i = 0; i < count; i++) {
    const state = stateFor(prefix, start + i * HOUR, i);
    index.upsert(state, etagOf(state));
  }
  return index;
}

/**
 * The fixture as an index snapshot alone (seconds to write, where the states take 15 minutes on
 * LocalStack): enough for listings and for a cold start, which read no state.json of a complete
 * partition. Detail reads of its partitions answer 404.
 */
export async function ensureSnapshotFixture(store: ObjectStore, prefix: string, count: number): Promise<void> {
  const layout = new LakeLayout(prefix);
  await store.put(layout.indexSnapshot('orders'), JSON.stringify(encodeSnapshot('orders', fixtureIndex(prefix, count), Date.now())), { contentType: 'application/json' });
}

/** One client's run against the catalog, with the catalog's own timings of the same requests. */
export type CatalogRun = LoadResult & {
  /** The same requests timed inside the catalog (the request log's responseTime): no client or socket time. */
  serverP50Ms: number;
  serverP99Ms: number;
  serverMaxMs: number;
};

/** The judged client's run (vegeta where Go can build it, else autocannon) at the top level. */
export interface CatalogResult extends CatalogRun {
  partitions: number;
  fixtureWrittenMs: number;
  indexBuildMs: number | null;
  url: string;
  ratePerSec: number;
  durationSec: number;
  /** Every client's run against the catalog, the judged one first. */
  runs: CatalogRun[];
  /** The same clients against a bare server answering the same number of bytes: their own floor. */
  floors: LoadResult[];
  responseBytes: number;
  rssPeakMiB: number;
  cpuCoresDuringLoad: number;
}

export async function catalogBench(options: { partitions: number; ratePerSec: number; durationSec: number; semiSpaceMiB?: number; initialOldSpaceMiB?: number; fixture?: 'states' | 'snapshot'; log: (m: string) => void }): Promise<CatalogResult> {
  const store = benchStore(CATALOG_BENCH_BUCKET);
  await store.ensureBucket(true);
  const snapshotOnly = options.fixture === 'snapshot';
  const prefix = snapshotOnly ? `bench-catalog-snapshot-${options.partitions}/` : `bench-catalog-${options.partitions}/`;
  const fixture = snapshotOnly ? { written: 0, ms: 0 } : await ensureFixture(store, prefix, options.partitions, options.log);
  if (snapshotOnly) await ensureSnapshotFixture(store, prefix, options.partitions);
  const port = await freePort();
  const service = startService({
    command: 'catalog',
    heapLimitMiB: 576,
    // As docs/catalog.md advises for catalog replicas: 8 MiB semi-spaces, so each scavenge copies
    // what ~90 requests left (3-4 ms) rather than what ~1,000 did (25-60 ms with 64 MiB).
    semiSpaceMiB: options.semiSpaceMiB ?? ADVISED_SEMI_SPACE_MIB,
    // And an old generation allowed to grow to 320 MiB before its first mark-compact, so the index
    // (~90 MiB) is marked every ~12 s rather than every ~3 s (docs/catalog.md).
    initialOldSpaceMiB: options.initialOldSpaceMiB ?? CATALOG_INITIAL_OLD_MIB,
    config: {
      kafka: { brokers: brokers(), group_id: 'bench-catalog' },
      s3: { endpoint: s3Endpoint(), bucket: CATALOG_BENCH_BUCKET, prefix, create_bucket: false },
      log: { level: 'info', format: 'json' },
      catalog: {
        port,
        auth: { static_tokens: [{ name: 'bench', token: TOKEN, scopes: ['tukang.read'] }] },
        cache: { relist_interval: '1h' },
      },
      datasets: [{ name: 'orders', topic: 'bench-catalog-orders', envelope: { type: 'nakadi' }, schema: { columns: ORDER_COLUMNS } }],
    },
  });
  try {
    const deadline = Date.now() + 15 * 60_000;
    let built: number | undefined;
    while ((built = service.firstLogTime('catalog index built')) === undefined) {
      if (service.child.exitCode !== null) throw new Error(`catalog exited: ${service.logs.slice(-10).map((l) => JSON.stringify(l)).join('\n')}`);
      if (Date.now() > deadline) throw new Error('catalog index not built after 15 min');
      await sleep(500);
    }
    const line = service.logs.find((l) => l['msg'] === 'catalog index built');
    const indexed = Number(line?.['partitions'] ?? 0);
    const url = `http://127.0.0.1:${port}/datasets/orders/partitions?limit=100`;
    const headers = { authorization: `Bearer ${TOKEN}` };
    const check = await fetch(url, { headers });
    const body = await check.text();
    if (check.status !== 200) throw new Error(`listing answered ${check.status}: ${body.slice(0, 300)}`);
    const vegeta = vegetaBinary();
    if ('unavailable' in vegeta) options.log(`catalog: ${vegeta.unavailable}; the listing is judged by autocannon alone`);
    const clients: Array<(o: LoadOptions) => Promise<LoadResult>> = [...('path' in vegeta ? [(o: LoadOptions) => vegetaRun(vegeta.path, o)] : []), autocannonRun];
    const load = (target: string, durationSec: number): LoadOptions => ({ url: target, connections: 10, ratePerSec: options.ratePerSec, durationSec, headers });
    // Warm-up, then one measured run per client, each with the server's own timings of its requests.
    await autocannonRun(load(url, 3));
    const before = readProc(service.pid);
    const runs: CatalogRun[] = [];
    for (const client of clients) {
      const firstRequest = service.requestMs.length;
      const result = await client(load(url, options.durationSec));
      await sleep(500); // the last request lines are still in the pipe
      const server = service.requestMs.slice(firstRequest).sort((a, b) => a - b);
      runs.push({ ...result, serverP50Ms: percentile(server, 50), serverP99Ms: percentile(server, 99), serverMaxMs: server.at(-1) ?? Number.NaN });
    }
    const after = readProc(service.pid);
    const floors: LoadResult[] = [];
    for (const client of clients) floors.push(await clientFloor(body.length, (target) => client(load(target, options.durationSec))));
    const judged = runs[0] as CatalogRun;
    return {
      partitions: indexed,
      fixtureWrittenMs: fixture.ms,
      indexBuildMs: typeof line?.['ms'] === 'number' ? line['ms'] : null,
      url: url.replace(/^http:\/\/[^/]+/, ''),
      ratePerSec: options.ratePerSec,
      durationSec: options.durationSec,
      ...judged,
      runs,
      floors,
      responseBytes: body.length,
      rssPeakMiB: round((after?.hwmKiB ?? 0) / 1024, 1),
      cpuCoresDuringLoad: before && after ? round((after.cpuSec - before.cpuSec) / ((after.atMs - before.atMs) / 1000), 2) : Number.NaN,
    };
  } finally {
    await service.stop();
  }
}

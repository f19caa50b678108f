/**
 * `npm run bench`: the end-to-end benchmark on the local stack (tukang stack up).
 *
 *   1. produce the events (a backlog) to a fresh topic
 *   2. ceilings on the same data: kafkajs and @platformatic/kafka fetch-and-discard, Parquet encode
 *   3. the pipeline (`tukang run`, its own process) drains the backlog: throughput, RSS, CPU
 *   4. visibility latency: the service runs while events are produced at a fixed rate (defaults, then files.max_buffer_age 2s)
 *   5. memory with every hour of the data open at once (16 source partitions × 48 hours)
 *   6. catalog partition listing over 100,000 partitions at a fixed request rate
 *   with --peer iceberg-kafka-connect, the peer drains the same backlog topic first (bench/lib/peer.ts)
 *   and the table shows Tukang's figures as ratios of the peer's
 *
 * Results: bench/results/<time>.json and .md, bench/results/latest.{json,md}, and with
 * --update-docs the figures section of docs/performance.md and its SVG plot.
 */
import { mkdirSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Kafka } from 'kafkajs';
import type { FileCommit, PartitionState } from '../src/lake/metadata-types.js';
import { sampleOrderEvents, type SampleOptions } from '../src/sample/order-events.js';
import { getJson, listAll } from '../src/storage/object-store.js';
import type { S3ObjectStore } from '../src/storage/s3-object-store.js';
import { CATALOG_INITIAL_OLD_MIB, catalogBench, type CatalogResult } from './lib/catalog.js';
import { encodeCeiling, kafkajsCeiling, platformaticCeiling, type ConsumeCeiling, type EncodeCeiling } from './lib/ceilings.js';
import { BENCH_BUCKET, ORDER_COLUMNS, benchConfig, benchKafka, benchStore, brokers, createTopic, deleteTopics, endOffsets, percentile, produce, round, s3Endpoint, sleep, uniqueName, type SendRange } from './lib/common.js';
import { peerRows } from './lib/peer-report.js';
import { defaultPeerDir, peerUnavailable, PEERS, runPeer, type PeerName, type PeerResult } from './lib/peer.js';
import { lineChart, table } from './lib/report.js';
import { ADVISED_SEMI_SPACE_MIB, fetchMaxBytesFor } from '../src/materializer/runtime-memory.js';
import { serviceMallocEnv, startService, watchUntilCommitted, type ProgressSample } from './lib/service.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    'event-bytes': { type: 'string', default: '1024' },
    partitions: { type: 'string', default: '16' },
    'dup-rate': { type: 'string', default: '0.01' },
    'disorder-ms': { type: 'string', default: '20000' },
    hours: { type: 'string', default: '48' },
    'budget-mb': { type: 'string', default: '256' },
    /** V8 heap limit of the service (--max-old-space-size); default twice the budget plus 64 MiB, as docs/architecture.md advises. */
    'heap-mib': { type: 'string', default: '' },
    /** V8 semi-space of the service (--max-semi-space-size), as docs/architecture.md advises; 0: V8's default. */
    'semi-mib': { type: 'string', default: String(ADVISED_SEMI_SPACE_MIB) },
    'encode-workers': { type: 'string', default: '1' },
    /** materializer.row_workers of the service; empty: the configuration's default. */
    'row-workers': { type: 'string', default: '' },
    // `off` runs the service without compaction (it is on by default, as in the service).
    compaction: { type: 'string', default: 'on' },
    'latency-events': { type: 'string', default: '200000' },
    'latency-rate': { type: 'string', default: '20000' },
    /** Event-time density of the backlog: event time advances as in a stream of this many events/s. */
    'stream-rate': { type: 'string', default: '100000' },
    'open-events': { type: 'string', default: '200000' },
    'catalog-partitions': { type: 'string', default: '100000' },
    'catalog-rate': { type: 'string', default: '500' },
    'catalog-duration': { type: 'string', default: '20' },
    /** The catalog's V8 semi-space (MiB), as docs/catalog.md advises: the service's 8 MiB. */
    'catalog-semi-mib': { type: 'string', default: String(ADVISED_SEMI_SPACE_MIB) },
    /** The catalog's initial old-generation limit (MiB), as docs/catalog.md advises; 0: V8's default. */
    'catalog-initial-old-mib': { type: 'string', default: String(CATALOG_INITIAL_OLD_MIB) },
    /** `snapshot`: the catalog's lake is an index snapshot alone (seconds to write); `states`: 100,000 state.json objects (15 minutes to write once, 7 to index without a snapshot). */
    'catalog-fixture': { type: 'string', default: 'snapshot' },
    skip: { type: 'string', default: '' },
    /** A peer that drains the same backlog, one run after the other: iceberg-kafka-connect. */
    peer: { type: 'string', default: '' },
    'peer-dir': { type: 'string', default: '' },
    'cpu-prof': { type: 'boolean', default: false },
    'update-docs': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results' },
  },
});

const N = Number(args.events);
const EVENT_BYTES = Number(args['event-bytes']);
const PARTITIONS = Number(args.partitions);
const DUP_RATE = Number(args['dup-rate']);
const DISORDER_MS = Number(args['disorder-ms']);
const HOURS = Number(args.hours);
const BUDGET_MB = Number(args['budget-mb']);
const HEAP_MIB = args['heap-mib'] ? Number(args['heap-mib']) : BUDGET_MB * 2 + 64;
const SEMI_MIB = Number(args['semi-mib']);
const ENCODE_WORKERS = Number(args['encode-workers']);
const ROW_WORKERS = args['row-workers'] === '' ? undefined : Number(args['row-workers']);
const COMPACTION = args.compaction !== 'off';
const SKIP = new Set((args.skip ?? '').split(',').filter(Boolean));
const HOUR = 3_600_000;
/** The service's own fetch size, so that the consume ceilings fetch as it does. */
const FETCH_MAX_BYTES = fetchMaxBytesFor(BUDGET_MB * 1024 * 1024);

function log(message: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Padding that brings the generated events to about EVENT_BYTES of JSON. */
function paddingFor(bytes: number): number {
  const [sample] = sampleOrderEvents({ count: 1, paddingChars: 0 });
  const base = (sample?.value.length ?? 300) + ',"note":""'.length;
  return Math.max(0, bytes - base);
}

const START_MS = Math.floor(Date.now() / HOUR) * HOUR - (HOURS + 2) * HOUR;

function sample(count: number, overrides: Partial<SampleOptions> = {}): SampleOptions {
  return {
    count,
    startMs: START_MS,
    stepMs: 1000 / Number(args['stream-rate']),
    duplicateRate: DUP_RATE,
    disorderMs: DISORDER_MS,
    badRate: 0,
    seed: 42,
    paddingChars: paddingFor(EVENT_BYTES),
    ...overrides,
  };
}

function datasetConfig(topic: string, watermark: Record<string, unknown> = {}, files: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'orders',
    topic,
    envelope: { type: 'nakadi' },
    schema: { columns: ORDER_COLUMNS, unknown_fields: 'keep_json' },
    watermark: { max_out_of_orderness: `${Math.ceil(DISORDER_MS / 1000) + 10}s`, allowed_lateness: '1m', dedup_window: '1h', idle_timeout: '1s', ...watermark },
    files: { late_batch_window: '1s', ...files },
    ...(COMPACTION ? {} : { compaction: { enabled: false } }),
  };
}

function serviceConfig(topic: string, group: string, prefix: string, watermark: Record<string, unknown> = {}, files: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kafka: { brokers: brokers(), group_id: group, session_timeout: '10s' },
    s3: { endpoint: s3Endpoint(), bucket: BENCH_BUCKET, prefix },
    catalog: { enabled: false },
    log: { level: 'info', format: 'json' },
    materializer: { memory_budget_mb: BUDGET_MB, encode_workers: ENCODE_WORKERS, ...(ROW_WORKERS === undefined ? {} : { row_workers: ROW_WORKERS }) },
    datasets: [datasetConfig(topic, watermark, files)],
  };
}

interface LakeSummary {
  partitions: number;
  files: number;
  rows: number;
  duplicates: number;
  bytes: number;
  /**
   * When each offset range first became visible: the commit records written at ingestion. The
   * states' files are not used for this: compaction replaces them with files committed later.
   */
  files_committed_at: Array<{ partition: number; first: number; last: number; committedAtMs: number; rows: number }>;
}

async function readLake(store: S3ObjectStore, prefix: string): Promise<LakeSummary> {
  const root = `${prefix}_tukang/datasets/orders/partitions/`;
  const keys: string[] = [];
  for await (const o of listAll(store, root)) if (o.key.endsWith('/state.json')) keys.push(o.key);
  const summary: LakeSummary = { partitions: keys.length, files: 0, rows: 0, duplicates: 0, bytes: 0, files_committed_at: [] };
  for (let i = 0; i < keys.length; i += 16) {
    const states = await Promise.all(keys.slice(i, i + 16).map((k) => getJson<PartitionState>(store, k)));
    for (const s of states) {
      if (!s) continue;
      summary.rows += s.value.rows;
      summary.duplicates += s.value.duplicates;
      summary.bytes += s.value.bytes;
      summary.files += s.value.files.length;
    }
  }
  const records: string[] = [];
  for await (const o of listAll(store, `${prefix}_tukang/datasets/orders/commits/`)) if (o.key.endsWith('.json') && !o.key.includes('-accounted-')) records.push(o.key);
  for (let i = 0; i < records.length; i += 16) {
    const commits = await Promise.all(records.slice(i, i + 16).map((k) => getJson<FileCommit>(store, k)));
    for (const c of commits) {
      if (!c) continue;
      const f = c.value;
      summary.files_committed_at.push({ partition: f.source.partition, first: f.source.first_offset, last: f.source.last_offset, committedAtMs: Date.parse(f.committed_at), rows: f.rows });
    }
  }
  return summary;
}

async function deletePrefix(store: S3ObjectStore, prefix: string): Promise<void> {
  let keys: string[] = [];
  for await (const o of listAll(store, prefix)) {
    keys.push(o.key);
    if (keys.length === 1000) {
      await store.delete(keys);
      keys = [];
    }
  }
  if (keys.length > 0) await store.delete(keys);
}

interface PipelineResult {
  label: string;
  events: number;
  wallMs: number;
  eventsPerSec: number;
  steadyEventsPerSec: number;
  firstFetchToLastCommitMs: number;
  peakRssMiB: number;
  cpuSec: number;
  cpuCores: number;
  cpuSecPerMillion: number;
  files: number;
  partitionsInLake: number;
  rowsInLake: number;
  duplicatesDropped: number;
  parquetMiB: number;
  flushRetries: number;
  earlyFlushWarnings: number;
  timeline: Array<{ t: number; committed: number; rssMiB: number; cpuCores: number }>;
  profile?: string;
}

/** Runs the service over a topic until the group committed everything; reads the lake back. */
async function runPipeline(
  kafka: Kafka,
  store: S3ObjectStore,
  label: string,
  topic: string,
  total: number,
  watermark: Record<string, unknown>,
  options: { profileDir?: string; duringRun?: () => Promise<void>; files?: Record<string, unknown> } = {},
): Promise<{ result: PipelineResult; lake: LakeSummary; samples: ProgressSample[]; firstFetchMs: number }> {
  const group = uniqueName(`bench-${label}`);
  const prefix = `${uniqueName(`bench-${label}`)}/`;
  const service = startService({ config: serviceConfig(topic, group, prefix, watermark, options.files), heapLimitMiB: HEAP_MIB, semiSpaceMiB: SEMI_MIB, ...(options.profileDir ? { cpuProfDir: options.profileDir } : {}) });
  let ends: Map<number, number> | undefined;
  let producing: Promise<void> | undefined;
  if (options.duringRun) {
    while (service.firstLogTime('consumer group assignment') === undefined) {
      if (service.child.exitCode !== null) throw new Error('service exited');
      await sleep(100);
    }
    producing = options.duringRun().then(async () => {
      ends = await endOffsets(kafka, topic);
    });
  } else {
    ends = await endOffsets(kafka, topic);
  }
  const watched = await watchUntilCommitted(kafka, service, group, topic, () => ends, { everyMs: 250, timeoutMs: 30 * 60_000 });
  await producing;
  const exit = await service.stop();
  if (!watched.done) throw new Error(`${label}: not everything was committed within 30 min`);
  const samples = watched.samples;
  const firstFetchMs = service.firstLogTime('consumer group assignment') ?? (samples[0]?.atMs as number);
  const last = samples.at(-1) as ProgressSample;
  // First sample at or after the first fetch, for CPU accounting.
  const startSample = samples.find((s) => s.atMs >= firstFetchMs) ?? (samples[0] as ProgressSample);
  const wallMs = last.atMs - firstFetchMs;
  const at = (fraction: number): number => (samples.find((s) => s.committed >= fraction * total) ?? last).atMs;
  const t10 = at(0.1);
  const t90 = at(0.9);
  const lake = await readLake(store, prefix);
  const cpuSec = last.cpuSec - startSample.cpuSec;
  const timeline = samples.map((s, i) => {
    const prev = samples[Math.max(0, i - 4)] as ProgressSample;
    const dt = (s.atMs - prev.atMs) / 1000;
    return { t: round((s.atMs - firstFetchMs) / 1000, 2), committed: s.committed, rssMiB: round(s.rssKiB / 1024, 1), cpuCores: dt > 0 ? round((s.cpuSec - prev.cpuSec) / dt, 2) : 0 };
  });
  const warnings = service.logs.filter((l) => typeof l['msg'] === 'string' && (l['msg'] as string).includes('flush failed')).length;
  log(`${label}: exit ${exit}; ${service.logs.filter((l) => Number(l['level']) >= 50).length} error lines`);
  const result: PipelineResult = {
    label,
    events: total,
    wallMs,
    eventsPerSec: Math.round(total / (wallMs / 1000)),
    steadyEventsPerSec: t90 > t10 ? Math.round((0.8 * total) / ((t90 - t10) / 1000)) : Number.NaN,
    firstFetchToLastCommitMs: wallMs,
    peakRssMiB: round(Math.max(...samples.map((s) => s.hwmKiB)) / 1024, 1),
    cpuSec: round(cpuSec, 1),
    cpuCores: round(cpuSec / (wallMs / 1000), 2),
    cpuSecPerMillion: round((cpuSec / total) * 1e6, 1),
    files: lake.files,
    partitionsInLake: lake.partitions,
    rowsInLake: lake.rows,
    duplicatesDropped: lake.duplicates,
    parquetMiB: round(lake.bytes / 1048576, 1),
    flushRetries: warnings,
    earlyFlushWarnings: 0,
    timeline,
  };
  await deletePrefix(store, prefix);
  return { result, lake, samples, firstFetchMs };
}

/** Produces `events` at `rate` while the service runs; visibility latency of every offset. */
async function measureLatency(kafka: Kafka, store: S3ObjectStore, topics: string[], events: number, rate: number, files: Record<string, unknown>): Promise<Record<string, unknown>> {
  const liveTopic = uniqueName('bench-live');
  topics.push(liveTopic);
  await createTopic(kafka, liveTopic, PARTITIONS);
  let ranges: SendRange[] = [];
  log(`latency: producing ${events} events at ${rate}/s while the service runs (files: ${JSON.stringify(files)})`);
  const live = await runPipeline(kafka, store, 'latency', liveTopic, events, {}, {
    files,
    duringRun: async () => {
      const r = await produce(kafka, liveTopic, PARTITIONS, sampleOrderEvents(sample(events, { seed: 7, stepMs: HOUR / (2 * rate) })), { ratePerSec: rate, batch: 500, recordRanges: true });
      ranges = r.ranges;
    },
  });
  const lat = visibilityLatencies(ranges, live.lake);
  return {
    events,
    rate_per_sec: rate,
    files_config: files,
    measured_offsets: lat.length,
    p50_ms: Math.round(percentile(lat, 50)),
    p90_ms: Math.round(percentile(lat, 90)),
    p99_ms: Math.round(percentile(lat, 99)),
    max_ms: Math.round(percentile(lat, 100)),
    files: live.result.files,
    peak_rss_mib: live.result.peakRssMiB,
    cpu_cores: live.result.cpuCores,
  };
}

/** Produce time → commit time for every offset a committed file covers. */
function visibilityLatencies(ranges: SendRange[], lake: LakeSummary): Float64Array {
  const byPartition = new Map<number, SendRange[]>();
  for (const r of ranges) {
    const list = byPartition.get(r.partition) ?? [];
    list.push(r);
    byPartition.set(r.partition, list);
  }
  for (const list of byPartition.values()) list.sort((a, b) => a.baseOffset - b.baseOffset);
  const out: number[] = [];
  for (const f of lake.files_committed_at) {
    const list = byPartition.get(f.partition) ?? [];
    let i = 0;
    for (let o = f.first; o <= f.last; o++) {
      while (i < list.length && (list[i] as SendRange).baseOffset + (list[i] as SendRange).count <= o) i++;
      const r = list[i];
      if (!r || r.baseOffset > o) continue;
      out.push(f.committedAtMs - r.sentAtMs);
    }
  }
  return Float64Array.from(out).sort();
}

function machine(): Record<string, unknown> {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memory_gib: round(totalmem() / 1024 ** 3, 1),
    kernel: release(),
    node: process.version,
    load_average_at_start: loadavg().map((l) => round(l, 2)),
  };
}

async function main(): Promise<void> {
  const kafka = benchKafka();
  const store = benchStore();
  await store.ensureBucket(true);
  const startedAt = new Date().toISOString();
  const results: Record<string, unknown> = {
    started_at: startedAt,
    machine: machine(),
    parameters: { events: N, stream_rate: Number(args['stream-rate']), latency_events: Number(args['latency-events']), latency_rate: Number(args['latency-rate']), open_events: Number(args['open-events']), event_bytes: EVENT_BYTES, partitions: PARTITIONS, duplicate_rate: DUP_RATE, disorder_ms: DISORDER_MS, hours: HOURS, memory_budget_mb: BUDGET_MB, heap_limit_mib: HEAP_MIB, semi_space_mib: SEMI_MIB, malloc: serviceMallocEnv(), encode_workers: ENCODE_WORKERS, ...(ROW_WORKERS === undefined ? {} : { row_workers: ROW_WORKERS }), ...(COMPACTION ? {} : { compaction: false }) },
  };
  const topics: string[] = [];
  try {
    // 1. the backlog
    const topic = uniqueName('bench-orders');
    topics.push(topic);
    await createTopic(kafka, topic, PARTITIONS);
    log(`producing ${N.toLocaleString('en-US')} events of ~${EVENT_BYTES} B to ${topic} (${PARTITIONS} partitions)`);
    const produced = await produce(kafka, topic, PARTITIONS, sampleOrderEvents(sample(N)));
    const total = produced.records;
    results['produce'] = { records: total, unique_events: N, mib: round(produced.bytes / 1048576, 1), ms: produced.ms, events_per_sec: Math.round(total / (produced.ms / 1000)), avg_event_bytes: Math.round(produced.bytes / total) };
    log(`produced ${total.toLocaleString('en-US')} records (${N} unique) in ${produced.ms} ms`);

    // 1b. the peer on the same topic (its own consumer group, from the start of the topic)
    if (args.peer) results['peer'] = await peerRun(args.peer, topic);

    // 2. ceilings
    const consume: ConsumeCeiling[] = [];
    let encode: EncodeCeiling | undefined;
    if (!SKIP.has('ceilings')) {
      consume.push(await kafkajsCeiling(kafka, topic, total, FETCH_MAX_BYTES, 10 * 60_000));
      log(`kafkajs consume ceiling: ${JSON.stringify(consume.at(-1))}`);
      if (!SKIP.has('platformatic')) {
        try {
          consume.push(await platformaticCeiling(topic, total, FETCH_MAX_BYTES, 10 * 60_000));
          log(`platformatic consume ceiling: ${JSON.stringify(consume.at(-1))}`);
        } catch (err) {
          log(`platformatic consume ceiling failed: ${String(err)}`);
          results['platformatic_error'] = String(err);
        }
      }
      const dataset = benchConfig({ datasets: [datasetConfig(topic)] }).datasets[0];
      if (dataset) encode = await encodeCeiling(dataset, sampleOrderEvents(sample(N, { duplicateRate: 0 })), 100_000, PARTITIONS);
      log(`encode ceiling: ${JSON.stringify(encode)}`);
    }
    results['ceilings'] = { consume, encode };

    // 3. the pipeline drains the backlog
    const profileDir = args['cpu-prof'] ? join(tmpdir(), 'tukang-bench-profiles') : undefined;
    log('pipeline: draining the backlog');
    const run = await runPipeline(kafka, store, 'pipeline', topic, total, {}, profileDir ? { profileDir } : {});
    const pipeline = run.result;
    if (profileDir) {
      const newest = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')).sort().at(-1);
      if (newest) pipeline.profile = join(profileDir, newest);
    }
    log(`pipeline: ${pipeline.eventsPerSec} events/s (steady ${pipeline.steadyEventsPerSec}), peak RSS ${pipeline.peakRssMiB} MiB, ${pipeline.cpuCores} cores, ${pipeline.files} files, ${pipeline.rowsInLake} rows`);
    const expectedRows = N - 0; // every unique event once
    const correct = pipeline.rowsInLake === expectedRows;
    results['pipeline'] = { ...pipeline, expected_rows: expectedRows, rows_match: correct };
    if (!correct) log(`WARNING: the lake holds ${pipeline.rowsInLake} rows, expected ${expectedRows}`);

    // 4. visibility latency under live traffic: with the defaults, and with files.max_buffer_age 2s
    const latencyRuns: Array<{ key: string; files: Record<string, unknown> }> = [
      { key: 'latency', files: {} },
      { key: 'latency_max_buffer_age_2s', files: { max_buffer_age: '2s' } },
    ];
    for (const { key, files } of SKIP.has('latency') ? [] : latencyRuns) {
      try {
        results[key] = await measureLatency(kafka, store, topics, Number(args['latency-events']), Number(args['latency-rate']), files);
        log(`${key}: ${JSON.stringify(results[key])}`);
      } catch (err) {
        results[key] = { not_measured: String(err) };
        log(`${key} not measured: ${String(err)}`);
      }
    }

    // 5. memory with every hour open at once
    if (!SKIP.has('open')) try {
      const M = Number(args['open-events']);
      const openTopic = uniqueName('bench-open');
      topics.push(openTopic);
      await createTopic(kafka, openTopic, PARTITIONS);
      // Event times spread uniformly over HOURS: every (hour, source partition) buffer stays open until the end.
      const spread = HOURS * HOUR;
      const p = await produce(kafka, openTopic, PARTITIONS, sampleOrderEvents(sample(M, { stepMs: 0, disorderMs: spread, startMs: START_MS + spread, seed: 9 })));
      log(`open-partitions: ${p.records} records produced; running`);
      const open = await runPipeline(kafka, store, 'open', openTopic, p.records, { max_out_of_orderness: `${HOURS + 1}h`, allowed_lateness: '1m', dedup_window: `${HOURS + 2}h` });
      results['open_partitions'] = {
        events: M,
        hours: HOURS,
        source_partitions: PARTITIONS,
        open_buffers_at_peak: HOURS * PARTITIONS,
        peak_rss_mib: open.result.peakRssMiB,
        events_per_sec: open.result.eventsPerSec,
        files: open.result.files,
        rows_in_lake: open.result.rowsInLake,
        rows_match: open.result.rowsInLake === M,
        cpu_cores: open.result.cpuCores,
      };
      log(`open-partitions: ${JSON.stringify(results['open_partitions'])}`);
    } catch (err) {
      results['open_partitions'] = { not_measured: String(err) };
      log(`open-partitions not measured: ${String(err)}`);
    }

    // 6. catalog
    if (!SKIP.has('catalog')) {
      try {
        const catalog: CatalogResult = await catalogBench({ partitions: Number(args['catalog-partitions']), ratePerSec: Number(args['catalog-rate']), durationSec: Number(args['catalog-duration']), semiSpaceMiB: Number(args['catalog-semi-mib']), initialOldSpaceMiB: Number(args['catalog-initial-old-mib']), fixture: args['catalog-fixture'] === 'states' ? 'states' : 'snapshot', log });
        results['catalog'] = catalog;
        log(`catalog: ${JSON.stringify(catalog)}`);
      } catch (err) {
        results['catalog'] = { not_measured: String(err) };
        log(`catalog not measured: ${String(err)}`);
      }
    } else {
      results['catalog'] = { not_measured: 'skipped (--skip catalog)' };
    }
  } finally {
    await deleteTopics(kafka, topics);
  }
  results['finished_at'] = new Date().toISOString();
  results['load_average_at_end'] = loadavg().map((l) => round(l, 2));
  writeOutputs(results);
}

async function peerRun(name: string, topic: string): Promise<PeerResult | { skipped: string }> {
  if (!(PEERS as readonly string[]).includes(name)) throw new Error(`--peer ${name}: unknown peer (known: ${PEERS.join(', ')})`);
  const peer = name as PeerName;
  const dir = args['peer-dir'] ? resolve(args['peer-dir']) : defaultPeerDir(peer);
  const why = peerUnavailable(dir);
  if (why) {
    log(`peer ${peer} skipped: ${why}`);
    return { skipped: why };
  }
  log(`peer ${peer}: draining ${topic}`);
  const r = await runPeer(peer, dir, topic, `${uniqueName(`peer-${peer}`)}`, log);
  log(`peer ${peer}: ${JSON.stringify(r)}`);
  return r;
}

function fmt(n: unknown): string {
  return typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US') : String(n ?? 'n/a');
}

function markdown(r: Record<string, unknown>): string {
  const p = r['pipeline'] as PipelineResult | undefined;
  const c = r['ceilings'] as { consume: ConsumeCeiling[]; encode?: EncodeCeiling } | undefined;
  const lat = r['latency'] as Record<string, number> | undefined;
  const open = r['open_partitions'] as Record<string, number> | undefined;
  const cat = r['catalog'] as (CatalogResult & { not_measured?: string }) | undefined;
  const kafkajs = c?.consume.find((x) => x.client.startsWith('kafkajs'));
  const plat = c?.consume.find((x) => x.client.startsWith('@platformatic'));
  const enc = c?.encode?.twoThreadPerSec;
  const lower = Math.min(kafkajs?.eventsPerSec ?? Infinity, enc ?? Infinity);
  const ratio = (v: number | undefined, of: number | undefined): string => (v && of && Number.isFinite(of) ? `${Math.round((v / of) * 100)} %` : 'n/a');
  const rows: Array<Array<string | number>> = [];
  if (p) {
    rows.push(['End-to-end throughput (first fetch → last commit)', `${fmt(p.eventsPerSec)} events/s`, '≥ 100,000 events/s', p.eventsPerSec >= 100_000 ? 'met' : `missed by ${fmt(100_000 - p.eventsPerSec)} (${ratio(p.eventsPerSec, 100_000)} of target)`]);
    rows.push(['Steady-state throughput (10 % → 90 % committed)', `${fmt(p.steadyEventsPerSec)} events/s`, '', '']);
    rows.push(['Pipeline / lower ceiling', ratio(p.eventsPerSec, lower), '≥ 70 %', p.eventsPerSec >= 0.7 * lower ? 'met' : `missed (${ratio(p.eventsPerSec, lower)})`]);
    rows.push(['Peak RSS of the service (backlog run)', `${fmt(p.peakRssMiB)} MiB`, '≤ 512 MiB', p.peakRssMiB <= 512 ? 'met' : `missed by ${fmt(round(p.peakRssMiB - 512, 1))} MiB`]);
    rows.push(['CPU of the service (backlog run)', `${fmt(p.cpuCores)} cores avg, ${fmt(p.cpuSecPerMillion)} CPU-s per 1M events`, '', '']);
    rows.push(['Lake check', `${fmt(p.rowsInLake)} rows in ${fmt(p.files)} files / ${fmt(p.partitionsInLake)} partitions, ${fmt(p.duplicatesDropped)} duplicates dropped`, `${fmt(p.events)} records in`, (r['pipeline'] as { rows_match?: boolean }).rows_match ? 'rows = unique events' : 'ROW COUNT MISMATCH']);
  }
  if (kafkajs) rows.push(['Consume ceiling, kafkajs (fetch + discard)', `${fmt(kafkajs.eventsPerSec)} events/s (${fmt(kafkajs.mibPerSec)} MiB/s)`, '', p ? `pipeline = ${ratio(p.eventsPerSec, kafkajs.eventsPerSec)}` : '']);
  if (plat) rows.push(['Consume ceiling, @platformatic/kafka (fetch + discard)', `${fmt(plat.eventsPerSec)} events/s (${fmt(plat.mibPerSec)} MiB/s)`, '', p ? `pipeline = ${ratio(p.eventsPerSec, plat.eventsPerSec)}` : '']);
  if (c?.encode) {
    const e = c.encode;
    rows.push(['Encode ceiling (Arrow build on main ∥ parquet-wasm ZSTD in 1 worker, 100k-row batches)', `${fmt(e.twoThreadPerSec)} rows/s`, '', p ? `pipeline = ${ratio(p.eventsPerSec, e.twoThreadPerSec)}` : '']);
    rows.push(['  of which: build (main thread) / encode (worker) / both on one core', `${fmt(e.buildPerSec)} / ${fmt(e.encodePerSec)} / ${fmt(e.oneCorePerSec)} rows/s`, '', '']);
    rows.push(['  decode + validate (main thread), for reference', `${fmt(e.decodePerSec)} events/s`, '', '']);
  }
  if (lat) rows.push([`Visibility latency (produced → committed in state.json), ${fmt(lat['rate_per_sec'])} events/s live`, `p50 ${fmt(lat['p50_ms'])} ms, p99 ${fmt(lat['p99_ms'])} ms (max ${fmt(lat['max_ms'])}), ${fmt(lat['files'])} files`, '', '']);
  const aged = r['latency_max_buffer_age_2s'] as Record<string, number> | undefined;
  if (aged) rows.push([`  … with files.max_buffer_age 2s`, `p50 ${fmt(aged['p50_ms'])} ms, p99 ${fmt(aged['p99_ms'])} ms (max ${fmt(aged['max_ms'])}), ${fmt(aged['files'])} files`, 'p99 ≤ 5,000 ms', (aged['p99_ms'] ?? Infinity) <= 5_000 ? 'met' : `missed by ${fmt((aged['p99_ms'] ?? 0) - 5_000)} ms`]);
  if (open) rows.push([`Peak RSS, ${fmt(open['source_partitions'])} source partitions × ${fmt(open['hours'])} open hours, ${fmt((r['parameters'] as Record<string, number>)['memory_budget_mb'])} MiB budget`, `${fmt(open['peak_rss_mib'])} MiB (${fmt(open['events_per_sec'])} events/s, ${fmt(open['files'])} files)`, '≤ 512 MiB', open['peak_rss_mib'] !== undefined && open['peak_rss_mib'] <= 512 ? 'met' : 'missed']);
  if (cat && cat.not_measured === undefined) {
    if (cat.indexBuildMs !== null) rows.push([`Catalog cold start, ${fmt(cat.partitions)} partitions (first index of \`tukang catalog\`)`, `${fmt(cat.indexBuildMs)} ms`, '≤ 15,000 ms', cat.indexBuildMs <= 15_000 ? 'met' : `missed by ${fmt(cat.indexBuildMs - 15_000)} ms`]);
    rows.push([`Catalog partition listing, ${fmt(cat.partitions)} partitions, ${fmt(cat.ratePerSec)} req/s (${cat.client ?? 'autocannon'})`, `p50 ${fmt(cat.p50Ms)} ms, p99 ${fmt(cat.p99Ms)} ms at the client; p50 ${fmt(cat.serverP50Ms)} ms, p99 ${fmt(cat.serverP99Ms)} ms in the server (achieved ${fmt(cat.achievedPerSec)} req/s, ${fmt(cat.non2xx)} non-2xx)`, 'p99 < 20 ms', cat.p99Ms < 20 ? 'met' : `missed by ${fmt(cat.p99Ms - 20)} ms`]);
    for (const run of (cat.runs ?? []).slice(1)) rows.push([`  … the same listing, ${run.client}`, `p50 ${fmt(run.p50Ms)} ms, p99 ${fmt(run.p99Ms)} ms at the client; p99 ${fmt(run.serverP99Ms)} ms in the server`, '', '']);
    for (const floor of cat.floors ?? []) rows.push([`  client floor, ${floor.client} against a bare server answering ${fmt(cat.responseBytes)} bytes`, `p50 ${fmt(floor.p50Ms)} ms, p99 ${fmt(floor.p99Ms)} ms (max ${fmt(floor.maxMs)})`, '', '']);
  } else if (cat) {
    rows.push(['Catalog partition listing', 'not measured', 'p99 < 20 ms', cat.not_measured ?? '']);
  }
  rows.push(...peerRows(r['peer'] as PeerResult | { skipped: string } | undefined, p));
  const m = r['machine'] as Record<string, unknown>;
  const params = r['parameters'] as Record<string, unknown>;
  return [
    `Run ${String(r['started_at'])} on ${String(m['cpu'])}, ${String(m['cores'])} cores, ${String(m['memory_gib'])} GiB, Node ${String(m['node'])}; load average at start ${JSON.stringify(m['load_average_at_start'])}, at end ${JSON.stringify(r['load_average_at_end'])}.`,
    `Parameters: ${JSON.stringify(params)}.`,
    '',
    table(['measure', 'result', 'target', 'status'], rows),
    '',
  ].join('\n');
}

function writeOutputs(r: Record<string, unknown>): void {
  const out = resolve(args.out ?? 'bench/results');
  mkdirSync(out, { recursive: true });
  const stamp = String(r['started_at']).replace(/[:.]/g, '-');
  const md = markdown(r);
  writeFileSync(join(out, `${stamp}.json`), `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(join(out, `${stamp}.md`), md);
  writeFileSync(join(out, 'latest.json'), `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(join(out, 'latest.md'), md);
  const p = r['pipeline'] as PipelineResult | undefined;
  const c = r['ceilings'] as { consume: ConsumeCeiling[]; encode?: EncodeCeiling } | undefined;
  let svg: string | undefined;
  if (p) {
    // Rate of committed events over 1 s windows (committed offsets move in steps, as files commit).
    const points: Array<[number, number]> = [];
    const tl = p.timeline;
    for (let i = 0; i < tl.length; i++) {
      const cur = tl[i] as PipelineResult['timeline'][number];
      let j = i;
      while (j > 0 && cur.t - (tl[j - 1] as PipelineResult['timeline'][number]).t <= 1.0) j--;
      const prev = tl[j] as PipelineResult['timeline'][number];
      if (cur.t <= prev.t || cur.t < 0) continue;
      points.push([cur.t, (cur.committed - prev.committed) / (cur.t - prev.t)]);
    }
    const lines = [{ label: 'target 100,000 events/s', color: '#d62728', y: 100_000 }, { label: `end-to-end average ${p.eventsPerSec.toLocaleString('en-US')}`, color: '#1f77b4', y: p.eventsPerSec }];
    const kj = c?.consume.find((x) => x.client.startsWith('kafkajs'));
    if (kj) lines.push({ label: `kafkajs consume ceiling ${kj.eventsPerSec.toLocaleString('en-US')}`, color: '#2ca02c', y: kj.eventsPerSec });
    if (c?.encode) lines.push({ label: `encode ceiling ${c.encode.twoThreadPerSec.toLocaleString('en-US')}`, color: '#9467bd', y: c.encode.twoThreadPerSec });
    svg = lineChart(`Tukang end-to-end: events committed per second (${p.events.toLocaleString('en-US')} events, ${String(r['started_at']).slice(0, 16)})`, [{ label: 'committed events/s (1 s window)', color: '#1f77b4', points }], lines, 'seconds since first fetch', 'events/s');
    writeFileSync(join(out, `${stamp}.svg`), svg);
    writeFileSync(join(out, 'latest.svg'), svg);
  }
  process.stdout.write(`\n${md}\n`);
  log(`results: ${join(out, 'latest.json')}, ${join(out, 'latest.md')}`);
  if (args['update-docs']) {
    const docs = resolve('docs/performance.md');
    const text = readFileSync(docs, 'utf8');
    const begin = '<!-- bench:begin -->';
    const end = '<!-- bench:end -->';
    const a = text.indexOf(begin);
    const b = text.indexOf(end);
    if (a >= 0 && b > a) {
      writeFileSync(docs, `${text.slice(0, a + begin.length)}\n${md}\n${text.slice(b)}`);
      if (svg) writeFileSync(resolve('docs/performance-throughput.svg'), svg);
      log('docs/performance.md and docs/performance-throughput.svg updated');
    }
  }
}

await main();

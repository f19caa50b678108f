/**
 * Invariant 9 with the real folder readers: DuckDB (httpfs), pyarrow and polars glob the Hive
 * folders, as Athena, Spark and Trino users do, and must count every event exactly once after
 * ingest, late data, a replay, and a SIGKILL between each step (docs/architecture.md, "The lake
 * layout on S3").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitLog } from '../../src/commit/commit-log.js';
import type { PartitionState } from '../../src/lake/metadata-types.js';
import { sampleOrderEvents, type SampleRecord } from '../../src/sample/order-events.js';
import { getJson, listAll } from '../../src/storage/object-store.js';
import { LakeLayout } from '../../src/lake/lake-layout.js';
import { runCli, startCli } from '../helpers/cli.js';
import { readPartitionStates } from '../helpers/lake-reader.js';
import { committedOffsets, endOffsets, produce, serviceConfigFile, until } from '../helpers/pipeline-harness.js';
import { pythonJson } from '../helpers/python-readers.js';
import { realConfig, realStack, uniqueName, type RealStack } from '../helpers/real-stack.js';

const START = Date.UTC(2026, 10, 21, 6, 0, 0);
const HOUR_06 = 'event_date=2026-11-21/event_hour=06';

interface ReaderView {
  rows: number;
  ids: string[];
  /** Files whose rows are not in `_event_time` order (DuckDB only). */
  unsorted_files?: number;
  /** Single-file partitions whose rows are not in (event time, source partition, offset) order (DuckDB only). */
  unsorted_partitions?: number;
  /** Partitions DuckDB saw, with their file counts. */
  files_per_partition?: Record<string, number>;
}

/** Every reader's view of the dataset's folders: row count and the event ids it saw. */
const READERS_PY = `
import json, sys
import polars as pl
import pyarrow.dataset as ds
import tukang_readers as tr

bucket, root = sys.argv[1], sys.argv[2]
glob = f"s3://{bucket}/{root}*/*/*.parquet"
out = {}
con = tr.duckdb_connect()
ids = [r[0] for r in con.execute(f"SELECT _event_id FROM read_parquet('{glob}', hive_partitioning=true)").fetchall()]
unsorted = con.execute(f"""
  SELECT count(*) FROM (
    SELECT filename, bool_and(ok) AS sorted FROM (
      SELECT filename, coalesce(_event_time >= lag(_event_time) OVER (PARTITION BY filename ORDER BY file_row_number), true) AS ok
      FROM read_parquet('{glob}', hive_partitioning=true, filename=true, file_row_number=true))
    GROUP BY filename) WHERE NOT sorted""").fetchone()[0]
unsorted_partitions = con.execute(f"""
  SELECT count(*) FROM (
    SELECT p, bool_and(ok) AS sorted FROM (
      SELECT p, coalesce((_event_time, _source_partition, _source_offset) >= lag((_event_time, _source_partition, _source_offset)) OVER (PARTITION BY p ORDER BY file_row_number), true) AS ok
      FROM (SELECT *, event_date::VARCHAR || '/' || event_hour::VARCHAR AS p, count(DISTINCT filename) OVER (PARTITION BY event_date, event_hour) AS files
            FROM read_parquet('{glob}', hive_partitioning=true, filename=true, file_row_number=true)) WHERE files = 1)
    GROUP BY p) WHERE NOT sorted""").fetchone()[0]
files = dict(con.execute(f"SELECT 'event_date=' || event_date::VARCHAR || '/event_hour=' || lpad(event_hour::VARCHAR, 2, '0'), count(DISTINCT filename) FROM read_parquet('{glob}', hive_partitioning=true, filename=true) GROUP BY ALL").fetchall())
out["duckdb"] = {"rows": len(ids), "ids": sorted(ids), "unsorted_files": unsorted, "unsorted_partitions": unsorted_partitions, "files_per_partition": files}
table = ds.dataset(f"{bucket}/{root}", filesystem=tr.pyarrow_s3(), format="parquet", partitioning="hive").to_table(columns=["_event_id"])
ids = table.column("_event_id").to_pylist()
out["pyarrow"] = {"rows": len(ids), "ids": sorted(ids)}
frame = pl.scan_parquet(glob, hive_partitioning=True, storage_options=tr.polars_storage_options()).select("_event_id").collect()
ids = frame.get_column("_event_id").to_list()
out["polars"] = {"rows": len(ids), "ids": sorted(ids)}
print(json.dumps(out))
`;

async function assertEveryReaderCountsOnce(stack: RealStack, expected: Set<string>, step: string): Promise<Record<string, ReaderView>> {
  const views = await pythonJson<Record<string, ReaderView>>(READERS_PY, { args: [stack.config.s3.bucket, `${stack.prefix}orders/`], timeoutMs: 180_000 });
  const want = [...expected].sort();
  for (const [reader, view] of Object.entries(views)) {
    assert.equal(view.rows, expected.size, `${step}: ${reader} counts ${view.rows} rows for ${expected.size} events`);
    assert.deepEqual(view.ids, want, `${step}: ${reader} sees each event exactly once, none lost`);
  }
  assert.equal(views['duckdb']?.unsorted_files, 0, `${step}: every file is sorted by event time`);
  assert.equal(views['duckdb']?.unsorted_partitions, 0, `${step}: every single-file partition is sorted by (event time, source partition, offset)`);
  return views;
}

/** Every complete partition is one file: compacted (the newest version of reason `compaction`) unless it was one file from the start. */
async function allCompacted(stack: RealStack): Promise<boolean> {
  const states = await readPartitionStates(stack.store, stack.prefix, 'orders');
  if (!states.every((s) => s.status !== 'complete' || (s.files.length === 1 && (s.versions.at(-1)?.reason === 'compaction' || s.versions.length === 1)))) return false;
  // And the folder switch after the last state write is done (a SIGKILL inside that window leaves
  // it to the next instance's tick, which the test waits for by restarting the service).
  for (const s of states) if (JSON.stringify(await folderFiles(stack, s.partition_path)) !== JSON.stringify(s.files.map((f) => f.key).sort())) return false;
  return true;
}

/** The data files directly in a partition's Hive folder: what a folder reader globs. */
async function folderFiles(stack: RealStack, path: string): Promise<string[]> {
  const layout = new LakeLayout(stack.prefix);
  const keys: string[] = [];
  for await (const o of listAll(stack.store, layout.partitionDir('orders', path), { delimiter: '/' })) if (layout.isFolderDataFile(o.key)) keys.push(o.key);
  return keys.sort();
}

async function stateOf(stack: RealStack, path: string): Promise<PartitionState | undefined> {
  return (await getJson<PartitionState>(stack.store, new LakeLayout(stack.prefix).partitionState('orders', path)))?.value;
}

async function allCommitted(topic: string, group: string): Promise<boolean> {
  const config = realConfig({ kafka: { group_id: group } });
  const [ends, committed] = await Promise.all([endOffsets(config, topic), committedOffsets(config, topic)]);
  return [...ends].every(([p, end]) => committed.get(p) === end);
}

/** Runs the service until `ready`, then kills it with SIGKILL. */
async function runThenKill(configFile: string, ready: () => Promise<boolean>, what: string): Promise<void> {
  const service = startCli(['run', '--config', configFile]);
  try {
    await until(ready, 180_000, () => `${what}\n${service.output().slice(-3000)}`);
  } finally {
    service.child.kill('SIGKILL');
    await new Promise((resolve) => (service.child.exitCode !== null ? resolve(null) : service.child.once('exit', resolve)));
  }
}

/**
 * Polls a partition's folder and its state while `work` runs; returns the longest time during
 * which the folder did not hold exactly the state's files (the switch window folder readers see).
 */
async function measureSwitchWindow(stack: RealStack, path: string, work: () => Promise<void>): Promise<number> {
  let done = false;
  let windowStart: number | undefined;
  let longest = 0;
  const poll = (async () => {
    while (!done) {
      const folder = await folderFiles(stack, path);
      const state = await stateOf(stack, path);
      const current = (state?.files.map((f) => f.key) ?? []).sort();
      const now = Date.now();
      if (JSON.stringify(folder) !== JSON.stringify(current)) windowStart ??= now;
      else if (windowStart !== undefined) {
        longest = Math.max(longest, now - windowStart);
        windowStart = undefined;
      }
    }
  })();
  try {
    await work();
  } finally {
    done = true;
    await poll;
  }
  return longest;
}

test('folder readers (DuckDB, pyarrow, polars) count each event once after ingest, late data, a replay and SIGKILLs', { timeout: 900_000 }, async (t) => {
  const stack = await realStack(t, 'folders');
  const topic = await stack.createTopic(3, 'folders-orders');
  const group = uniqueName('folders-group');
  const configFile = serviceConfigFile(stack, topic, group);
  const producer = realConfig();

  // 6,000 events over 06:00-09:20 (no duplicates, no bad records: the expected set is plain).
  const all = [...sampleOrderEvents({ count: 6_300, startMs: START, stepMs: 2_000, duplicateRate: 0, disorderMs: 10_000, badRate: 0, seed: 12 })];
  const first = all.slice(0, 6_000);
  const expected = new Set(first.map((r) => r.eventId ?? ''));

  // Ingest, killed twice midway, then run until everything is durable and 06-08 are complete; killed again.
  await produce(producer, topic, first);
  for (const delay of [1_500, 3_000]) {
    await runThenKill(configFile, () => new Promise((r) => setTimeout(() => r(true), delay)), 'a moment of ingest');
  }
  await runThenKill(
    configFile,
    async () => {
      const states = await readPartitionStates(stack.store, stack.prefix, 'orders');
      return states.filter((s) => s.status === 'complete').length >= 3 && (await allCommitted(topic, group)) && (await allCompacted(stack));
    },
    'hours 06-08 to complete and be compacted',
  );
  const ingested = await assertEveryReaderCountsOnce(stack, expected, 'after ingest, compaction and 3 SIGKILLs');
  for (const s of await readPartitionStates(stack.store, stack.prefix, 'orders')) {
    if (s.status !== 'complete') continue;
    assert.equal(ingested['duckdb']?.files_per_partition?.[s.partition_path], 1, `complete ${s.partition_path} is one file in its folder`);
    if (s.versions.length === 1) continue; // one file from the start (a few disordered events of 05:59)
    const compaction = s.versions.at(-1);
    assert.equal(compaction?.reason, 'compaction');
    assert.equal(compaction?.rows, s.versions.at(-2)?.rows, 'a compaction changes no row count');
  }

  // Late data for the complete hour 06: a new version beside the old files.
  const late: SampleRecord[] = all.slice(6_000).map((r, i) => {
    const event = JSON.parse(r.value) as { metadata: { occurred_at: string } };
    event.metadata.occurred_at = new Date(START + 30 * 60_000 + i * 1_000).toISOString();
    return { ...r, value: JSON.stringify(event) };
  });
  await produce(producer, topic, late);
  for (const r of late) expected.add(r.eventId ?? '');
  await runThenKill(configFile, async () => (await stateOf(stack, HOUR_06))?.versions.some((v) => v.reason === 'late_data') === true && (await folderFiles(stack, HOUR_06)).length === (await stateOf(stack, HOUR_06))?.files.length && (await allCommitted(topic, group)) && (await allCompacted(stack)), 'late data in hour 06, compacted again');
  assert.deepEqual((await stateOf(stack, HOUR_06))?.versions.map((v) => v.reason).slice(-2), ['late_data', 'compaction']);
  await assertEveryReaderCountsOnce(stack, expected, 'after late data, its compaction and a SIGKILL');

  // A replay of hour 06: before the fix, its old files stayed in the folder and every reader counted the hour twice.
  const before = await stateOf(stack, HOUR_06);
  assert.ok(before);
  let replay = { code: null as number | null, stdout: '', stderr: '' };
  const windowMs = await measureSwitchWindow(stack, HOUR_06, async () => {
    replay = await runCli(['replay', 'orders', '--partition', '2026-11-21T06', '--json', '--config', configFile], {}, 180_000);
  });
  assert.equal(replay.code, 0, replay.stderr);
  t.diagnostic(`replay switch window seen by a folder poller: ${windowMs} ms`);
  assert.ok(windowMs < 3_000, `the switch window (${windowMs} ms) stays under 3 s`);
  const after = await stateOf(stack, HOUR_06);
  assert.equal(after?.version, before.version + 1);
  assert.deepEqual(await folderFiles(stack, HOUR_06), after?.files.map((f) => f.key).sort(), 'the folder holds exactly the current version');
  const layout = new LakeLayout(stack.prefix);
  for (const f of before.files) assert.ok(await stack.store.head(layout.supersededFile(f.key)), `superseded ${f.key} stays readable`);
  await assertEveryReaderCountsOnce(stack, expected, 'after a replay');

  // The service, restarted, compacts the replayed version (the replay's open marker requests it).
  await runThenKill(configFile, () => allCompacted(stack), 'the replayed hour 06 to be compacted');
  const commitLog = new CommitLog(stack.store, layout, stack.config.s3.bucket);
  const final = (await commitLog.readPartition('orders', HOUR_06))?.value;
  assert.equal(final?.version, before.version + 2);
  assert.deepEqual(final?.versions.map((v) => v.reason).slice(-2), ['replay', 'compaction']);
  await assertEveryReaderCountsOnce(stack, expected, 'after the replay, its compaction and a SIGKILL');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LINEAGE_COLUMNS } from '../../src/core/records.js';
import type { Snapshot, TableMetadata } from '../../src/iceberg/table-metadata.js';
import { TableStore } from '../../src/iceberg/table-store.js';
import { prng, sampleOrderEvents, type SampleRecord } from '../../src/sample/order-events.js';
import { LakeLayout } from '../../src/lake/lake-layout.js';
import { runCli, startCli } from '../helpers/cli.js';
import { readWithDuckDb, readWithPyIceberg, type ReaderRows } from '../helpers/iceberg-readers.js';
import { readLake } from '../helpers/lake-reader.js';
import { produce, serviceConfigFile, until, untilAllCommitted } from '../helpers/pipeline-harness.js';
import { realConfig, realStack, uniqueName, type RealStack } from '../helpers/real-stack.js';

const KILLS = 4;
const START = Date.UTC(2026, 10, 21, 0, 0, 0);

function key(rows: ReaderRows['rows']): string[] {
  return rows.map(([id, time, , partition, offset]) => `${id}|${new Date(time).toISOString()}|${partition}|${offset}`).sort();
}

async function lakeRows(stack: RealStack): Promise<string[]> {
  const lake = await readLake(stack.store, stack.prefix, 'orders');
  return lake
    .flatMap((p) => p.files.flatMap((f) => f.rows.map((r) => `${String(r[LINEAGE_COLUMNS.eventId])}|${(r[LINEAGE_COLUMNS.eventTime] as Date).toISOString()}|${String(r[LINEAGE_COLUMNS.partition])}|${String(r[LINEAGE_COLUMNS.offset])}`)))
    .sort();
}

/** The newest retained `replace` snapshot of a compaction whose parent is retained, and the compacted hour (`2026-11-21T02`). */
function compactionOf(metadata: TableMetadata | undefined): { replace: Snapshot; parent: Snapshot; hour: string } | undefined {
  for (const replace of [...(metadata?.snapshots ?? [])].reverse()) {
    const parent = metadata?.snapshots.find((s) => s['snapshot-id'] === replace['parent-snapshot-id']);
    if (replace.summary.operation !== 'replace' || !parent) continue;
    const path = Object.keys(JSON.parse(replace.summary['tukang.partitions'] ?? '{}') as Record<string, unknown>)[0] ?? '';
    const hour = path.replace(/^event_date=(\d{4}-\d{2}-\d{2})\/event_hour=(\d{2})$/, '$1T$2');
    if (hour !== path) return { replace, parent, hour };
  }
  return undefined;
}

test(`Iceberg table after ${KILLS} SIGKILLs of the service, a compaction and a replay: PyIceberg and DuckDB read the lake exactly, and time travel gives the versions before each switch`, { timeout: 900_000 }, async (t) => {
  const stack = await realStack(t, 'iceberg-crash');
  const topic = await stack.createTopic(3, 'iceberg-crash');
  const group = uniqueName('iceberg-crash-group');
  const configFile = serviceConfigFile(stack, topic, group, { iceberg: { commit_interval: '1s' } });
  const seed = Number(process.env['TUKANG_CRASH_SEED'] ?? Date.now() % 100_000);
  t.diagnostic(`seed ${seed}`);
  const random = prng(seed);
  const produced: SampleRecord[] = [...sampleOrderEvents({ count: 30_000, startMs: START, stepMs: 600, duplicateRate: 0.01, disorderMs: 20_000, badRate: 0, seed, paddingChars: 0 })];
  const slice = Math.ceil(produced.length / (KILLS + 1));
  const producer = realConfig();
  const layout = new LakeLayout(stack.prefix);
  const tables = new TableStore(stack.store, layout, stack.config.s3.bucket);
  for (let run = 0; run <= KILLS; run++) {
    await produce(producer, topic, produced.slice(run * slice, (run + 1) * slice));
    const service = startCli(['run', '--config', configFile]);
    if (run === KILLS) {
      t.after(() => service.child.kill('SIGKILL'));
      await untilAllCommitted(topic, group, 300_000, () => service.output().slice(-3000));
      // Complete hours are compacted by the service: wait for a compaction's `replace` snapshot.
      await until(async () => compactionOf((await tables.latest('orders'))?.metadata) !== undefined, 180_000, () => 'a replace snapshot after a compaction');
      // A clean stop commits the last snapshot.
      service.child.kill('SIGTERM');
      await new Promise((resolve) => service.child.once('exit', resolve));
      break;
    }
    // Killed while ingesting, flushing, committing or snapshotting.
    await new Promise((r) => setTimeout(r, 1_500 + random() * 4_000));
    service.child.kill('SIGKILL');
    await new Promise((resolve) => service.child.once('exit', resolve));
  }

  const s3 = { endpoint: stack.config.s3.endpoint ?? '', region: stack.config.s3.region, accessKeyId: 'test', secretAccessKey: 'test' };
  const expected = await lakeRows(stack);
  const valid = new Set(produced.filter((r) => r.eventId !== null && !r.duplicate).map((r) => r.eventId));
  assert.equal(expected.length, valid.size, 'the lake holds each event once');
  const table = await tables.latest('orders');
  assert.ok(table);
  const metadata = tables.uri(table.key);
  t.diagnostic(`table at v${table.version}, ${table.metadata.snapshots.length} snapshots, ${expected.length} rows`);
  assert.deepEqual(key((await readWithPyIceberg({ s3, metadata })).rows), expected, 'PyIceberg after the kills');
  assert.deepEqual(key((await readWithDuckDb({ s3, metadata })).rows), expected, 'DuckDB after the kills');

  // After a compaction (a `replace` snapshot), and time travel to the snapshot before it: the
  // compacted hour's old files were moved out of its folder by the switch, and are read there.
  const compaction = compactionOf(table.metadata);
  assert.ok(compaction, 'a compaction snapshot');
  assert.equal(compaction.replace.summary.operation, 'replace');
  const hourRows = (rows: string[]) => rows.filter((r) => r.split('|')[1]?.startsWith(compaction.hour));
  assert.ok(hourRows(expected).length > 0, 'the compacted hour has rows');
  for (const read of [readWithPyIceberg, readWithDuckDb]) {
    const old = key((await read({ s3, metadata, snapshotId: compaction.parent['snapshot-id'] })).rows);
    assert.equal(old.length, Number(compaction.parent.summary['total-records']), 'time travel before the compaction: the rows of that snapshot');
    assert.equal(new Set(old.map((r) => r.split('|')[0])).size, old.length, 'time travel before the compaction: each event once');
    assert.deepEqual(hourRows(old), hourRows(expected), 'time travel before the compaction: the compacted hour as it was');
  }

  // Replay a complete hour with the CLI: an overwrite snapshot; the snapshot before it still reads
  // the old files, which the switch moved to _tukang/superseded/ (docs/iceberg.md, Time travel).
  const lake = await readLake(stack.store, stack.prefix, 'orders');
  const target = lake.find((p) => p.state.status === 'complete');
  assert.ok(target, 'a complete partition');
  const beforeId = table.metadata['current-snapshot-id'];
  const id = target.state.partition_path.replace(/^event_date=(\d{4}-\d{2}-\d{2})\/event_hour=(\d{2})$/, '$1T$2');
  const replay = await runCli(['replay', 'orders', '--partition', id, '--config', configFile, '--json'], {}, 300_000);
  assert.equal(replay.code, 0, replay.stderr);
  const after = await tables.latest('orders');
  assert.ok(after && beforeId !== undefined);
  assert.equal(after.metadata.snapshots.at(-1)?.summary.operation, 'overwrite');
  const replayedFiles = (await readLake(stack.store, stack.prefix, 'orders')).find((p) => p.state.partition_path === target.state.partition_path)?.files.map((f) => f.key) ?? [];
  assert.ok(replayedFiles.every((k) => !target.files.some((f) => f.key === k)), 'the replay wrote new files');
  const afterReplay = await lakeRows(stack);
  const latestUri = tables.uri(after.key);
  assert.deepEqual(key((await readWithPyIceberg({ s3, metadata: latestUri })).rows), afterReplay, 'PyIceberg after the replay');
  assert.deepEqual(key((await readWithDuckDb({ s3, metadata: latestUri })).rows), afterReplay, 'DuckDB after the replay');
  assert.ok(after.metadata.snapshots.some((s) => s['snapshot-id'] === beforeId), 'the snapshot before the replay is kept');
  assert.deepEqual(key((await readWithPyIceberg({ s3, metadata: latestUri, snapshotId: beforeId })).rows), expected, 'PyIceberg: the snapshot before the replay');
  assert.deepEqual(key((await readWithDuckDb({ s3, metadata: latestUri, snapshotId: beforeId })).rows), expected, 'DuckDB: the snapshot before the replay');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitLog } from '../../src/commit/commit-log.js';
import type { PartitionState } from '../../src/lake/metadata-types.js';
import { LINEAGE_COLUMNS } from '../../src/core/records.js';
import { silentLogger } from '../../src/log/logger.js';
import { ReplayStore } from '../../src/replay/replay-store.js';
import type { ReplayJob } from '../../src/replay/replay-types.js';
import { sampleOrderEvents } from '../../src/sample/order-events.js';
import { createKafka } from '../../src/source/kafka-client.js';
import { LakeLayout } from '../../src/lake/lake-layout.js';
import { runCli, startCli, writeTempConfig } from '../helpers/cli.js';
import { readLake, readParquetObject } from '../helpers/lake-reader.js';
import { ORDER_COLUMNS, ordersConfig, produce, startMaterializer, until } from '../helpers/pipeline-harness.js';
import { FIXED_DATE_LIMITS, realStack, uniqueName, type RealStack } from '../helpers/real-stack.js';

const START = Date.UTC(2026, 10, 21, 6, 0, 0);
const HOUR = '2026-11-21T06';
const PATH = 'event_date=2026-11-21/event_hour=06';

/** Ingests three hours of events (without the coupon column), until the first two hours are complete. */
async function ingested(t: Parameters<typeof realStack>[0], label: string): Promise<{ stack: RealStack; topic: string; configFile: (columns: typeof ORDER_COLUMNS) => string }> {
  const stack = await realStack(t, label);
  const topic = await stack.createTopic(3, label);
  const columns = ORDER_COLUMNS.filter((c) => c.name !== 'coupon');
  const config = ordersConfig(topic, stack.prefix, uniqueName(`${label}-group`), { schema: { columns, unknown_fields: 'ignore' } });
  await produce(config, topic, sampleOrderEvents({ count: 6_000, startMs: START, stepMs: 2_000, duplicateRate: 0.02, disorderMs: 10_000, badRate: 0.002, seed: 31 }));
  const run = await startMaterializer(config, stack.store);
  await until(() => run.pipeline.counters.partitionsCompleted >= 2, 120_000, () => `completed ${run.pipeline.counters.partitionsCompleted}`);
  await run.stop();
  const configFile = (cols: typeof ORDER_COLUMNS): string =>
    writeTempConfig({
      kafka: { brokers: stack.config.kafka.brokers },
      s3: { endpoint: stack.config.s3.endpoint, bucket: stack.config.s3.bucket, prefix: stack.prefix },
      log: { level: 'warn', format: 'json' },
      datasets: [{ name: 'orders', topic, envelope: { type: 'nakadi' }, limits: FIXED_DATE_LIMITS, schema: { columns: cols, unknown_fields: 'ignore' }, watermark: config.datasets[0]?.watermark }],
    });
  return { stack, topic, configFile };
}

async function stateOf(stack: RealStack): Promise<PartitionState> {
  const lake = await readLake(stack.store, stack.prefix, 'orders');
  const partition = lake.find((p) => p.state.partition_path === PATH);
  assert.ok(partition);
  return partition.state;
}

async function rowsOf(stack: RealStack, state: PartitionState): Promise<string[]> {
  const rows: string[] = [];
  const placement = new CommitLog(stack.store, new LakeLayout(stack.prefix), stack.config.s3.bucket).placement;
  for (const f of state.files) {
    // A superseded version's files have moved out of the Hive folder; locate finds them.
    const where = await placement.locate(f.key);
    assert.ok(where, `data file ${f.key} is nowhere`);
    for (const row of (await readParquetObject(stack.store, where.key)).rows) {
      const { [LINEAGE_COLUMNS.receivedAt]: _received, ...rest } = row;
      rows.push(JSON.stringify(rest, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
    }
  }
  return rows.sort();
}

test('replay: unchanged config gives identical rows as a new version; a config change shows up as the next version, with history', { timeout: 300_000 }, async (t) => {
  const { stack, configFile } = await ingested(t, 'replay');
  const before = await stateOf(stack);
  assert.equal(before.status, 'complete');

  const dry = await runCli(['replay', 'orders', '--partition', HOUR, '--dry-run', '--json', '--config', configFile(ORDER_COLUMNS.filter((c) => c.name !== 'coupon'))]);
  assert.equal(dry.code, 0, dry.stderr);
  const plan = JSON.parse(dry.stdout) as { records_total: number; partitions: Array<{ files: number; version: number }> };
  assert.equal(plan.partitions[0]?.files, before.files.length);
  assert.ok(plan.records_total >= before.rows);
  assert.equal((await stateOf(stack)).version, before.version, 'a dry run changes nothing');

  const same = await runCli(['replay', 'orders', '--partition', HOUR, '--json', '--config', configFile(ORDER_COLUMNS.filter((c) => c.name !== 'coupon'))]);
  assert.equal(same.code, 0, same.stderr);
  const job = JSON.parse(same.stdout) as ReplayJob;
  assert.equal(job.status, 'succeeded');
  const replayed = await stateOf(stack);
  assert.equal(replayed.version, before.version + 1);
  assert.equal(replayed.versions.at(-1)?.reason, 'replay');
  assert.equal(replayed.versions.at(-1)?.replay_id, job.id);
  assert.deepEqual(await rowsOf(stack, replayed), await rowsOf(stack, before), 'identical rows');
  assert.ok(replayed.files.every((f) => !before.files.some((b) => b.key === f.key)), 'new files beside the old ones');
  const layout = new LakeLayout(stack.prefix);
  for (const f of before.files) {
    assert.equal(await stack.store.head(f.key), undefined, 'the old version left the Hive folder');
    assert.ok(await stack.store.head(layout.supersededFile(f.key)), 'the old version stays readable where it moved');
  }

  const withCoupon = await runCli(['replay', 'orders', '--partition', HOUR, '--json', '--config', configFile(ORDER_COLUMNS)]);
  assert.equal(withCoupon.code, 0, withCoupon.stderr);
  const changed = await stateOf(stack);
  assert.equal(changed.version, before.version + 2);
  assert.deepEqual(changed.versions.map((v) => v.reason), ['ingest', 'replay', 'replay']);
  const first = (await readParquetObject(stack.store, changed.files[0]?.key ?? '')).rows[0] ?? {};
  assert.ok('coupon' in first, 'the new column is in the new version');
  const changes: string[] = [];
  for await (const o of (await import('../../src/storage/object-store.js')).listAll(stack.store, `${stack.prefix}_tukang/datasets/orders/changes/`)) changes.push(o.key);
  assert.ok(changes.some((k) => k.endsWith(`-v${String(changed.version).padStart(6, '0')}.json`)), 'loaders see the new version in the change log');
});

test('replay refusals: an open partition, a concurrent replay, and offsets Kafka no longer holds; nothing changes', { timeout: 300_000 }, async (t) => {
  const { stack, topic, configFile } = await ingested(t, 'replay-refuse');
  const file = configFile(ORDER_COLUMNS);
  const before = await stateOf(stack);

  const open = await runCli(['replay', 'orders', '--partition', '2026-11-21T09', '--config', file]);
  assert.equal(open.code, 1);
  assert.match(open.stderr, /REPLAY_PARTITION_OPEN|REPLAY_REFUSED/);

  const replays = new ReplayStore(stack.store, new LakeLayout(stack.prefix));
  await replays.lockAll('orders', [PATH], 'another-job');
  const busy = await runCli(['replay', 'orders', '--partition', HOUR, '--config', file]);
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, /being replayed by job another-job \[REPLAY_CONFLICT\]/);
  await replays.unlock('orders', PATH, 'another-job');

  // Retention: drop the first records of every partition.
  const admin = createKafka(stack.config.kafka, silentLogger()).admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.deleteTopicRecords({ topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: '50' })) });
  await admin.disconnect();
  const gone = await runCli(['replay', 'orders', '--partition', HOUR, '--config', file]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /no longer holds every offset to replay: partition \d+ offsets \d+-\d+ \(Kafka holds 50-\d+\)/);
  assert.match(gone.stderr, /REPLAY_OFFSETS_GONE/);
  assert.equal((await stateOf(stack)).version, before.version);
});

test('replay killed midway: the old version stays intact; the next replay marks the old job failed and finishes', { timeout: 300_000 }, async (t) => {
  const { stack, configFile } = await ingested(t, 'replay-kill');
  const file = configFile(ORDER_COLUMNS);
  const before = await stateOf(stack);
  const layout = new LakeLayout(stack.prefix);
  const lockKey = `${layout.metaRoot('orders')}partitions/${PATH}/replay.lock`;

  const doomed = startCli(['replay', 'orders', '--partition', HOUR, '--config', file]);
  await until(async () => (await stack.store.head(lockKey)) !== undefined || doomed.child.exitCode !== null, 60_000, () => doomed.output());
  doomed.child.kill('SIGKILL');
  await new Promise((resolve) => (doomed.child.exitCode !== null ? resolve(null) : doomed.child.once('exit', resolve)));

  const intact = await stateOf(stack);
  if (intact.version === before.version) {
    assert.deepEqual(await rowsOf(stack, intact), await rowsOf(stack, before), 'the old version is intact and readable');
  } else {
    // The kill came after the switch: then the switch was whole.
    assert.equal(intact.version, before.version + 1);
  }

  const again = await runCli(['replay', 'orders', '--partition', HOUR, '--json', '--config', file]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as ReplayJob).status, 'succeeded');
  const jobs = await new ReplayStore(stack.store, layout).listJobs();
  assert.ok(jobs.every((j) => j.status !== 'running'), 'no job is left running');
  const commitLog = new CommitLog(stack.store, layout, stack.config.s3.bucket);
  assert.equal((await commitLog.readPartition('orders', PATH))?.value.status, 'complete');
});

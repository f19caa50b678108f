import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PartitionManifest } from '../../src/lake/metadata-types.js';
import { LINEAGE_COLUMNS } from '../../src/core/records.js';
import { sampleOrderEvents, type SampleRecord } from '../../src/sample/order-events.js';
import { getJson, listAll } from '../../src/storage/object-store.js';
import type { DeadLetter } from '../../src/writing/dead-letter-batch.js';
import { readLake } from '../helpers/lake-reader.js';
import { committedOffsets, endOffsets, ordersConfig, produce, startMaterializer, until } from '../helpers/pipeline-harness.js';
import { realStack, uniqueName } from '../helpers/real-stack.js';

const EVENTS = Number(process.env['TUKANG_E2E_EVENTS'] ?? 100_000);
const START = Date.UTC(2026, 10, 21, 6, 0, 0);
const STEP_MS = 200; // 100,000 events span 5.6 hours of event time
const OOO_MS = 30_000;
const LATENESS_MS = 60_000;

function hourPath(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `event_date=${iso.slice(0, 10)}/event_hour=${iso.slice(11, 13)}`;
}

test(`end to end: ${EVENTS} events over 8 partitions land as clean, ordered, complete Parquet partitions`, { timeout: 600_000 }, async (t) => {
  const stack = await realStack(t, 'e2e');
  const topic = await stack.createTopic(8, 'e2e-orders');
  const config = ordersConfig(topic, stack.prefix, uniqueName('e2e-group'));

  const produced: SampleRecord[] = [...sampleOrderEvents({ count: EVENTS, startMs: START, stepMs: STEP_MS, duplicateRate: 0.01, disorderMs: 20_000, badRate: 0.002, seed: 7 })];
  const sent = await produce(config, topic, produced);
  const valid = produced.filter((r) => r.eventId !== null && !r.duplicate);
  const bad = produced.filter((r) => r.eventId === null);
  const duplicates = produced.filter((r) => r.duplicate).length;

  const run = await startMaterializer(config, stack.store);
  t.after(() => run.stop());
  const started = Date.now();
  await until(() => run.pipeline.counters.consumed === sent, 300_000, () => `consumed ${run.pipeline.counters.consumed} of ${sent}`);

  // Every partition that all source partitions have flushed past must become complete.
  const maxEventTime = Math.max(...valid.map((r) => r.eventTimeMs ?? 0));
  const expectComplete = new Set(valid.map((r) => hourPath(r.eventTimeMs ?? 0)).filter((p) => Date.parse(`${p.slice(11, 21)}T${p.slice(-2)}:00:00Z`) + 3_600_000 + LATENESS_MS <= maxEventTime - OOO_MS));
  await until(() => run.pipeline.counters.partitionsCompleted >= expectComplete.size && run.pipeline.bufferedBytes() === 0, 120_000, () => `completed ${run.pipeline.counters.partitionsCompleted} of ${expectComplete.size}`);
  const elapsed = (Date.now() - started) / 1000;
  t.diagnostic(`materialized ${sent} records in ${elapsed.toFixed(1)} s (${Math.round(sent / elapsed)} records/s including start-up)`);
  const ends = await endOffsets(config, topic);
  await until(async () => {
    const committed = await committedOffsets(config, topic);
    return [...ends].every(([p, end]) => committed.get(p) === end);
  }, 30_000, () => 'offsets committed to the end of every partition');
  await run.stop();

  const lake = await readLake(stack.store, stack.prefix, 'orders');
  const rows = lake.flatMap((p) => p.files.flatMap((f) => f.rows.map((row) => ({ row, path: p.state.partition_path, file: f.key }))));

  // Nothing lost, nothing doubled: one row per distinct event id, one per source coordinate.
  assert.equal(rows.length, valid.length, 'rows = distinct valid event ids');
  const ids = new Set(rows.map((r) => r.row[LINEAGE_COLUMNS.eventId]));
  assert.equal(ids.size, rows.length, 'no event id twice');
  assert.deepEqual([...ids].sort(), valid.map((r) => r.eventId).sort());
  const coordinates = new Set(rows.map((r) => `${String(r.row[LINEAGE_COLUMNS.partition])}/${String(r.row[LINEAGE_COLUMNS.offset])}`));
  assert.equal(coordinates.size, rows.length, 'no source record twice');
  assert.equal(run.pipeline.counters.duplicates, duplicates);
  assert.equal(run.pipeline.counters.rejected, bad.length);

  // Values survive: each row is the event with its id.
  const byId = new Map(valid.map((r) => [r.eventId, JSON.parse(r.value) as Record<string, unknown>]));
  for (const { row } of rows.slice(0, 2000)) {
    const event = byId.get(row[LINEAGE_COLUMNS.eventId] as string) ?? {};
    for (const column of ['order_id', 'customer_id', 'status', 'amount', 'currency', 'items', 'coupon']) assert.equal(row[column], event[column], column);
  }

  // Partition paths match event times; partition keys are not repeated in the files.
  for (const { row, path } of rows) assert.equal(hourPath((row[LINEAGE_COLUMNS.eventTime] as Date).getTime()), path);
  assert.ok(!('event_date' in (rows[0]?.row ?? {})));

  // Order inside every file: event time, ties by source offset (one source partition per file).
  for (const partition of lake) {
    for (const file of partition.files) {
      for (let i = 1; i < file.rows.length; i++) {
        const a = file.rows[i - 1] ?? {};
        const b = file.rows[i] ?? {};
        const ta = (a[LINEAGE_COLUMNS.eventTime] as Date).getTime();
        const tb = (b[LINEAGE_COLUMNS.eventTime] as Date).getTime();
        assert.ok(ta < tb || (ta === tb && (a[LINEAGE_COLUMNS.offset] as bigint) < (b[LINEAGE_COLUMNS.offset] as bigint)), `${file.key} row ${i} out of order`);
      }
      const eventTime = file.metadata.schema.find((e) => e.name === LINEAGE_COLUMNS.eventTime);
      assert.deepEqual(eventTime?.logical_type, { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' });
      assert.equal(file.metadata.row_groups[0]?.columns[0]?.meta_data?.codec, 'ZSTD');
    }
  }

  // Completeness: manifests in the Redshift COPY shape and _SUCCESS markers for complete partitions only.
  const complete = lake.filter((p) => p.state.status === 'complete');
  assert.deepEqual(new Set(complete.map((p) => p.state.partition_path)), expectComplete);
  for (const p of lake) {
    const marker = await stack.store.head(`${stack.prefix}orders/${p.state.partition_path}/_SUCCESS`);
    assert.equal(marker !== undefined, p.state.status === 'complete', `_SUCCESS of ${p.state.partition_path}`);
    assert.equal(p.state.rows, p.files.reduce((n, f) => n + f.rows.length, 0));
  }
  for (const p of complete) {
    const manifestKey = p.state.versions.at(-1)?.manifest ?? '';
    const manifest = (await getJson<PartitionManifest>(stack.store, manifestKey))?.value;
    assert.equal(manifest?.entries.length, p.files.length);
    for (const entry of manifest?.entries ?? []) {
      assert.equal(entry.mandatory, true);
      const key = entry.url.replace(`s3://${stack.config.s3.bucket}/`, '');
      assert.equal((await stack.store.head(key))?.size, entry.meta.content_length);
    }
  }

  // Dead letters: every bad record with its original bytes, coordinates and a reason.
  const letters: DeadLetter[] = [];
  for await (const object of listAll(stack.store, `${stack.prefix}_tukang/dead-letters/orders/`)) {
    const body = Buffer.from((await stack.store.get(object.key))?.body ?? []).toString('utf8');
    for (const line of body.split('\n').filter(Boolean)) letters.push(JSON.parse(line) as DeadLetter);
  }
  assert.equal(letters.length, bad.length);
  assert.deepEqual(
    letters.map((l) => Buffer.from(l.value_base64 ?? '', 'base64').toString('utf8')).sort(),
    bad.map((r) => r.value).sort(),
  );
  assert.deepEqual(new Set(letters.map((l) => l.reason)), new Set(['bad_json', 'missing_event_id', 'schema_violation', 'bad_event_time']));
});

test('late data after completion makes a new partition version, recorded with its reason; never a silent change', { timeout: 300_000 }, async (t) => {
  const stack = await realStack(t, 'late');
  const topic = await stack.createTopic(2, 'late-orders');
  const config = ordersConfig(topic, stack.prefix, uniqueName('late-group'));
  const first = [...sampleOrderEvents({ count: 4000, startMs: START, stepMs: 3_000, duplicateRate: 0, disorderMs: 0, seed: 11 })];
  await produce(config, topic, first);
  const run = await startMaterializer(config, stack.store);
  t.after(() => run.stop());
  await until(() => run.pipeline.counters.partitionsCompleted >= 2, 120_000, () => `completed ${run.pipeline.counters.partitionsCompleted}`);
  const before = await readLake(stack.store, stack.prefix, 'orders');
  const target = before.find((p) => p.state.partition_path === hourPath(START));
  assert.equal(target?.state.status, 'complete');
  assert.equal(target?.state.version, 1);

  // Ten events for the first hour, arriving long after it was complete; one of them twice.
  const late = [...sampleOrderEvents({ count: 10, startMs: START + 60_000, stepMs: 1_000, duplicateRate: 0, disorderMs: 0, seed: 12 })].map((r, i) => ({
    ...r,
    value: r.value.replace(/00000000-0000-4000-8000-/, 'late0000-0000-4000-8000-').replace(`"o-${i}"`, `"late-${i}"`),
  }));
  await produce(config, topic, [...late, late[0] as SampleRecord]);
  await until(async () => {
    const lake = await readLake(stack.store, stack.prefix, 'orders');
    return (lake.find((p) => p.state.partition_path === hourPath(START))?.state.late_rows ?? 0) === 10;
  }, 60_000, () => 'the late rows to be committed');
  await run.stop();

  const after = (await readLake(stack.store, stack.prefix, 'orders')).find((p) => p.state.partition_path === hourPath(START));
  assert.ok(after);
  assert.equal(after.state.status, 'complete');
  assert.ok(after.state.version >= 2);
  assert.equal(after.state.rows, (target?.state.rows ?? 0) + 10);
  assert.deepEqual(after.state.versions.slice(1).map((v) => v.reason), after.state.versions.slice(1).map(() => 'late_data'));
  const v1 = (await getJson<PartitionManifest>(stack.store, after.state.versions[0]?.manifest ?? ''))?.value;
  assert.equal(v1?.rows, target?.state.rows, 'the version-1 manifest is unchanged');
  const changes: string[] = [];
  for await (const o of listAll(stack.store, `${stack.prefix}_tukang/datasets/orders/changes/`)) changes.push(o.key);
  assert.ok(changes.some((k) => k.includes(hourPath(START).replace('/', '+')) && k.endsWith('-v000002.json')), 'a change record for version 2');
  const lateIds = new Set(after.files.filter((f) => after.state.files.find((s) => s.key === f.key)?.late).flatMap((f) => f.rows.map((r) => r[LINEAGE_COLUMNS.eventId])));
  assert.equal(lateIds.size, 10);
});

test('determinism: the same offsets and config give the same rows in the same order', { timeout: 300_000 }, async (t) => {
  const stack = await realStack(t, 'determinism');
  const topic = await stack.createTopic(4, 'det-orders');
  const records = [...sampleOrderEvents({ count: 20_000, startMs: START, stepMs: 500, duplicateRate: 0.02, disorderMs: 20_000, badRate: 0.001, seed: 3 })];
  const sent = await produce(ordersConfig(topic, stack.prefix, 'unused'), topic, records);

  const snapshots: string[][] = [];
  for (const run of ['a', 'b']) {
    const config = ordersConfig(topic, `${stack.prefix}${run}/`, uniqueName(`det-${run}`));
    const m = await startMaterializer(config, stack.store);
    await until(() => m.pipeline.counters.consumed === sent, 120_000, () => `run ${run}: consumed ${m.pipeline.counters.consumed}`);
    await until(() => m.pipeline.bufferedBytes() === 0, 60_000, () => `run ${run}: buffers drained`);
    await m.stop();
    const lake = await readLake(stack.store, `${stack.prefix}${run}/`, 'orders');
    snapshots.push(
      lake.map((p) => {
        const ordered = p.files
          .flatMap((f) => f.rows)
          .map((r): Record<string, unknown> => ({ ...r, [LINEAGE_COLUMNS.receivedAt]: null }))
          .sort((x, y) => (x[LINEAGE_COLUMNS.eventTime] as Date).getTime() - (y[LINEAGE_COLUMNS.eventTime] as Date).getTime() || Number(x[LINEAGE_COLUMNS.partition]) - Number(y[LINEAGE_COLUMNS.partition]) || Number((x[LINEAGE_COLUMNS.offset] as bigint) - (y[LINEAGE_COLUMNS.offset] as bigint)));
        return `${p.state.partition_path}:${JSON.stringify(ordered, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`;
      }),
    );
  }
  assert.equal(snapshots[0]?.length, snapshots[1]?.length);
  assert.ok((snapshots[0]?.length ?? 0) >= 3);
  assert.deepEqual(snapshots[0], snapshots[1]);
});

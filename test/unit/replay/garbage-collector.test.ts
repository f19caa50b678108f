import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PartitionManifest, PartitionState, PartitionVersion } from '../../../src/lake/metadata-types.js';
import { planGc, type PartitionHistory } from '../../../src/replay/garbage-collector.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1);
const PATH = 'event_date=2026-11-21/event_hour=10';
const OPTIONS = { bucket: 'lake', dataRoot: (d: string) => `${d}/`, retentionMs: 7 * DAY, nowMs: NOW };

function key(name: string): string {
  return `orders/${PATH}/${name}.parquet`;
}

function manifest(version: number, files: string[]): PartitionManifest {
  return { dataset: 'orders', partition_path: PATH, version, status: 'complete', rows: files.length, created_at: '', entries: files.map((f) => ({ url: `s3://lake/${key(f)}`, mandatory: true, meta: { content_length: 10, record_count: 1 } })) };
}

/** A partition whose versions were created `ages` days ago (oldest first), the last one current with `current` files. */
function history(ages: number[], manifests: PartitionManifest[], current: string[]): PartitionHistory {
  const versions: PartitionVersion[] = ages.map((age, i) => ({ version: i + 1, reason: i === 0 ? 'ingest' : 'replay', created_at: new Date(NOW - age * DAY).toISOString(), completed_at: null, files: 0, rows: 0, manifest: null }));
  const state = { dataset: 'orders', partition_path: PATH, version: ages.length, versions, files: current.map((f) => ({ key: key(f) })), updated_at: new Date(NOW).toISOString() } as unknown as PartitionState;
  return { state, manifests };
}

test('gc keeps the current files, keeps superseded files within the retention, deletes only those superseded longer ago', () => {
  // v1 (a, b) replaced 10 days ago by v2 (c); v2 replaced 2 days ago by v3 (c kept, d new).
  const plan = planGc([history([20, 10, 2], [manifest(1, ['a', 'b']), manifest(2, ['c'])], ['c', 'd'])], OPTIONS);
  assert.deepEqual(plan.delete.map((f) => f.key), [key('a'), key('b')]);
  assert.equal(plan.delete[0]?.superseded_at, new Date(NOW - 10 * DAY).toISOString());
  assert.deepEqual(plan.retained, []);

  // Replaced only 3 days ago: kept.
  const recent = planGc([history([20, 3], [manifest(1, ['a'])], ['b'])], OPTIONS);
  assert.deepEqual(recent.delete, []);
  assert.deepEqual(recent.retained.map((f) => f.key), [key('a')]);
});

test('gc never deletes a file the current version references, nor anything outside the dataset prefix or bucket', () => {
  const foreign = manifest(1, ['a']);
  foreign.entries.push({ url: 's3://other-bucket/orders/x.parquet', mandatory: true, meta: { content_length: 1, record_count: 1 } });
  foreign.entries.push({ url: 's3://lake/_tukang/datasets/orders/dataset.json', mandatory: true, meta: { content_length: 1, record_count: 1 } });
  const plan = planGc([history([30, 20], [foreign], ['a'])], OPTIONS);
  assert.deepEqual(plan.delete, []);
  assert.deepEqual(plan.retained, []);
});

test('gc dates a file by the first later version whose manifest it is missing from; an unread manifest errs towards keeping', () => {
  // a is in v1 and v2; v3 (2 days ago) drops it: kept, although v2 is 10 days old.
  const plan = planGc([history([20, 10, 2], [manifest(1, ['a']), manifest(2, ['a'])], ['b'])], OPTIONS);
  assert.deepEqual(plan.delete, []);
  assert.deepEqual(plan.retained.map((f) => [f.key, f.last_version]), [[key('a'), 2]]);
  // v2's manifest is missing: a counts as superseded by v3 (2 days ago), not v2 (10 days ago).
  const gap = planGc([history([20, 10, 2], [manifest(1, ['a'])], ['b'])], OPTIONS);
  assert.deepEqual(gap.delete, []);
});

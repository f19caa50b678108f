import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTukangError } from '../../../src/errors/catalogue.js';
import { newPartitionState } from '../../../src/commit/partition-documents.js';
import { switchedState } from '../../../src/commit/version-switch.js';
import type { AccountedRange, FileCommit, PartitionState } from '../../../src/lake/metadata-types.js';

const PATH = 'event_date=2026-11-21/event_hour=10';
const NOW = '2026-11-22T00:00:00.000Z';

function file(name: string, rows: number, duplicates: number, min: string, max: string): FileCommit {
  return {
    dataset: 'orders', partition_path: PATH, key: `orders/${PATH}/${name}.parquet`, uri: `s3://lake/orders/${PATH}/${name}.parquet`, bytes: rows * 10, rows, sha256: name,
    min_event_at: min, max_event_at: max, source: { topic: 'orders', partition: 0, first_offset: 0, last_offset: rows - 1 }, schema_version: 'v1', duplicates, late: false, committed_at: NOW,
  };
}

function accounted(partition: number, first: number, last: number, duplicates: number): AccountedRange {
  return { dataset: 'orders', partition_path: PATH, source: { topic: 'orders', partition, first_offset: first, last_offset: last }, duplicates, committed_at: NOW };
}

function stateAtVersion1(): PartitionState {
  const state = newPartitionState('orders', PATH, '2026-11-21T11:00:00.000Z');
  return { ...state, version: 1, status: 'complete', late_rows: 4, files: [file('old', 10, 0, '2026-11-21T10:00:00.000Z', '2026-11-21T10:59:00.000Z')], rows: 10, accounted_ranges: [accounted(0, 20, 29, 3), accounted(1, 5, 9, 2)] };
}

const manifest = (v: number): string => `m/${v}`;

test('a switch makes version n+1 of the given files, totals recomputed, with its manifest', () => {
  const files = [file('a', 6, 1, '2026-11-21T10:05:00.000Z', '2026-11-21T10:30:00.000Z'), file('b', 4, 0, '2026-11-21T10:01:00.000Z', '2026-11-21T10:58:00.000Z')];
  const next = switchedState(stateAtVersion1(), { expectedVersion: 1, files, replayId: 'r1', reason: 'replay', replayed: [{ partition: 0, first: 0, last: 40 }], manifest }, NOW);
  assert.deepEqual(
    { version: next.version, rows: next.rows, bytes: next.bytes, min: next.min_event_at, max: next.max_event_at, late: next.late_rows, accounted: next.accounted_ranges?.map((a) => a.source.partition) },
    { version: 2, rows: 10, bytes: 100, min: '2026-11-21T10:01:00.000Z', max: '2026-11-21T10:58:00.000Z', late: 0, accounted: [1] },
  );
  assert.equal(next.duplicates, 1 + 2, "the files' duplicates plus those of the accounted range kept");
  assert.deepEqual(next.versions.at(-1), { version: 2, reason: 'replay', replay_id: 'r1', created_at: NOW, completed_at: NOW, files: 2, rows: 10, manifest: 'm/2' });
});

test('a compaction keeps every accounted range and the late-row count, and records no replay id', () => {
  const next = switchedState(stateAtVersion1(), { expectedVersion: 1, files: [file('c', 10, 0, '2026-11-21T10:00:00.000Z', '2026-11-21T10:59:00.000Z')], replayId: 'job', reason: 'compaction', manifest }, NOW);
  assert.equal(next.accounted_ranges?.length, 2);
  assert.equal(next.late_rows, 4);
  assert.equal(next.duplicates, 5);
  assert.equal('replay_id' in (next.versions.at(-1) ?? {}), false);
});

test('a partition that moved on since the plan refuses the switch (REPLAY_CONFLICT)', () => {
  assert.throws(
    () => switchedState(stateAtVersion1(), { expectedVersion: 0, files: [], replayId: 'r', reason: 'replay', manifest }, NOW),
    (err: unknown) => isTukangError(err, 'REPLAY_CONFLICT') && /from version 0 to 1/.test(err.message),
  );
});

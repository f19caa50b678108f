import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partitionPath, partitionStart } from '../../../src/cleansing/time-partition.js';
import { escapePathName as escapeHiveValue, partitionBounds, partitionValues } from '../../../src/lake/hive-path.js';
import { LakeLayout, offsetsFromKey } from '../../../src/lake/lake-layout.js';

test('event times map to UTC hour and day partitions with Hive paths', () => {
  const t = Date.parse('2026-11-21T10:59:59.999Z');
  assert.equal(partitionPath(partitionStart(t, 'hour'), 'hour'), 'event_date=2026-11-21/event_hour=10');
  assert.equal(partitionPath(partitionStart(t + 1, 'hour'), 'hour'), 'event_date=2026-11-21/event_hour=11', 'window edge: the next millisecond is the next hour');
  assert.equal(partitionPath(partitionStart(t, 'day'), 'day'), 'event_date=2026-11-21');
  assert.equal(partitionPath(partitionStart(Date.parse('2026-11-21T23:30:00+07:00'), 'hour'), 'hour'), 'event_date=2026-11-21/event_hour=16', 'offsets are converted to UTC');
  assert.equal(
    partitionPath(partitionStart(t, 'hour'), 'hour', [{ name: 'event_type', value: 'order/paid' }]),
    'event_date=2026-11-21/event_hour=10/event_type=order%2Fpaid',
  );
  assert.equal(escapeHiveValue(''), '__HIVE_DEFAULT_PARTITION__');
});

test('partition paths parse back to values and bounds', () => {
  assert.deepEqual(partitionValues('event_date=2026-11-21/event_hour=10/kind=a%2Fb'), { event_date: '2026-11-21', event_hour: '10', kind: 'a/b' });
  assert.deepEqual(partitionBounds('event_date=2026-11-21/event_hour=10'), { startMs: Date.parse('2026-11-21T10:00:00Z'), endMs: Date.parse('2026-11-21T11:00:00Z') });
  assert.deepEqual(partitionBounds('event_date=2026-11-21'), { startMs: Date.parse('2026-11-21T00:00:00Z'), endMs: Date.parse('2026-11-22T00:00:00Z') });
});

test('object keys sort by offset and carry their offsets', () => {
  const layout = new LakeLayout('lake/');
  const a = layout.commitRecord('orders', 'topic.a', 3, 99, 10, 'event_date=2026-11-21/event_hour=10');
  const b = layout.commitRecord('orders', 'topic.a', 3, 1000, 100, 'event_date=2026-11-21/event_hour=09');
  assert.ok(a < b, 'lexicographic order is offset order');
  assert.deepEqual(offsetsFromKey(a), { last: 99, first: 10 });
  assert.equal(
    layout.dataFile('orders', 'event_date=2026-11-21/event_hour=10', 'topic.a', 3, 42, 99, 'abcdef0123456789', '.zstd.parquet'),
    'lake/orders/event_date=2026-11-21/event_hour=10/part-topic.a-00003-00000000000000000042-00000000000000000099-abcdef01.zstd.parquet',
  );
  assert.ok(layout.partitionState('orders', 'event_date=2026-11-21').startsWith('lake/_tukang/'), 'metadata sits under a prefix engines skip');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { datasetSchema } from '../../../src/config/schema.js';
import type { SourceRecord } from '../../../src/core/records.js';
import { createDecoder } from '../../../src/cleansing/decode.js';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';

const NOW = Date.UTC(2026, 0, 15, 12);
const DAY = 86_400_000;

const dataset = datasetSchema.parse({
  name: 'pings',
  topic: 'pings',
  envelope: { type: 'json', id_path: 'id', time_path: 'at' },
  schema: { columns: [{ name: 'n', type: 'int32' }], unknown_fields: 'reject' },
  limits: { max_past: '2d', max_future: '1h' },
});

function record(value: unknown): SourceRecord {
  return { topic: 'pings', partition: 0, offset: 0, timestampMs: NOW, key: null, value: Buffer.from(JSON.stringify(value)) };
}

test('the event-time bounds are inclusive and measured from the clock', () => {
  const decode = createDecoder(dataset, resolveSchema(dataset), () => NOW);
  const reason = (at: number): string => {
    const result = decode(record({ id: 'x', at, n: 1 }));
    return result.ok ? 'ok' : result.reason;
  };
  assert.equal(reason(NOW - 2 * DAY), 'ok');
  assert.equal(reason(NOW - 2 * DAY - 1), 'event_time_out_of_bounds');
  assert.equal(reason(NOW + 3_600_000), 'ok');
  assert.equal(reason(NOW + 3_600_001), 'event_time_out_of_bounds');
});

test('the clock is read per record, so a long-running decoder keeps up with time', () => {
  let now = NOW;
  const decode = createDecoder(dataset, resolveSchema(dataset), () => now);
  const event = record({ id: 'x', at: NOW + 2 * 3_600_000, n: 1 });
  assert.equal(decode(event).ok, false);
  now += 3_600_000;
  assert.equal(decode(event).ok, true);
});

test('a decoded event carries id, time, values and partition values', () => {
  const decode = createDecoder(dataset, resolveSchema(dataset), () => NOW);
  assert.deepEqual(decode(record({ id: 7, at: '2026-01-15T11:00:00+01:00', n: 3 })), {
    ok: true,
    event: { eventId: '7', eventTimeMs: NOW - 2 * 3_600_000, values: [3], partitionValues: [] },
  });
});

test('rejections come cheapest check first', () => {
  const small = datasetSchema.parse({ ...dataset, limits: { max_record_bytes: 64 } });
  const decode = createDecoder(small, resolveSchema(small), () => NOW);
  const huge = Buffer.concat([Buffer.from([0xff]), Buffer.alloc(100, 0x20)]);
  const result = decode({ ...record({}), value: huge });
  assert.deepEqual(result.ok ? 'ok' : result.reason, 'too_large', 'too large wins over not UTF-8');
});

test('a malformed time path is a configuration error', () => {
  const bad = datasetSchema.parse({ ...dataset, envelope: { type: 'json', id_path: 'id', time_path: 'a..b' } });
  assert.throws(() => createDecoder(bad, resolveSchema(bad)), /time_path/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseConfig } from '../../../src/config/load.js';
import { createDecoder } from '../../../src/cleansing/decode.js';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';
import { REJECT_REASONS, type DecodeResult, type SourceRecord } from '../../../src/core/records.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const RUNS = Number(process.env['TUKANG_FUZZ_RUNS'] ?? 3_000);

const datasets = parseConfig({
  datasets: (['nakadi', 'cloudevents', 'debezium'] as const)
    .map((type): Record<string, unknown> => ({
      name: `fuzz_${type}`,
      topic: type,
      envelope: { type },
      schema: {
        columns: [
          { name: 'order_id', type: 'string', nullable: false },
          { name: 'amount', type: 'float64' },
          { name: 'items', type: 'int32' },
          { name: 'big', type: 'int64' },
          { name: 'paid_at', type: 'timestamp' },
          { name: 'day', type: 'date' },
          { name: 'tags', type: 'list', items: { name: 'tag', type: 'string' } },
          { name: 'address', type: 'struct', fields: [{ name: 'city', type: 'string' }] },
        ],
        unknown_fields: 'reject',
      },
      limits: { max_record_bytes: 4096 },
    }))
    .concat([
      {
        name: 'fuzz_json',
        topic: 'json',
        envelope: { type: 'json', id_path: 'id', time_path: 'meta.at', time_fallback: 'kafka_timestamp' },
        schema: { columns: [{ name: 'id', type: 'string', nullable: false }], unknown_fields: 'keep_json' },
        limits: { max_record_bytes: 4096 },
      },
    ]),
}).datasets;

const decoders = datasets.map((d) => ({ name: d.name, decode: createDecoder(d, resolveSchema(d), () => NOW) }));

function recordOf(value: Buffer | null): SourceRecord {
  return { topic: 't', partition: 0, offset: 1, timestampMs: NOW, key: null, value };
}

function checkResult(result: DecodeResult): void {
  if (result.ok) {
    assert.equal(typeof result.event.eventId, 'string');
    assert.ok(result.event.eventId.length > 0);
    assert.ok(Number.isFinite(result.event.eventTimeMs));
  } else {
    assert.ok((REJECT_REASONS as readonly string[]).includes(result.reason), result.reason);
    assert.equal(typeof result.message, 'string');
    assert.ok(result.message.length > 0);
  }
}

/** Event-shaped JSON with random values in every slot: wrong types, nulls, odd strings, deep nesting. */
const anyJson = fc.jsonValue({ maxDepth: 4 });
const eventLike = fc.record(
  {
    metadata: fc.oneof(fc.record({ eid: fc.oneof(fc.uuid(), anyJson), occurred_at: fc.oneof(fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString())), fc.string(), anyJson) }, { requiredKeys: [] }), anyJson),
    specversion: fc.constant('1.0'),
    id: anyJson,
    source: anyJson,
    time: fc.oneof(fc.date().map((d) => (Number.isNaN(d.getTime()) ? '' : d.toISOString())), anyJson),
    data: fc.oneof(anyJson, fc.record({ order_id: anyJson, amount: anyJson, items: anyJson, big: anyJson, paid_at: anyJson, day: anyJson, tags: anyJson, address: anyJson })),
    payload: fc.record({ op: fc.constantFrom('c', 'u', 'd', 'r', 'x'), after: anyJson, before: anyJson, source: fc.record({ ts_ms: anyJson, lsn: anyJson }) }, { requiredKeys: [] }),
    order_id: anyJson,
    amount: anyJson,
    items: anyJson,
    big: anyJson,
    paid_at: anyJson,
    tags: anyJson,
    meta: fc.record({ at: anyJson }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

test('fuzz: random bytes never crash a decoder; each gets a valid result or a catalogued reason', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      for (const { decode } of decoders) checkResult(decode(recordOf(Buffer.from(bytes))));
    }),
    { numRuns: RUNS },
  );
});

test('fuzz: event-shaped JSON with wrong types, nulls and odd times never crashes a decoder', () => {
  fc.assert(
    fc.property(eventLike, (event) => {
      for (const { decode } of decoders) checkResult(decode(recordOf(Buffer.from(JSON.stringify(event)))));
    }),
    { numRuns: RUNS },
  );
});

test('fuzz: truncated, oversized, empty and non-UTF-8 records are rejected with their reason', () => {
  const valid = JSON.stringify({ metadata: { eid: 'e-1', occurred_at: '2026-11-21T10:00:00Z' }, order_id: 'o-1' });
  fc.assert(
    fc.property(fc.integer({ min: 1, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }), (cut, byte) => {
      const nakadi = decoders[0]!.decode;
      const truncated = nakadi(recordOf(Buffer.from(valid.slice(0, cut))));
      assert.equal(truncated.ok, false);
      const invalidUtf8 = Buffer.concat([Buffer.from(valid.slice(0, cut)), Buffer.from([0xc3, byte & 0x3f])]);
      const r = nakadi(recordOf(invalidUtf8));
      assert.equal(r.ok, false);
    }),
    { numRuns: Math.min(RUNS, 500) },
  );
  const nakadi = decoders[0]!.decode;
  assert.deepEqual(pick(nakadi(recordOf(Buffer.alloc(5000, 0x20)))), 'too_large');
  assert.deepEqual(pick(nakadi(recordOf(Buffer.alloc(0)))), 'empty_record');
  assert.deepEqual(pick(nakadi(recordOf(null))), 'empty_record');
  assert.deepEqual(pick(nakadi(recordOf(Buffer.from([0xff, 0xfe, 0x7b])))), 'not_utf8');
  const far = (at: string): string => JSON.stringify({ metadata: { eid: 'e-1', occurred_at: at }, order_id: 'o-1' });
  assert.deepEqual(pick(nakadi(recordOf(Buffer.from(far('1999-01-01T00:00:00Z'))))), 'event_time_out_of_bounds');
  assert.deepEqual(pick(nakadi(recordOf(Buffer.from(far('2030-01-01T00:00:00Z'))))), 'event_time_out_of_bounds');
});

function pick(result: DecodeResult): string {
  return result.ok ? 'ok' : result.reason;
}

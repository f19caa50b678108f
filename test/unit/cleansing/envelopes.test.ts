import assert from 'node:assert/strict';
import { test } from 'node:test';
import { datasetSchema } from '../../../src/config/schema.js';
import type { SourceRecord } from '../../../src/core/records.js';
import { createDecoder } from '../../../src/cleansing/decode.js';
import { decodeDebezium } from '../../../src/cleansing/envelopes/debezium.js';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';

const NOW = Date.UTC(2026, 0, 15, 12);
const RECORD: SourceRecord = { topic: 't', partition: 3, offset: 41, timestampMs: NOW, key: null, value: null };

test('a Nakadi column may read the metadata, which is never an unknown field', () => {
  const dataset = datasetSchema.parse({
    name: 'orders',
    topic: 'orders',
    envelope: { type: 'nakadi' },
    schema: { columns: [{ name: 'flow_id', type: 'string', path: 'metadata.flow_id' }, { name: 'id', type: 'string' }], unknown_fields: 'reject' },
  });
  const decode = createDecoder(dataset, resolveSchema(dataset), () => NOW);
  const value = Buffer.from(JSON.stringify({ metadata: { eid: 'e', occurred_at: '2026-01-15T11:00:00Z', flow_id: 'f-1', partition: '0' }, id: 'o' }));
  const result = decode({ ...RECORD, value });
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(result.event.values, ['f-1', 'o']);
});

test('Debezium ids from the same position differ by operation, and snapshot rows by Kafka offset', () => {
  const change = (op: string, lsn: number): Record<string, unknown> => ({
    op,
    before: { id: 1 },
    after: op === 'd' ? null : { id: 2 },
    source: { db: 'shop', table: 'accounts', lsn, ts_ms: NOW },
  });
  const ids = [change('d', 10), change('c', 10), change('r', 5)].map((event) => {
    const result = decodeDebezium(event, RECORD);
    assert.ok(result.ok);
    return result.eventId;
  });
  assert.deepEqual(ids, ['shop.accounts:10:d', 'shop.accounts:10:c', `shop.accounts:${NOW}@3/41:r`]);
});

/**
 * One test per directory under test/fixtures/cleansing/: dataset.json (a dataset config),
 * input.ndjson (one Kafka record per line) and expected.json (what resolving and decoding give).
 *
 * An input line: {"partition": 0, "offset": 1, "timestamp_ms": 1768478400000, and at most one of
 * "value" (any JSON, stringified), "value_text" (a string used as is), "value_base64" (raw bytes);
 * none of them means a null value (a tombstone)}. Any "note" member is ignored.
 *
 * expected.json: {"now"?: RFC 3339 clock (default below), "columns"?: resolved column names,
 * "partition_fields"?: names, "results": one per input line, either
 * {"eventId", "eventTimeMs", "values", "partitionValues"} with bigints as {"$bigint": "123"}, or
 * {"rejected": reason, "message"?: a substring the message must contain}}.
 *
 * Run with UPDATE_GOLDEN=1 to rewrite the results of expected.json from what the code does now;
 * review the diff before committing it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { datasetSchema } from '../../../src/config/schema.js';
import type { CellValue, DecodeResult, SourceRecord } from '../../../src/core/records.js';
import { createDecoder } from '../../../src/cleansing/decode.js';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';

// Tests run from dist/test/unit/cleansing/, four levels below the repository root.
const FIXTURES = new URL('../../../../test/fixtures/cleansing/', import.meta.url);
const DEFAULT_NOW = '2026-01-15T12:00:00Z';

interface InputLine {
  partition?: number;
  offset?: number;
  timestamp_ms?: number;
  key?: string;
  value?: unknown;
  value_text?: string;
  value_base64?: string;
}

interface Expected {
  now?: string;
  columns?: string[];
  partition_fields?: string[];
  results: unknown[];
}

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

test('golden fixtures are found next to the sources', () => {
  assert.ok(cases.length >= 10, `expected golden fixtures in ${FIXTURES.pathname}, found ${cases.length}`);
});

for (const name of cases) {
  test(`golden fixture ${name}`, () => {
    const dir = new URL(`${name}/`, FIXTURES);
    const dataset = datasetSchema.parse(readJson(new URL('dataset.json', dir)));
    const expectedFile = new URL('expected.json', dir);
    const expected = readJson(expectedFile) as Expected;
    const lines = readFileSync(new URL('input.ndjson', dir), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as InputLine);

    const schema = resolveSchema(dataset);
    if (expected.columns) assert.deepEqual(schema.columns.map((c) => c.name), expected.columns, 'resolved columns');
    if (expected.partition_fields) assert.deepEqual(schema.partitionFields.map((p) => p.name), expected.partition_fields, 'partition fields');

    const now = Date.parse(expected.now ?? DEFAULT_NOW);
    const decode = createDecoder(dataset, schema, () => now);
    const actual = lines.map((line, i) => toComparable(decode(toRecord(dataset.topic, line, i))));

    if (process.env['UPDATE_GOLDEN'] === '1') {
      writeFileSync(expectedFile, `${JSON.stringify({ ...expected, results: actual }, null, 2)}\n`);
      return;
    }

    assert.equal(actual.length, expected.results.length, 'one expected result per input line');
    actual.forEach((result, i) => {
      const want = expected.results[i] as Record<string, unknown>;
      const where = `${name}, input line ${i + 1}`;
      if (typeof want['rejected'] === 'string') {
        assert.equal(result['rejected'], want['rejected'], `${where}: ${JSON.stringify(result)}`);
        if (typeof want['message'] === 'string') assert.ok(String(result['message']).includes(want['message']), `${where}: message "${String(result['message'])}"`);
      } else {
        assert.deepEqual(result, want, where);
      }
    });
  });
}

function readJson(url: URL): unknown {
  return JSON.parse(readFileSync(url, 'utf8'));
}

function toRecord(topic: string, line: InputLine, index: number): SourceRecord {
  let value: Buffer | null = null;
  if (line.value_base64 !== undefined) value = Buffer.from(line.value_base64, 'base64');
  else if (line.value_text !== undefined) value = Buffer.from(line.value_text, 'utf8');
  else if (line.value !== undefined) value = Buffer.from(JSON.stringify(line.value), 'utf8');
  return {
    topic,
    partition: line.partition ?? 0,
    offset: line.offset ?? index,
    timestampMs: line.timestamp_ms ?? 0,
    key: line.key === undefined ? null : Buffer.from(line.key, 'utf8'),
    value,
  };
}

function toComparable(result: DecodeResult): Record<string, unknown> {
  if (!result.ok) return { rejected: result.reason, message: result.message };
  const { eventId, eventTimeMs, values, partitionValues } = result.event;
  return { eventId, eventTimeMs, values: values.map(toJsonCell), partitionValues };
}

function toJsonCell(value: CellValue): unknown {
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (Array.isArray(value)) return value.map(toJsonCell);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonCell(v)]));
  return value;
}

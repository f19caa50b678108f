import assert from 'node:assert/strict';
import { test } from 'node:test';
import { datasetSchema } from '../../../src/config/schema.js';
import type { ResolvedSchema } from '../../../src/core/resolved-schema.js';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';
import { compileValidator, validatePayload, type UnknownFieldsPolicy } from '../../../src/cleansing/validate.js';
import { isTukangError } from '../../../src/errors/catalogue.js';

function schemaOf(columns: unknown[], unknownFields: UnknownFieldsPolicy, partitionFields: string[] = []): ResolvedSchema {
  return resolveSchema(
    datasetSchema.parse({
      name: 'things',
      topic: 'things',
      envelope: { type: 'cloudevents' },
      schema: { columns, unknown_fields: unknownFields },
      partitioning: { fields: partitionFields },
    }),
  );
}

test('values come out in schema order, converted', () => {
  const schema = schemaOf(
    [
      { name: 'n', type: 'int64' },
      { name: 's', type: 'string' },
      { name: 'j', type: 'json' },
      { name: 't', type: 'timestamp' },
    ],
    'reject',
  );
  assert.deepEqual(validatePayload({ t: '1970-01-01T00:00:01Z', j: [1, { a: null }], s: 'x', n: '5' }, schema, 'reject'), {
    ok: true,
    values: [5n, 'x', '[1,{"a":null}]', 1000],
    partitionValues: [],
  });
});

test('a json column keeps any JSON value except null and a missing field, which are null', () => {
  const schema = schemaOf([{ name: 'j', type: 'json' }], 'ignore');
  const valueOf = (payload: Record<string, unknown>): unknown => {
    const result = validatePayload(payload, schema, 'ignore');
    assert.ok(result.ok);
    return result.values[0];
  };
  assert.equal(valueOf({ j: 'text' }), '"text"');
  assert.equal(valueOf({ j: false }), 'false');
  assert.equal(valueOf({ j: null }), null);
  assert.equal(valueOf({}), null);
});

test('names of Object.prototype members are read as ordinary fields', () => {
  const schema = schemaOf(
    [
      { name: 'constructor', type: 'string' },
      { name: 'proto', type: 'json', path: '__proto__' },
      { name: 'nested', type: 'string', path: 'a.toString' },
    ],
    'reject',
  );
  assert.deepEqual(validatePayload({ a: {} }, schema, 'reject'), { ok: true, values: [null, null, null], partitionValues: [] });
  const parsed = JSON.parse('{"constructor":"c","__proto__":{"x":1},"a":{"toString":"t"}}') as Record<string, unknown>;
  assert.deepEqual(validatePayload(parsed, schema, 'reject'), { ok: true, values: ['c', '{"x":1}', 't'], partitionValues: [] });
});

test('envelope keys are never unknown fields, but columns may read them', () => {
  const schema = schemaOf([{ name: 'a', type: 'string' }], 'reject');
  assert.equal(validatePayload({ a: 'x', op: 'c' }, schema, 'reject').ok, false);
  assert.deepEqual(validatePayload({ a: 'x', op: 'c' }, schema, 'reject', ['op']), { ok: true, values: ['x'], partitionValues: [] });
  const keep = schemaOf([{ name: 'a', type: 'string' }], 'keep_json');
  assert.deepEqual(compileValidator(keep, 'keep_json', ['op'])({ a: 'x', op: 'c', b: 1 }), { ok: true, values: ['x', '{"b":1}'], partitionValues: [] });
});

test('partition values are the text of scalar values', () => {
  const schema = schemaOf(
    [
      { name: 'id', type: 'string' },
      { name: 'n', type: 'int64' },
      { name: 'flag', type: 'boolean' },
      { name: 'day', type: 'date' },
    ],
    'reject',
    ['day', 'flag', 'n'],
  );
  assert.deepEqual(validatePayload({ id: 'a', n: 12, flag: false, day: '2026-01-15' }, schema, 'reject'), {
    ok: true,
    values: ['a'],
    partitionValues: ['2026-01-15', 'false', '12'],
  });
});

test('a policy that disagrees with the schema about _extra is a programming error', () => {
  const keep = schemaOf([{ name: 'a', type: 'string' }], 'keep_json');
  const strict = schemaOf([{ name: 'a', type: 'string' }], 'reject');
  assert.throws(() => compileValidator(keep, 'ignore'), (err: unknown) => isTukangError(err, 'INTERNAL'));
  assert.throws(() => compileValidator(strict, 'keep_json'), (err: unknown) => isTukangError(err, 'INTERNAL'));
});

test('each result has its own values array', () => {
  const validate = compileValidator(schemaOf([{ name: 'a', type: 'string' }], 'ignore'), 'ignore');
  const first = validate({ a: '1' });
  const second = validate({ a: '2' });
  assert.ok(first.ok && second.ok);
  assert.deepEqual([first.values, second.values], [['1'], ['2']]);
});

test('long strings are cut in rejection messages', () => {
  const schema = schemaOf([{ name: 'n', type: 'int32' }], 'ignore');
  const result = validatePayload({ n: 'x'.repeat(10_000) }, schema, 'ignore');
  assert.ok(!result.ok);
  assert.ok(result.message.length < 120, result.message);
});

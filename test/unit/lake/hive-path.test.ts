import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { escapePathName, flattenPath, hiveFields, hivePath, unescapePathName, unflattenPath } from '../../../src/lake/hive-path.js';

// Values built from the characters that matter to the codec, plus anything else fast-check likes.
const awkward = fc.constantFrom('/', '+', '=', '%', ' ', '%2B', '%25', '#', '?', '{', '}', '^', '\\', ':', '\u0000', '\u001f', '\u007f', 'é', '日本', '🙂', 'a', 'Z', '9');
const value = fc.oneof(fc.string({ unit: 'grapheme' }), fc.array(fc.oneof(awkward, fc.string({ unit: 'grapheme', maxLength: 3 })), { maxLength: 8 }).map((parts) => parts.join(''))).filter((v) => v !== '__HIVE_DEFAULT_PARTITION__');

test('escapePathName escapes exactly the characters Hive escapes, as %XX', () => {
  const escaped: string[] = [];
  for (let code = 0; code < 128; code++) if (escapePathName(String.fromCharCode(code)) !== String.fromCharCode(code)) escaped.push(String.fromCharCode(code));
  const hive = [...Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)), '"', '#', '%', "'", '*', '/', ':', '=', '?', '\\', '\u007f', '{', '[', ']', '^'];
  assert.deepEqual(escaped.sort(), hive.sort());
  assert.equal(escapePathName('a/b=c%d'), 'a%2Fb%3Dc%25d');
  assert.equal(escapePathName('\u0001'), '%01');
  assert.equal(escapePathName('a+b }é'), 'a+b }é', "'+', space, '}' and non-ASCII stay as they are");
  assert.equal(escapePathName(''), '__HIVE_DEFAULT_PARTITION__');
});

test('unescapePathName decodes %XX as Hive does and leaves other % alone', () => {
  assert.equal(unescapePathName('a%2Fb%3dc'), 'a/b=c');
  assert.equal(unescapePathName('100%'), '100%');
  assert.equal(unescapePathName('%zz%2'), '%zz%2');
  assert.equal(unescapePathName('__HIVE_DEFAULT_PARTITION__'), '');
});

test('property: any value survives escape then unescape, and its escaped form is one path segment', () => {
  fc.assert(
    fc.property(value, (v) => {
      const escaped = escapePathName(v);
      assert.ok(!escaped.includes('/') && !escaped.includes('='), escaped);
      assert.equal(unescapePathName(escaped), v);
    }),
    { numRuns: 2000, seed: 10 },
  );
});

test('property: a Hive path of any field values parses back to the same fields', () => {
  const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/);
  fc.assert(
    fc.property(fc.array(fc.record({ name, value }), { minLength: 1, maxLength: 4 }), (fields) => {
      const withDefault = fields.map((f) => ({ name: f.name, value: f.value }));
      assert.deepEqual(hiveFields(hivePath(withDefault)), withDefault);
    }),
    { numRuns: 1000, seed: 11 },
  );
});

test('property: a flattened Hive path is one key segment and unflattens to the same path', () => {
  fc.assert(
    fc.property(fc.array(value, { minLength: 1, maxLength: 4 }), (values) => {
      const path = hivePath([{ name: 'event_date', value: '2026-11-21' }, ...values.map((v, i) => ({ name: `f${i}`, value: v }))]);
      const flat = flattenPath(path);
      assert.ok(!flat.includes('/'), flat);
      assert.equal(unflattenPath(flat), path);
    }),
    { numRuns: 2000, seed: 12 },
  );
});

test('names flattened the old way (plain / to +, no + in the path) read back the same', () => {
  const old = 'event_date=2026-11-21+event_hour=10+kind=a%2Fb%25c';
  assert.equal(unflattenPath(old), 'event_date=2026-11-21/event_hour=10/kind=a%2Fb%25c');
  assert.equal(flattenPath('event_date=2026-11-21/event_hour=10/kind=a+b'), 'event_date=2026-11-21+event_hour=10+kind=a%2Bb');
});

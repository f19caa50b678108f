import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { encodeKey, keyLength, KEY_UUID_LOWER, KEY_UUID_UPPER, maxKeyBytes } from '../../../src/cleansing/event-id-key.js';

function key(id: string): string {
  const out = new Uint8Array(maxKeyBytes(id.length));
  const length = encodeKey(id, out);
  assert.equal(keyLength(out, 0), length, `the stored length of ${JSON.stringify(id)} reads back`);
  return Buffer.from(out.subarray(0, length)).toString('hex');
}

const uuidLike = fc.uuid().chain((u) => fc.constantFrom(u, u.toUpperCase(), `${u.slice(0, 10).toUpperCase()}${u.slice(10)}`));
const anyId = fc.oneof(uuidLike, fc.string({ unit: 'grapheme-ascii', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'binary', minLength: 256, maxLength: 400 }));

test('different ids never share a key: the key decides equality exactly', () => {
  fc.assert(
    fc.property(anyId, anyId, (a, b) => {
      assert.equal(key(a) === key(b), a === b, `${JSON.stringify(a)} / ${JSON.stringify(b)}`);
    }),
    { seed: 14, numRuns: 3_000 },
  );
});

test('canonical UUIDs take 17 bytes, by case; mixed case and lone surrogates stay distinct', () => {
  const u = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const out = new Uint8Array(100);
  assert.deepEqual([encodeKey(u, out), out[0]], [17, KEY_UUID_LOWER]);
  assert.deepEqual([encodeKey(u.toUpperCase(), out), out[0]], [17, KEY_UUID_UPPER]);
  assert.notEqual(key(u), key(u.toUpperCase()));
  assert.notEqual(key('0F8fad5b-d9cb-469f-a165-70867728950e'), key(u));
  assert.notEqual(key('\ud800'), key('\udbff'));
  assert.notEqual(key('\ud800'), key('\ufffd'));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInt64 } from '../../../src/cleansing/convert/int64.js';

test('int64 strings parse exactly across the whole range', () => {
  assert.equal(parseInt64('0'), 0n);
  assert.equal(parseInt64('-0'), 0n);
  assert.equal(parseInt64('42'), 42n);
  assert.equal(parseInt64('007'), 7n);
  assert.equal(parseInt64('9007199254740993'), 9_007_199_254_740_993n);
  assert.equal(parseInt64('9223372036854775807'), 9_223_372_036_854_775_807n);
  assert.equal(parseInt64('-9223372036854775808'), -9_223_372_036_854_775_808n);
});

test('anything but a plain decimal integer in range is refused', () => {
  for (const text of ['', '-', '+1', ' 1', '1 ', '1.0', '1e3', '0x10', '9223372036854775808', '-9223372036854775809', '12345678901234567890', '１２']) {
    assert.equal(parseInt64(text), undefined, JSON.stringify(text));
  }
});

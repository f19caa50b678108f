import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daysSinceEpoch, isValidDay } from '../../../src/cleansing/time/civil-days.js';
import { parsePlainDate } from '../../../src/cleansing/time/parse-plain-date.js';
import { parseRfc3339 } from '../../../src/cleansing/time/parse-rfc3339.js';

test('RFC 3339 date-times with Z or an offset parse to epoch milliseconds', () => {
  assert.equal(parseRfc3339('1970-01-01T00:00:00Z'), 0);
  assert.equal(parseRfc3339('2026-01-15T12:00:00Z'), Date.UTC(2026, 0, 15, 12));
  assert.equal(parseRfc3339('2026-01-15t12:00:00z'), Date.UTC(2026, 0, 15, 12));
  assert.equal(parseRfc3339('2026-01-15T13:30:00+01:30'), Date.UTC(2026, 0, 15, 12));
  assert.equal(parseRfc3339('2026-01-15T07:00:00-05:00'), Date.UTC(2026, 0, 15, 12));
  assert.equal(parseRfc3339('2026-01-01T00:30:00+01:00'), Date.UTC(2025, 11, 31, 23, 30));
  assert.equal(parseRfc3339('2026-01-15T12:00:00.1Z'), Date.UTC(2026, 0, 15, 12, 0, 0, 100));
  assert.equal(parseRfc3339('2026-01-15T12:00:00.12Z'), Date.UTC(2026, 0, 15, 12, 0, 0, 120));
  assert.equal(parseRfc3339('2026-01-15T12:00:00.999999999Z'), Date.UTC(2026, 0, 15, 12, 0, 0, 999));
  assert.equal(parseRfc3339('2024-02-29T23:59:60Z'), Date.UTC(2024, 2, 1), 'a leap second rolls into the next minute');
  assert.equal(parseRfc3339('0001-01-01T00:00:00Z'), new Date('0001-01-01T00:00:00Z').getTime(), 'years below 100 are not 19xx');
});

test('RFC 3339 parsing agrees with Date.parse on many valid date-times', () => {
  let seed = 42;
  const next = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  for (let i = 0; i < 2_000; i++) {
    const year = 1900 + next(300);
    const month = 1 + next(12);
    const day = 1 + next(28);
    const offset = next(2) === 0 ? 'Z' : `${next(2) === 0 ? '+' : '-'}${pad(next(15))}:${pad(next(60))}`;
    const text = `${year}-${pad(month)}-${pad(day)}T${pad(next(24))}:${pad(next(60))}:${pad(next(60))}.${pad(next(1000), 3)}${offset}`;
    assert.equal(parseRfc3339(text), Date.parse(text), text);
  }
});

test('malformed or zone-less date-times are NaN', () => {
  for (const text of [
    '',
    '2026-01-15',
    '2026-01-15T12:00:00',
    '2026-01-15 12:00:00Z',
    '2026-01-15T12:00Z',
    '2026-1-15T12:00:00Z',
    '2026-01-15T12:00:00.Z',
    '2026-01-15T12:00:00+0100',
    '2026-01-15T12:00:00+01',
    '2026-01-15T12:00:00+24:00',
    '2026-01-15T12:00:00Zjunk',
    '2026-02-29T12:00:00Z',
    '2026-13-01T12:00:00Z',
    '2026-01-15T24:00:00Z',
    '2026-01-15T12:60:00Z',
    '2026-01-15T12:00:61Z',
    '+2026-01-15T12:00:00Z',
    '2026-01-15T12:00:00.123 Z',
  ]) {
    assert.ok(Number.isNaN(parseRfc3339(text)), text);
  }
});

test('plain dates parse to days since 1970-01-01', () => {
  assert.equal(parsePlainDate('1970-01-01'), 0);
  assert.equal(parsePlainDate('1969-12-31'), -1);
  assert.equal(parsePlainDate('2026-01-15'), 20_468);
  assert.equal(parsePlainDate('2000-02-29'), Date.UTC(2000, 1, 29) / 86_400_000);
  for (const text of ['2026-1-15', '2026-01-15T00:00:00Z', '2100-02-29', '2026-04-31', '20260115', 'yyyy-mm-dd', '2026-00-10']) {
    assert.ok(Number.isNaN(parsePlainDate(text)), text);
  }
});

test('calendar arithmetic matches Date.UTC day by day over four centuries', () => {
  for (let ms = Date.UTC(1800, 0, 1), expected = ms / 86_400_000; ms < Date.UTC(2201, 0, 1); ms += 86_400_000, expected++) {
    const date = new Date(ms);
    const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    assert.ok(isValidDay(y, m, d));
    if (daysSinceEpoch(y, m, d) !== expected) assert.fail(`${date.toISOString()}: ${daysSinceEpoch(y, m, d)} !== ${expected}`);
  }
  assert.ok(!isValidDay(1900, 2, 29));
  assert.ok(isValidDay(2000, 2, 29));
});

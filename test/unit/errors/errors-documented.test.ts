import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERRORS, TukangError, isRetryable } from '../../../src/errors/catalogue.js';
import { ROOT } from '../../helpers/cli.js';

test('every error code is documented in docs/errors.md with its retryable flag, and nothing else is', () => {
  const doc = readFileSync(`${ROOT}docs/errors.md`, 'utf8');
  const rows = new Map([...doc.matchAll(/^\| `([A-Z0-9_]+)` \| (yes|no) \|/gm)].map((m) => [m[1], m[2] === 'yes']));
  assert.deepEqual([...rows.keys()].sort(), Object.keys(ERRORS).sort());
  for (const [code, spec] of Object.entries(ERRORS)) assert.equal(rows.get(code), spec.retryable, `retryable flag of ${code}`);
});

test('every error code is documented with the HTTP status of its catalogue entry', () => {
  const doc = readFileSync(`${ROOT}docs/errors.md`, 'utf8');
  const statuses = new Map([...doc.matchAll(/^\| `([A-Z0-9_]+)` \| (?:yes|no) \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]));
  assert.deepEqual([...statuses.keys()].sort(), Object.keys(ERRORS).sort());
  for (const [code, spec] of Object.entries(ERRORS)) {
    assert.equal(statuses.get(code), spec.status, `HTTP status of ${code}`);
    assert.ok(spec.status >= 400 && spec.status <= 599, `${code} has an error status`);
  }
});

test('isRetryable follows the code of a TukangError and a default for anything else', () => {
  assert.equal(isRetryable(new TukangError('S3_UNAVAILABLE', 'down')), true);
  assert.equal(isRetryable(new TukangError('ENCODE_FAILED', 'bad value')), false);
  assert.equal(isRetryable(new Error('socket hang up')), true);
  assert.equal(isRetryable(new Error('socket hang up'), false), false);
});

test('a TukangError carries its code, retryable flag and cause', () => {
  const cause = new Error('socket hang up');
  const err = new TukangError('S3_UNAVAILABLE', 'writing x failed', { cause, details: { status: 503 } });
  assert.equal(err.code, 'S3_UNAVAILABLE');
  assert.equal(err.retryable, true);
  assert.equal(err.status, 503);
  assert.equal(err.cause, cause);
  assert.equal(err.details['status'], 503);
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERRORS, TukangError } from '../../src/errors/catalogue.js';
import { ROOT } from '../helpers/cli.js';

test('every error code is documented in docs/errors.md with its retryable flag, and nothing else is', () => {
  const doc = readFileSync(`${ROOT}docs/errors.md`, 'utf8');
  const rows = new Map([...doc.matchAll(/^\| `([A-Z0-9_]+)` \| (yes|no) \|/gm)].map((m) => [m[1], m[2] === 'yes']));
  assert.deepEqual([...rows.keys()].sort(), Object.keys(ERRORS).sort());
  for (const [code, spec] of Object.entries(ERRORS)) assert.equal(rows.get(code), spec.retryable, `retryable flag of ${code}`);
});

test('a TukangError carries its code, retryable flag and cause', () => {
  const cause = new Error('socket hang up');
  const err = new TukangError('S3_UNAVAILABLE', 'writing x failed', { cause, details: { status: 503 } });
  assert.equal(err.code, 'S3_UNAVAILABLE');
  assert.equal(err.retryable, true);
  assert.equal(err.cause, cause);
  assert.equal(err.details['status'], 503);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/load.js';
import { isTukangError } from '../../../src/errors/catalogue.js';

test('catalog config: auth on by default with no token source, cache defaults, durations parsed', () => {
  const c = parseConfig({}).catalog;
  assert.equal(c.auth.disabled, false);
  assert.deepEqual(c.auth.static_tokens, []);
  assert.equal(c.auth.jwt, null);
  assert.deepEqual(c.cache, { partition_states: 10_000, refresh_interval: 2_000, relist_interval: 30_000, change_settle: 15_000, stats_ttl: 5_000 });
  assert.equal(c.presign_expiry, 900_000);
  const jwt = parseConfig({ catalog: { auth: { jwt: { issuer: 'https://id.example/', jwks_url: 'https://id.example/jwks' } } } }).catalog.auth.jwt;
  assert.deepEqual(jwt, { issuer: 'https://id.example/', jwks_url: 'https://id.example/jwks', audience: null });
});

test('catalog config: short static tokens, unknown scopes and unknown keys are named', () => {
  for (const [catalog, path] of [
    [{ auth: { static_tokens: [{ name: 'x', token: 'short', scopes: ['tukang.read'] }] } }, 'catalog.auth.static_tokens[0].token'],
    [{ auth: { static_tokens: [{ name: 'x', token: 'long-enough-token-123', scopes: ['admin'] }] } }, 'catalog.auth.static_tokens[0].scopes[0]'],
    [{ auth: { jwt: { issuer: 'x', jwks_url: 'not a url' } } }, 'catalog.auth.jwt.jwks_url'],
    [{ cache: { ttl: 1 } }, 'catalog.cache.ttl'],
  ] as const) {
    assert.throws(
      () => parseConfig({ catalog }),
      (err: unknown) => isTukangError(err, 'CONFIG_INVALID') && err.message.includes(path),
      path,
    );
  }
});

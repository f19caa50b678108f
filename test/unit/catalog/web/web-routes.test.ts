import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { WEB_DIR } from '../../../../src/catalog/web/web-routes.js';
import { catalogConfig, READ_TOKEN, startCatalog, WRITE_ONLY_TOKEN } from '../../../helpers/catalog-fixture.js';

const assets = JSON.parse(readFileSync(new URL('assets.json', WEB_DIR), 'utf8')) as string[];

test('GET / is the page, with a CSP that allows only our own scripts, styles and fetches', async (t) => {
  const c = await startCatalog(t);
  const res = await c.request('GET', '/');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  const csp = res.headers.get('content-security-policy') ?? '';
  for (const directive of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) assert.ok(csp.includes(directive), `${directive} in ${csp}`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('set-cookie'), null);
  assert.match(res.text, /<script type="module" src="\/ui\/app.js"><\/script>/);
});

test('every asset is served with its type; every module a script imports is an asset; nothing comes from elsewhere', async (t) => {
  const c = await startCatalog(t);
  for (const name of assets.filter((a) => a !== 'index.html')) {
    const res = await c.request('GET', `/ui/${name}`);
    assert.equal(res.status, 200, name);
    const type = name.endsWith('.js') ? /^text\/javascript/ : /^text\/css/;
    assert.match(res.headers.get('content-type') ?? '', type, name);
    for (const m of res.text.matchAll(/from '\.\/([\w-]+\.js)'/g)) assert.ok(assets.includes(m[1] ?? ''), `${name} imports ${m[1]}, which web/assets.json does not list`);
    assert.doesNotMatch(res.text, /(?:from|import\(|url\()\s*['"]?(?:https?:)?\/\//, `${name} loads nothing from another host`);
  }
  const page = (await c.request('GET', '/')).text;
  for (const m of page.matchAll(/(?:src|href)="([^"#]+)"/g)) assert.ok(m[1]?.startsWith('/'), `the page links ${m[1]}, not one of ours`);
  // Preloaded all at once, so the page's start costs one round trip for its modules, not one per import level.
  for (const name of assets.filter((a) => a.endsWith('.js') && a !== 'app.js')) assert.ok(page.includes(`<link rel="modulepreload" href="/ui/${name}">`), `index.html preloads ${name}`);
});

test('an unknown asset, or index.html under /ui, is a 404 problem', async (t) => {
  const c = await startCatalog(t);
  for (const path of ['/ui/nope.js', '/ui/index.html', '/ui/assets.json']) {
    const res = await c.request('GET', path);
    assert.equal(res.status, 404, path);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, path);
  }
});

test('/ui/session names the token\'s scopes, 401 without a valid token, both scopes when auth is disabled', async (t) => {
  const c = await startCatalog(t);
  assert.equal((await c.request('GET', '/ui/session')).status, 401);
  assert.equal((await c.request('GET', '/ui/session', { authorization: 'Bearer wrong-token-0123456789' })).status, 401);
  const reader = await c.request('GET', '/ui/session', { authorization: `Bearer ${READ_TOKEN}` });
  assert.equal(reader.status, 200);
  assert.equal(reader.headers.get('cache-control'), 'no-store');
  assert.deepEqual(JSON.parse(reader.text), { subject: 'static:reader', scopes: ['tukang.read'], auth_disabled: false });
  const writer = await c.request('GET', '/ui/session', { authorization: `Bearer ${WRITE_ONLY_TOKEN}` });
  assert.deepEqual(JSON.parse(writer.text)['scopes'], ['tukang.write']);
  const open = await startCatalog(t, { config: catalogConfig({ auth: { disabled: true } }) });
  assert.deepEqual(JSON.parse((await open.request('GET', '/ui/session')).text), { subject: 'anonymous', scopes: ['tukang.read', 'tukang.write'], auth_disabled: true });
});

test('a cross-site form post carries no credentials: the page keeps none in cookies, so replays refuse it', async (t) => {
  const c = await startCatalog(t);
  const res = await c.request('POST', '/replays', { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('access-control-allow-origin'), null, 'no CORS: other origins cannot read or send with a token');
});

test('/ui/session takes a JWT like the API does: its scope claim, its subject', async (t) => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'web', alg: 'RS256', use: 'sig' };
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const issuer = 'https://issuer.test/';
  const c = await startCatalog(t, { config: catalogConfig({ auth: { jwt: { issuer, jwks_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json` } } }) });
  const jwt = await new SignJWT({ scope: 'openid tukang.read tukang.write' }).setProtectedHeader({ alg: 'RS256', kid: 'web' }).setIssuer(issuer).setSubject('analyst-7').setIssuedAt().setExpirationTime('5m').sign(privateKey);
  const res = await c.request('GET', '/ui/session', { authorization: `Bearer ${jwt}` });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(JSON.parse(res.text), { subject: 'analyst-7', scopes: ['openid', 'tukang.read', 'tukang.write'], auth_disabled: false });
});

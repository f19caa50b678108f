import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { catalogConfig, startCatalog } from '../../helpers/catalog-fixture.js';

const ISSUER = 'https://issuer.test/';

/** A real JWKS endpoint on loopback, so jose fetches keys over HTTP exactly as in production. */
async function jwksServer(t: import('node:test').TestContext): Promise<{ url: string; sign: (claims: Record<string, unknown>, opts?: { issuer?: string; expiresIn?: string; audience?: string }) => Promise<string> }> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    sign: (claims, opts = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(opts.issuer ?? ISSUER)
        .setAudience(opts.audience ?? 'tukang')
        .setSubject('loader-1')
        .setIssuedAt()
        .setExpirationTime(opts.expiresIn ?? '5m')
        .sign(privateKey),
  };
}

test('JWT bearer tokens: verified against the issuer JWKS; scope claim checked; bad tokens 401', async (t) => {
  const jwks = await jwksServer(t);
  const h = await startCatalog(t, { config: catalogConfig({ auth: { jwt: { issuer: ISSUER, jwks_url: jwks.url, audience: 'tukang' } } }) });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  assert.equal((await h.get('/datasets', bearer(await jwks.sign({ scope: 'openid tukang.read' })))).status, 200);
  assert.equal((await h.get('/datasets', bearer(await jwks.sign({ scp: ['tukang.read'] })))).status, 200);
  assert.equal((await h.get('/datasets', bearer(await jwks.sign({ scope: 'tukang.write' })))).status, 403);
  assert.equal((await h.get('/datasets', bearer(await jwks.sign({ scope: 'tukang.read' }, { issuer: 'https://evil.test/' })))).status, 401);
  assert.equal((await h.get('/datasets', bearer(await jwks.sign({ scope: 'tukang.read' }, { audience: 'someone-else' })))).status, 401);
  assert.equal((await h.get('/datasets', bearer(await jwks.sign({ scope: 'tukang.read' }, { expiresIn: '-1m' })))).status, 401);
  const other = await jwksServer(t);
  const forged = await h.get('/datasets', bearer(await other.sign({ scope: 'tukang.read' })));
  assert.equal(forged.status, 401, 'signed by a key the issuer does not publish');
  assert.equal((forged.body as Record<string, unknown>)['code'], 'CATALOG_UNAUTHORIZED');
});

test('an unreachable JWKS is the provider\'s fault: 503, not 401', async (t) => {
  const jwks = await jwksServer(t);
  const h = await startCatalog(t, { config: catalogConfig({ auth: { jwt: { issuer: ISSUER, jwks_url: 'http://127.0.0.1:9/jwks.json' } } }) });
  const res = await h.get('/datasets', { authorization: `Bearer ${await jwks.sign({ scope: 'tukang.read' })}` });
  assert.equal(res.status, 503);
  assert.equal((res.body as Record<string, unknown>)['code'], 'AUTH_PROVIDER_UNAVAILABLE');
});

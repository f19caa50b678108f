import { createHash } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { TukangConfig } from '../../config/schema.js';
import { HttpProblem } from '../problem.js';

export type AuthConfig = TukangConfig['catalog']['auth'];

export interface Principal {
  subject: string;
  scopes: ReadonlySet<string>;
}

/**
 * The `WWW-Authenticate` challenge of RFC 6750 section 3: no error attribute when the request
 * carried no bearer token (the client may not know one is needed), else the error code
 * (`invalid_token`, `insufficient_scope`), a description, and for a missing scope its name.
 */
export function bearerChallenge(error?: { code: 'invalid_token' | 'insufficient_scope'; description: string; scope?: string }): Record<string, string> {
  const parts = ['Bearer realm="tukang"'];
  if (error) {
    parts.push(`error="${error.code}"`, `error_description="${quotable(error.description)}"`);
    if (error.scope !== undefined) parts.push(`scope="${quotable(error.scope)}"`);
  }
  return { 'WWW-Authenticate': parts.join(', ') };
}

/** RFC 6750 allows %x20-21 / %x23-5B / %x5D-7E inside these quoted values. */
function quotable(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?');
}

/** No token at all: a challenge without an error code. */
export function unauthorized(detail: string): HttpProblem {
  return new HttpProblem('CATALOG_UNAUTHORIZED', detail, { headers: bearerChallenge() });
}

/** A bearer token was sent and does not verify. */
export function invalidToken(detail: string): HttpProblem {
  return new HttpProblem('CATALOG_UNAUTHORIZED', detail, { headers: bearerChallenge({ code: 'invalid_token', description: detail }) });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Turns a bearer token into a principal with scopes: a static token from the config, or a JWT
 * verified against the configured issuer's JWKS (fetched and cached by jose, refetched when a
 * token names an unknown key, so key rotation needs no restart).
 */
export class Authenticator {
  /** Keyed by the token's SHA-256, so lookups do not compare secrets byte by byte. */
  private readonly staticTokens = new Map<string, Principal>();
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(private readonly config: AuthConfig) {
    for (const t of config.static_tokens) this.staticTokens.set(sha256(t.token), { subject: `static:${t.name}`, scopes: new Set(t.scopes) });
    this.jwks = config.jwt ? createRemoteJWKSet(new URL(config.jwt.jwks_url), { timeoutDuration: 5_000, cooldownDuration: 30_000 }) : undefined;
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (authorization === undefined) throw unauthorized('a bearer token is required');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) {
      // Another scheme (Basic) is an unsupported method: a plain challenge. A Bearer header
      // whose token is missing or has spaces carries a token, and an invalid one.
      if (/^Bearer(\s|$)/i.test(authorization)) throw invalidToken('the Authorization header must be "Bearer <token>"');
      throw unauthorized('the Authorization header must be "Bearer <token>"');
    }
    const token = match[1];
    const fixed = this.staticTokens.get(sha256(token));
    if (fixed) return fixed;
    if (this.jwks && this.config.jwt && token.split('.').length === 3) return this.verifyJwt(token, this.jwks, this.config.jwt);
    throw invalidToken('the bearer token is not valid');
  }

  private async verifyJwt(token: string, jwks: ReturnType<typeof createRemoteJWKSet>, jwt: NonNullable<AuthConfig['jwt']>): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer: jwt.issuer, ...(jwt.audience === null ? {} : { audience: jwt.audience }) }));
    } catch (err) {
      if (isProviderFailure(err)) {
        throw new HttpProblem('AUTH_PROVIDER_UNAVAILABLE', 'the token issuer\'s keys cannot be fetched');
      }
      throw invalidToken(`the bearer token is not valid${err instanceof joseErrors.JOSEError ? ` (${err.code})` : ''}`);
    }
    return { subject: typeof payload.sub === 'string' ? payload.sub : 'jwt', scopes: scopesOf(payload) };
  }
}

/** OAuth 2 puts scopes in `scope` (space-separated); some issuers use `scp` (a list or a string). */
function scopesOf(payload: JWTPayload): Set<string> {
  const scopes = new Set<string>();
  for (const claim of [payload['scope'], payload['scp']]) {
    if (typeof claim === 'string') for (const s of claim.split(' ')) if (s) scopes.add(s);
    if (Array.isArray(claim)) for (const s of claim) if (typeof s === 'string') scopes.add(s);
  }
  return scopes;
}

/** The issuer's fault (JWKS unreachable, bad JWKS), not the token's. */
function isProviderFailure(err: unknown): boolean {
  if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid) return true;
  if (err instanceof joseErrors.JOSEError) return err.code === 'ERR_JOSE_GENERIC';
  // fetch failures (connection refused, DNS) surface as plain errors from inside jose.
  return true;
}

import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** Does an If-None-Match header name this ETag? (RFC 9110 13.1.2: weak comparison, `*` matches.) */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => {
    const c = candidate.trim();
    return c === '*' || c.replace(/^W\//, '') === bare;
  });
}

/** Bodies their owner will never change (cached listing pages): their text and ETag are computed once. */
const immutable = new WeakMap<object, { text: string; etag: string } | null>();

export function markImmutable(body: object): void {
  if (!immutable.has(body)) immutable.set(body, null);
}

function render(body: unknown): { text: string; etag: string } {
  const known = typeof body === 'object' && body !== null ? immutable.get(body) : undefined;
  if (known) return known;
  const text = JSON.stringify(body);
  const rendered = { text, etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 32)}"` };
  if (known === null) immutable.set(body as object, rendered);
  return rendered;
}

/**
 * A strong ETag on every JSON read, from the bytes of the representation, and 304 when the
 * client already has them. Done here rather than by Express because Express defers to the
 * `fresh` package, which ignores If-None-Match when the request says `Cache-Control: no-cache`,
 * and fetch() adds exactly that to every conditional request.
 */
export function conditionalJson(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    next();
    return;
  }
  res.json = (body: unknown): Response => {
    const { text, etag } = render(body);
    res.setHeader('ETag', etag);
    if (res.statusCode >= 200 && res.statusCode < 300 && matchesIfNoneMatch(req.header('if-none-match'), etag)) {
      res.status(304).end();
      return res;
    }
    if (!res.get('Content-Type')) res.type('application/json');
    return res.send(text);
  };
  next();
}

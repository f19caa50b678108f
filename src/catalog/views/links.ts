import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Sets the base of every absolute link (Zalando: links are full URLs) for one request:
 * `catalog.public_url` when configured (behind a proxy or load balancer), else the address the
 * connection arrived at. Never the request's `Host` header: a client that sends a forged Host
 * must not make the catalog hand out links to another server (in cached answers, too).
 */
export function linkBase(publicUrl: string | null): RequestHandler {
  const configured = publicUrl === null ? null : publicUrl.replace(/\/+$/, '');
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals['baseUrl'] = configured ?? localBase(req);
    next();
  };
}

function localBase(req: Request): string {
  const address = req.socket.localAddress ?? '127.0.0.1';
  // IPv4-mapped IPv6 (a server listening on ::) reads as the IPv4 address it is.
  const host = address.startsWith('::ffff:') ? address.slice(7) : address.includes(':') ? `[${address}]` : address;
  return `${req.protocol}://${host}:${req.socket.localPort ?? 80}`;
}

/** The base URL of absolute links (see `linkBase`). */
export function baseUrl(req: Request): string {
  const base = req.res?.locals['baseUrl'];
  return typeof base === 'string' ? base : localBase(req);
}

export function datasetHref(base: string, dataset: string): string {
  return `${base}/datasets/${encodeURIComponent(dataset)}`;
}

export function partitionHref(base: string, dataset: string, id: string): string {
  return `${datasetHref(base, dataset)}/partitions/${encodeURIComponent(id)}`;
}

/** The request's own URL with some query parameters replaced (undefined removes one). */
export function withQuery(req: Request, changes: Record<string, string | number | undefined>): string {
  const base = baseUrl(req);
  const url = new URL(req.originalUrl, 'http://placeholder');
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) url.searchParams.delete(name);
    else url.searchParams.set(name, String(value));
  }
  return `${base}${url.pathname}${url.search}`;
}

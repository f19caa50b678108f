import type { Request } from 'express';

/** Absolute URLs for links (Zalando: links are full URLs), from the request's own host. */
export function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

export function datasetHref(base: string, dataset: string): string {
  return `${base}/datasets/${encodeURIComponent(dataset)}`;
}

export function partitionHref(base: string, dataset: string, id: string): string {
  return `${datasetHref(base, dataset)}/partitions/${encodeURIComponent(id)}`;
}

/** The request's own URL with some query parameters replaced (undefined removes one). */
export function withQuery(req: Request, changes: Record<string, string | number | undefined>): string {
  const url = new URL(req.originalUrl, baseUrl(req));
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) url.searchParams.delete(name);
    else url.searchParams.set(name, String(value));
  }
  return url.toString();
}

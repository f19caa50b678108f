import { readFileSync } from 'node:fs';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { TukangError } from '../../errors/catalogue.js';
import type { Authenticator } from '../auth/authenticator.js';
import { notFound } from '../problem.js';

/** The analyst's page: plain HTML, CSS and JS of our own, kept in the repo under `web/`. */
export const WEB_DIR = new URL('../../../../web/', import.meta.url);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Only our own origin may run scripts, load styles or be fetched from, and no other site may
 * frame the page. Presigned downloads are plain links (navigation), which CSP does not restrict.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

interface Asset {
  body: Buffer;
  type: string;
}

/** Every file the page needs, read once: the set is small and fixed, and nothing else is served. */
function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const names = JSON.parse(readFileSync(new URL('assets.json', WEB_DIR), 'utf8')) as string[];
  for (const name of names) {
    const type = TYPES[name.slice(name.lastIndexOf('.'))];
    if (!type) throw new TukangError('CATALOG_DEFINITION_INVALID', `web/assets.json names ${name}, of a type the page does not serve`);
    assets.set(name, { body: readFileSync(new URL(name, WEB_DIR)), type });
  }
  return assets;
}

function send(res: Response, asset: Asset): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  res.setHeader('Cache-Control', 'no-cache');
  res.type(asset.type).send(asset.body);
}

/**
 * The web routes: `/` is the page, `/ui/<file>` its assets, `/ui/session` tells the page which
 * scopes its token holds (so a read-only token sees no write controls). The page reads the same
 * JSON API with the token in an Authorization header; the token lives in the browser's session
 * storage only, never in a URL or a cookie, so a cross-site request carries no credentials.
 */
export function webRoutes(authenticator: Authenticator | null): Router {
  const assets = loadAssets();
  const page = assets.get('index.html');
  if (!page) throw new TukangError('CATALOG_DEFINITION_INVALID', 'web/assets.json must name index.html');
  const router = Router();
  router.get('/', (_req: Request, res: Response) => send(res, page));
  router.get('/ui/session', (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    if (authenticator === null) {
      res.json({ subject: 'anonymous', scopes: ['tukang.read', 'tukang.write'], auth_disabled: true });
      return;
    }
    authenticator.authenticate(req.header('authorization')).then(
      (principal) => res.json({ subject: principal.subject, scopes: [...principal.scopes].sort(), auth_disabled: false }),
      (err: unknown) => next(err),
    );
  });
  router.get('/ui/:file', (req: Request, res: Response, next: NextFunction) => {
    const asset = req.params['file'] === 'index.html' ? undefined : assets.get(String(req.params['file']));
    if (asset) send(res, asset);
    else next(notFound(`no resource at ${req.path}`));
  });
  return router;
}

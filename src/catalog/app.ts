import express, { type Express, type Request, type Response, type NextFunction } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/logger.js';

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

export interface CatalogDeps {
  logger: Logger;
  checks: HealthCheck[];
}

/**
 * The catalog's HTTP app, built apart from `listen` so tests drive it in-process.
 * Issue 5 grows it into the full metadata API; today it serves health.
 */
export function createCatalogApp(deps: CatalogDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', 'strong');

  app.use((req: Request, res: Response, next: NextFunction) => {
    const flowId = req.header('x-flow-id') ?? randomUUID();
    res.setHeader('X-Flow-ID', flowId);
    res.locals['flowId'] = flowId;
    next();
  });

  app.get('/health', async (_req: Request, res: Response) => {
    const results = await Promise.all(
      deps.checks.map(async (c) => {
        try {
          await c.check();
          return { name: c.name, status: 'up' as const };
        } catch (err) {
          return { name: c.name, status: 'down' as const, detail: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    const up = results.every((r) => r.status === 'up');
    res.status(up ? 200 : 503).json({ status: up ? 'up' : 'down', checks: results });
  });

  app.use((req: Request, res: Response) => {
    res.status(404).type('application/problem+json').json({ type: 'about:blank', title: 'Not Found', status: 404, detail: `no resource at ${req.path}` });
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    deps.logger.error({ err: err instanceof Error ? err.message : String(err), flow_id: res.locals['flowId'] }, 'request failed');
    res.status(500).type('application/problem+json').json({ type: 'about:blank', title: 'Internal Server Error', status: 500 });
  });

  return app;
}

import type { CatalogContext } from '../context.js';
import { HealthChecks } from '../health-checks.js';
import type { CatalogMetrics } from '../metrics.js';
import type { LoadedDocument } from '../openapi/document.js';
import type { OperationHandler } from './types.js';

/** Health, metrics and the document itself: open to everyone (no token). */
export function operationRoutes(ctx: CatalogContext, metrics: CatalogMetrics, openapi: LoadedDocument): Record<string, OperationHandler> {
  const health = new HealthChecks(ctx.checks, ctx.logger);
  const ready: OperationHandler = async (_req, res) => {
    const results = await health.run();
    const up = results.every((r) => r.status === 'up');
    res.setHeader('Cache-Control', 'no-store');
    res.status(up ? 200 : 503).json({ status: up ? 'up' : 'down', checks: results });
  };
  return {
    getHealth: ready,
    getReadiness: ready,
    getLiveness(_req, res) {
      res.setHeader('Cache-Control', 'no-store');
      res.json({ status: 'up', checks: [] });
    },
    async getMetrics(_req, res) {
      res.setHeader('Cache-Control', 'no-store');
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
    getOpenApiJson(_req, res) {
      res.type('application/json').send(openapi.json);
    },
    getOpenApiYaml(_req, res) {
      res.type('application/yaml').send(openapi.yaml);
    },
  };
}

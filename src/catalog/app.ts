import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { TukangError } from '../errors/catalogue.js';
import type { ObjectStore } from '../storage/object-store.js';
import { Authenticator } from './auth/authenticator.js';
import { authorize } from './auth/authorize.js';
import type { CatalogContext } from './context.js';
import { conditionalJson } from './etag.js';
import type { CatalogMetrics } from './metrics.js';
import { loadOpenApi, operations } from './openapi/document.js';
import { requestValidator } from './openapi/request-validator.js';
import { servedDocument } from './openapi/served-document.js';
import { SchemaValidator } from './openapi/schema-validator.js';
import { HttpProblem, notFound, problemHandler } from './problem.js';
import { commonHeaders, flowId, requestLog } from './request-context.js';
import { datasetRoutes } from './routes/datasets.js';
import { icebergRoutes, type IcebergRouteSettings } from './routes/iceberg.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { operationRoutes } from './routes/operations.js';
import { partitionDataRoutes } from './routes/partition-data.js';
import { partitionRoutes } from './routes/partitions.js';
import { replayRoutes } from './routes/replays.js';
import type { OperationHandler } from './routes/types.js';
import { linkBase } from './views/links.js';
import { webRoutes } from './web/web-routes.js';

export type { HealthCheck } from './context.js';

const noBody = (_req: Request, _res: Response, next: NextFunction): void => next();

export interface CatalogAppDeps {
  context: CatalogContext;
  metrics: CatalogMetrics;
  store: ObjectStore;
  bucket: string;
  /** Storage and namespace settings of the Iceberg REST endpoints. */
  iceberg: IcebergRouteSettings;
}

/**
 * The catalog's HTTP app, built apart from `listen` so tests drive it in-process. Routes come
 * from the OpenAPI document: every operation in it is wired to the handler of its operationId,
 * behind the scopes its `security` names and the validation of its parameters, so the document
 * and the served API cannot drift apart.
 */
export function createCatalogApp(deps: CatalogAppDeps): Express {
  const { context: ctx } = deps;
  const openapi = servedDocument(loadOpenApi(), ctx.settings);
  const schemas = new SchemaValidator(openapi.document);
  const authenticator = ctx.settings.auth.disabled ? null : new Authenticator(ctx.settings.auth);
  const handlers: Record<string, OperationHandler> = {
    ...datasetRoutes(ctx),
    ...partitionRoutes(ctx),
    ...partitionDataRoutes(ctx, deps.store, deps.bucket),
    ...deadLetterRoutes(ctx),
    ...replayRoutes(ctx),
    ...icebergRoutes(ctx, deps.store, deps.iceberg),
    ...operationRoutes(ctx, deps.metrics, openapi),
  };

  const app = express();
  app.disable('x-powered-by');
  // ETags come from conditionalJson (see there why not from Express); problems carry none.
  app.set('etag', false);
  app.use(flowId, commonHeaders, linkBase(ctx.settings.public_url));
  app.use(conditionalJson);
  app.use(requestLog(ctx.logger));
  app.use(deps.metrics.middleware);
  // The analyst's page (docs/web.md): outside the OpenAPI document, which describes the JSON API.
  app.use(webRoutes(authenticator));

  const documented = new Map<RegExp, string[]>();
  // HEAD routes first: Express answers HEAD with a GET route of the same path registered earlier.
  const ordered = [...operations(openapi.document)].sort((a, b) => Number(a.method !== 'head') - Number(b.method !== 'head'));
  for (const op of ordered) {
    const handler = handlers[op.operation.operationId];
    if (!handler) throw new TukangError('CATALOG_DEFINITION_INVALID', `the OpenAPI document's ${op.operation.operationId} has no handler`);
    const security = op.operation.security ?? openapi.document.security ?? [];
    const scopes = security.length === 0 ? null : Object.values(security[0] ?? {}).flat();
    const expressPath = op.path.replace(/\{(\w+)\}/g, ':$1');
    const pattern = new RegExp(`^${op.path.replace(/\{\w+\}/g, '[^/]+').replaceAll('.', '\\.')}$`);
    const methods = [...documented.entries()].find(([re]) => re.source === pattern.source)?.[1];
    if (methods) methods.push(op.method.toUpperCase());
    else documented.set(pattern, [op.method.toUpperCase()]);
    app[op.method as 'get'](
      expressPath,
      (_req: Request, res: Response, next: NextFunction) => {
        res.locals['route'] = op.path;
        res.setHeader('Cache-Control', 'no-cache');
        next();
      },
      authorize(authenticator, scopes),
      // Bodies are parsed only where the document declares one, after authorization.
      op.operation.requestBody ? express.json({ limit: '64kb' }) : noBody,
      requestValidator(openapi.document, schemas, op),
      async (req: Request, res: Response, next: NextFunction) => {
        try {
          await handler(req, res);
        } catch (err) {
          next(err);
        }
      },
    );
  }

  app.use((req: Request, _res: Response, next: NextFunction) => {
    const allowed = [...documented.entries()].find(([re]) => re.test(req.path))?.[1];
    if (allowed) next(new HttpProblem('CATALOG_METHOD_NOT_ALLOWED', `${req.method} is not supported here`, { headers: { Allow: allowed.join(', ') } }));
    else next(notFound(`no resource at ${req.path}`));
  });
  app.use(problemHandler(ctx.logger));
  return app;
}

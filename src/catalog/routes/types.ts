import type { Request, Response } from 'express';
import type { CatalogContext } from '../context.js';

/** A route handler by operationId; the app wires it to the document's path and method. */
export type OperationHandler = (req: Request, res: Response) => Promise<void> | void;

export type HandlerFactory = (ctx: CatalogContext) => Record<string, OperationHandler>;

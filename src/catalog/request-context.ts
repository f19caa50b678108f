import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../log/logger.js';

/** A flow id we pass on must not be a vector for log injection or huge headers. */
const FLOW_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** X-Flow-ID: accepted when sane, generated otherwise, returned, and logged with every line of the request. */
export function flowId(req: Request, res: Response, next: NextFunction): void {
  const given = req.header('x-flow-id');
  const id = given !== undefined && FLOW_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Flow-ID', id);
  res.locals['flowId'] = id;
  next();
}

/** Headers every answer carries: browsers must not sniff a JSON or text answer into HTML or script. */
export function commonHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  next();
}

/**
 * One log line per request (pino-http), carrying the flow id; probes log at debug to keep logs
 * readable. The flow id is the request id, bound once (`quietReqLogger`): custom props would bind
 * it again in a second child logger per request and serialize it twice more, which at 500
 * listings a second was a tenth of what each request allocated.
 */
export function requestLog(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (_req: IncomingMessage, res: ServerResponse) => String(res.getHeader('X-Flow-ID') ?? randomUUID()),
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'flow_id' },
    // Method, URL and status are what an operator reads; headers would carry tokens and noise.
    serializers: {
      req: (req: { method?: string; url?: string }) => ({ method: req.method, url: req.url }),
      res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
    },
    customLogLevel: (req, res, err) => {
      if (err || res.statusCode >= 500) return 'error';
      if (req.url?.startsWith('/health') || req.url?.startsWith('/metrics')) return 'debug';
      return 'info';
    },
  }) as unknown as RequestHandler;
}

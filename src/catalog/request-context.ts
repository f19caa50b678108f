import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
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

/** The logger a handler may use while serving a request: its lines carry the request's flow id. */
export interface RequestWithLog {
  log: Logger;
}

/**
 * One log line per request when its answer is finished (or its connection closed first), with
 * the flow id, method, URL, status and the time taken; probes log at debug to keep logs
 * readable, 5xx answers at error. `req.log` (a child logger bound to the flow id) is made only
 * when a handler asks for it: pino-http made two child loggers per request and serialized the
 * request into one of them, about 12 KB of garbage per request, most of what a cached listing
 * page allocated (docs/performance.md, Catalog).
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const given: unknown = res.locals['flowId'];
    const id = typeof given === 'string' ? given : randomUUID();
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', { configurable: true, enumerable: false, get: () => (child ??= logger.child({ flow_id: id })) });
    // Whichever of 'finish' and 'close' comes first logs; it removes both listeners.
    const done = (): void => {
      res.off('finish', done);
      res.off('close', done);
      const url = req.originalUrl;
      const status = res.statusCode;
      const fields = { flow_id: id, req: { method: req.method, url }, res: { status }, responseTime: Math.round(performance.now() - started) };
      if (status >= 500) logger.error(fields, 'request errored');
      else if (url.startsWith('/health') || url.startsWith('/metrics')) logger.debug(fields, 'request completed');
      else logger.info(fields, 'request completed');
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}

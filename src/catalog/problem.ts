import type { NextFunction, Request, Response } from 'express';
import { ERRORS, isTukangError, type ErrorCode } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';

export interface InvalidParam {
  name: string;
  in: 'path' | 'query' | 'header' | 'body';
  reason: string;
}

/** RFC 9110 reason phrases: a problem's title is the phrase of its status. */
const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function titleOf(status: number): string {
  return TITLES[status] ?? 'Error';
}

/**
 * An RFC 9457 problem the catalog answers with on purpose. Its code is from the catalogue
 * (docs/errors.md), and its status and title follow from the code's entry.
 */
export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly extra: { invalid_params?: InvalidParam[]; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? code);
    this.name = 'HttpProblem';
    this.status = ERRORS[code].status;
    this.title = titleOf(this.status);
  }
}

export function badRequest(params: InvalidParam[]): HttpProblem {
  const detail = params.map((p) => `${p.in} parameter "${p.name}": ${p.reason}`).join('; ');
  return new HttpProblem('CATALOG_BAD_REQUEST', detail, { invalid_params: params });
}

export function notFound(detail: string): HttpProblem {
  return new HttpProblem('CATALOG_NOT_FOUND', detail);
}

export function sendProblem(res: Response, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  // Problems are never cached: an ETag on a 404 would let a client keep a stale "missing".
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', status, ...body, flow_id: res.locals['flowId'] }));
}

/**
 * The last middleware: every error becomes application/problem+json. Messages of deliberate
 * errors are shown; anything unexpected is logged with its stack and answered without detail,
 * so a stack trace never leaves the process.
 */
export function problemHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) return;
    if (err instanceof HttpProblem) {
      const body: Record<string, unknown> = { title: err.title, code: err.code, instance: req.originalUrl };
      if (err.detail !== undefined) body['detail'] = err.detail;
      if (err.extra.invalid_params) body['invalid_params'] = err.extra.invalid_params;
      sendProblem(res, err.status, body, err.extra.headers);
      return;
    }
    if (isTukangError(err)) {
      // The one place where a catalogue error from the layers below becomes an HTTP status: its entry's.
      const status = err.status;
      logger.warn({ code: err.code, err: err.message, flow_id: res.locals['flowId'] }, 'request failed');
      const body: Record<string, unknown> = { title: titleOf(status), code: err.code, instance: req.originalUrl };
      // Messages of dependency failures may name internal hosts; 5xx say only what failed.
      if (status < 500) body['detail'] = err.message;
      // Extension members a client acts on (RFC 9457 section 3.2), copied from the error's details.
      if (Array.isArray(err.details['missing_ranges'])) body['missing_ranges'] = err.details['missing_ranges'];
      sendProblem(res, status, body);
      return;
    }
    if (isBodyParserError(err)) {
      const status = BODY_STATUSES.has(err.status) ? err.status : ERRORS.CATALOG_BODY_UNREADABLE.status;
      const detail = status === 413 ? 'the request body is larger than 64 KiB' : status === 415 ? 'the request body is in a charset or encoding the catalog does not read' : 'the request body is not JSON';
      sendProblem(res, status, { title: titleOf(status), code: 'CATALOG_BODY_UNREADABLE', detail, instance: req.originalUrl });
      return;
    }
    logger.error({ err, flow_id: res.locals['flowId'] }, 'request failed unexpectedly');
    sendProblem(res, 500, { title: 'Internal Server Error', code: 'INTERNAL', instance: req.originalUrl });
  };
}

/** What the JSON body parser refuses with that the catalog passes on (docs/errors.md); anything else it raises is a 400. */
const BODY_STATUSES = new Set([400, 413, 415]);

function isBodyParserError(err: unknown): err is { status: number } {
  return typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' && err.status >= 400 && err.status < 500;
}

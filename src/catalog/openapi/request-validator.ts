import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { TukangError } from '../../errors/catalogue.js';
import { badRequest, type InvalidParam } from '../problem.js';
import { pointerPart, resolveRef, type OpenApiDocument, type OpenApiParameter, type OperationRef } from './document.js';
import type { SchemaValidator } from './schema-validator.js';

interface CompiledParam {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  type: string | undefined;
  default: unknown;
  validate: ReturnType<SchemaValidator['at']>;
}

/** Parameter values after validation, coerced to the types the document declares, defaults applied. */
export type Params = Record<string, unknown>;

export function paramsOf(res: Response): Params {
  return res.locals['params'] as Params;
}

/** The JSON request body after validation against the operation's requestBody schema. */
export function bodyOf(res: Response): Record<string, unknown> {
  return res.locals['body'] as Record<string, unknown>;
}

/**
 * Validates path, query and header parameters of one operation against the document: unknown
 * query parameters, repeated ones, wrong types and out-of-range values are 400s that name the
 * parameter. The handler then reads typed values from `paramsOf(res)`.
 */
export function requestValidator(document: OpenApiDocument, schemas: SchemaValidator, op: OperationRef): RequestHandler {
  const params: CompiledParam[] = (op.operation.parameters ?? []).map((raw, i) => {
    const param = resolveRef<OpenApiParameter>(document, raw);
    if (param.in === 'cookie') throw new TukangError('CATALOG_DEFINITION_INVALID', `${op.operation.operationId}: cookie parameters are not supported`);
    const base = '$ref' in raw ? raw.$ref.replace(/^#/, '') : `/paths/${pointerPart(op.path)}/${op.method}/parameters/${i}`;
    const schema = resolveRef<Record<string, unknown>>(document, param.schema);
    return {
      name: param.name,
      in: param.in,
      required: param.required === true,
      type: typeof schema['type'] === 'string' ? schema['type'] : undefined,
      default: schema['default'],
      validate: schemas.at(`${base}/schema`),
    };
  });
  const queryNames = new Set(params.filter((p) => p.in === 'query').map((p) => p.name));
  const validateBody = op.operation.requestBody?.content['application/json']
    ? schemas.at(`/paths/${pointerPart(op.path)}/${op.method}/requestBody/content/${pointerPart('application/json')}/schema`)
    : undefined;

  return (req: Request, res: Response, next: NextFunction) => {
    const problems: InvalidParam[] = [];
    const values: Params = {};
    const query = req.query as Record<string, unknown>;
    for (const name of Object.keys(query)) {
      if (!queryNames.has(name)) problems.push({ name, in: 'query', reason: 'unknown parameter' });
    }
    for (const param of params) {
      const raw = param.in === 'path' ? req.params[param.name] : param.in === 'query' ? query[param.name] : req.header(param.name);
      // Only a parameter not sent is absent: `?limit=` is an empty value, validated (and refused) as one.
      if (raw === undefined) {
        if (param.required) problems.push({ name: param.name, in: param.in, reason: 'is required' });
        else if (param.default !== undefined) values[param.name] = param.default;
        continue;
      }
      if (typeof raw !== 'string') {
        problems.push({ name: param.name, in: param.in, reason: 'must be given once' });
        continue;
      }
      const value = coerce(raw, param.type);
      if (!param.validate(value)) {
        const error = param.validate.errors?.[0];
        problems.push({ name: param.name, in: param.in, reason: `${error?.message ?? 'is invalid'}${describeAllowed(error?.params)}` });
        continue;
      }
      values[param.name] = value;
    }
    if (validateBody) {
      const body: unknown = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) problems.push({ name: 'body', in: 'body', reason: 'must be a JSON object (Content-Type: application/json)' });
      else if (!validateBody(body)) problems.push(bodyProblem(validateBody.errors?.[0]));
      else res.locals['body'] = body;
    }
    if (problems.length > 0) {
      next(badRequest(problems));
      return;
    }
    res.locals['params'] = values;
    next();
  };
}

function coerce(raw: string, type: string | undefined): unknown {
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

function describeAllowed(params: Record<string, unknown> | undefined): string {
  const allowed = params?.['allowedValues'];
  return Array.isArray(allowed) ? ` (${allowed.join(', ')})` : '';
}

interface SchemaError {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Names the body property an error is about as a dotted path (`partitions[0]`, `dry_run`). */
function bodyProblem(error: SchemaError | undefined): InvalidParam {
  if (!error) return { name: 'body', in: 'body', reason: 'is invalid' };
  let name = error.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replaceAll('/', '.');
  const extra = error.params['additionalProperty'] ?? error.params['missingProperty'];
  if (typeof extra === 'string') name = name ? `${name}.${extra}` : extra;
  const reason = error.params['additionalProperty'] !== undefined ? 'is not a known property' : `${error.message ?? 'is invalid'}${describeAllowed(error.params)}`;
  return { name: name || 'body', in: 'body', reason };
}

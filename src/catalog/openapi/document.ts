import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

/** The parts of an OpenAPI 3.1 document the catalog's glue reads; the rest is passed through. */
export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Record<string, unknown>;
}

export interface OpenApiOperation {
  operationId: string;
  parameters?: Array<OpenApiParameter | { $ref: string }>;
  security?: Array<Record<string, string[]>>;
  requestBody?: { required?: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, unknown>;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  security?: Array<Record<string, string[]>>;
  components: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** The document is the contract, kept in the repo as YAML (openapi/catalog.yaml) and read at start-up. */
export const OPENAPI_FILE = new URL('../../../../openapi/catalog.yaml', import.meta.url);

export interface LoadedDocument {
  document: OpenApiDocument;
  json: string;
  yaml: string;
}

let loaded: LoadedDocument | undefined;

export function loadOpenApi(): LoadedDocument {
  if (!loaded) {
    const text = readFileSync(OPENAPI_FILE, 'utf8');
    const document = parse(text) as OpenApiDocument;
    loaded = { document, json: JSON.stringify(document), yaml: stringify(document) };
  }
  return loaded;
}

/** Follows a local `#/components/...` reference. */
export function resolveRef<T>(document: OpenApiDocument, value: T | { $ref: string }): T {
  if (typeof value === 'object' && value !== null && '$ref' in value && typeof value.$ref === 'string') {
    let node: unknown = document;
    for (const part of value.$ref.replace(/^#\//, '').split('/')) node = (node as Record<string, unknown>)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
    return resolveRef(document, node as T);
  }
  return value as T;
}

/** JSON pointer escaping (RFC 6901). */
export function pointerPart(part: string): string {
  return part.replaceAll('~', '~0').replaceAll('/', '~1');
}

export interface OperationRef {
  method: string;
  /** The OpenAPI path template: `/datasets/{dataset}`. */
  path: string;
  operation: OpenApiOperation;
}

export function operations(document: OpenApiDocument): OperationRef[] {
  const out: OperationRef[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (['get', 'put', 'post', 'delete', 'patch', 'head'].includes(method)) out.push({ method, path, operation });
    }
  }
  return out;
}

import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { createRequire } from 'node:module';
import type { FormatsPlugin } from 'ajv-formats';
import { pointerPart, resolveRef, type OpenApiDocument, type OperationRef } from './document.js';

const DOCUMENT_ID = 'tukang-openapi';

// ajv-formats is CommonJS with an `exports.default`, which NodeNext's ESM import does not unwrap.
const addFormats = createRequire(import.meta.url)('ajv-formats') as FormatsPlugin;

/**
 * JSON Schema 2020-12 (the dialect of OpenAPI 3.1) over the whole document, so that every schema
 * is compiled where it stands and its `#/components/...` references resolve as written.
 */
export class SchemaValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    // strict off: the document carries OpenAPI keywords (paths, responses) that are not JSON Schema.
    this.ajv = new Ajv2020({ strict: false, allErrors: false });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  }

  /** A validator for the schema at a JSON pointer inside the document (`/components/schemas/X`). */
  at(pointer: string): ValidateFunction {
    let fn = this.compiled.get(pointer);
    if (!fn) {
      fn = this.ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` });
      this.compiled.set(pointer, fn);
    }
    return fn;
  }

  /** The response body schema of an operation for a status (or `default`), or undefined when it has none. */
  responsePointer(op: OperationRef, status: number, contentType: string): string | undefined {
    const responses = op.operation.responses;
    const key = String(status) in responses ? String(status) : 'default' in responses ? 'default' : undefined;
    if (key === undefined) return undefined;
    const raw = responses[key];
    let base = `/paths/${pointerPart(op.path)}/${op.method}/responses/${pointerPart(key)}`;
    if (typeof raw === 'object' && raw !== null && '$ref' in raw && typeof raw.$ref === 'string') base = raw.$ref.replace(/^#/, '');
    const response = resolveRef<{ content?: Record<string, unknown> }>(this.document, raw as { content?: Record<string, unknown> });
    if (!response.content || !(contentType in response.content)) return undefined;
    return `${base}/content/${pointerPart(contentType)}/schema`;
  }

  errorsText(fn: ValidateFunction): string {
    return this.ajv.errorsText(fn.errors, { dataVar: '' });
  }
}

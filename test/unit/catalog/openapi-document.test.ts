import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { loadOpenApi, operations, resolveRef } from '../../../src/catalog/openapi/document.js';
import { OPENAPI_FILE } from '../../../src/catalog/openapi/document.js';

test('the OpenAPI document validates against the OpenAPI 3.1 schema', async () => {
  const validator = new Validator();
  const result = await validator.validate(fileURLToPath(OPENAPI_FILE));
  assert.deepEqual(result, { valid: true });
  assert.equal(validator.version, '3.1');
});

test('the document follows the API conventions: kebab-case paths, snake_case properties, problems for errors, scopes', () => {
  const { document } = loadOpenApi();
  for (const op of operations(document)) {
    const id = op.operation.operationId;
    // The Iceberg REST protocol fixes its own paths (with /v1) and property names.
    const iceberg = op.path.startsWith('/iceberg/v1/');
    if (!iceberg) assert.match(op.path, /^(\/([a-z][a-z0-9-]*|\{[a-z_]+\}|[a-z]+\.(json|yaml)))+$/, `${id}: path ${op.path}`);
    if (!iceberg) assert.doesNotMatch(op.path, /\/api\b|\/v\d/, `${id}: no /api, no version`);
    const open = op.path.startsWith('/health') || op.path === '/metrics' || op.path.startsWith('/openapi');
    // Reads need tukang.read; writes (starting and cancelling replays) need tukang.write.
    const scope = op.method === 'get' || op.method === 'head' ? 'tukang.read' : 'tukang.write';
    assert.deepEqual(op.operation.security ?? document.security, open ? [] : [{ bearer: [scope] }], `${id}: security`);
    if (!open) {
      const problem = resolveRef<{ content?: Record<string, unknown> }>(document, op.operation.responses['default'] as { $ref: string });
      assert.ok(problem.content?.['application/problem+json'], `${id}: default response is a problem`);
      if (op.method === 'get' || op.method === 'head') assert.ok('304' in op.operation.responses, `${id}: documents 304 for If-None-Match`);
    }
  }
  const walk = (schema: unknown, where: string): void => {
    if (typeof schema !== 'object' || schema === null) return;
    const props = (schema as { properties?: Record<string, unknown> }).properties;
    for (const name of Object.keys(props ?? {})) assert.match(name, /^[a-z][a-z0-9_]*$/, `${where}.${name} is snake_case`);
    for (const [key, value] of Object.entries(schema)) walk(value, `${where}.${key}`);
  };
  walk(Object.fromEntries(Object.entries(document.components['schemas'] ?? {}).filter(([name]) => !name.startsWith('Iceberg'))), 'components.schemas');
  for (const [name, schema] of Object.entries(document.components['schemas'] ?? {})) {
    for (const [prop, value] of Object.entries((schema as { properties?: Record<string, { $ref?: string; format?: string }> }).properties ?? {})) {
      const isTime = value.$ref === '#/components/schemas/Timestamp' || value.format === 'date-time';
      if (isTime) assert.match(prop, /_at$/, `${name}.${prop}: timestamps end in _at`);
    }
  }
});

import type { ResolvedColumn } from '../../core/resolved-schema.js';
import { isPlainObject } from '../describe-value.js';
import { columnNameFor } from './column-name.js';
import { schemaConfigError } from './config-error.js';

type Node = Record<string, unknown>;
type NestedMode = 'flatten' | 'struct';
type ShapeType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'any';

/** What one JSON Schema node says about a value, after $ref, nullable unions and type lists. */
interface Shape {
  node: Node;
  type: ShapeType;
  nullable: boolean;
  description: string;
  /** $refs being expanded on the way here; seeing one again means a recursive type. */
  refs: readonly string[];
}

interface Context {
  dataset: string;
  root: Node;
  nested: NestedMode;
}

/** Where a group of properties lands: prefixes for names and paths, and nullability inherited. */
interface Parent {
  namePrefix: string;
  pathPrefix: readonly string[];
  where: string;
  nullable: boolean;
  refs: readonly string[];
}

/**
 * Derives columns from a JSON Schema object document, as Nakadi event types carry. Supported:
 * object/array/string/integer/number/boolean types, type lists and anyOf/oneOf with "null",
 * OpenAPI's `nullable: true`, local $refs, formats date-time and date, `required`, descriptions.
 * Anything that would need a union column (several non-null alternatives), tuples or recursive
 * types is refused, so the dataset's owner decides rather than Tukang guessing.
 */
export function columnsFromJsonSchema(dataset: string, root: Node, nested: NestedMode): ResolvedColumn[] {
  const context: Context = { dataset, root, nested };
  const top = interpret(context, root, '', []);
  if (top.type !== 'object' || !hasProperties(top.node)) {
    throw schemaConfigError(dataset, '', 'json_schema must describe an object with properties');
  }
  return objectColumns(context, top.node, { namePrefix: '', pathPrefix: [], where: '', nullable: false, refs: top.refs }, nested);
}

function objectColumns(context: Context, node: Node, parent: Parent, mode: NestedMode): ResolvedColumn[] {
  const properties = node['properties'];
  if (!isPlainObject(properties)) throw schemaConfigError(context.dataset, parent.where, '"properties" must be an object');
  const required = requiredList(context, node, parent.where);
  const columns: ResolvedColumn[] = [];
  for (const [property, schema] of Object.entries(properties)) {
    const where = parent.where === '' ? property : `${parent.where}.${property}`;
    const shape = interpret(context, schema, where, parent.refs);
    const baseName = columnNameFor(property);
    if (baseName === undefined) throw schemaConfigError(context.dataset, where, 'the property name cannot be made into a column name');
    const name = parent.namePrefix + baseName;
    const path = [...parent.pathPrefix, property];
    const nullable = parent.nullable || !required.has(property) || shape.nullable;
    if (mode === 'flatten' && shape.type === 'object' && hasProperties(shape.node)) {
      columns.push(...objectColumns(context, shape.node, { namePrefix: `${name}_`, pathPrefix: path, where, nullable, refs: shape.refs }, 'flatten'));
    } else {
      columns.push(column(context, shape, name, path, nullable, where));
    }
  }
  return columns;
}

function column(context: Context, shape: Shape, name: string, path: string[], nullable: boolean, where: string): ResolvedColumn {
  const base = { name, nullable, description: shape.description, path };
  switch (shape.type) {
    case 'object':
      if (!hasProperties(shape.node)) return { ...base, type: 'json' };
      return {
        ...base,
        type: 'struct',
        fields: objectColumns(context, shape.node, { namePrefix: '', pathPrefix: [], where, nullable: false, refs: shape.refs }, 'struct'),
      };
    case 'array':
      return { ...base, type: 'list', items: listItems(context, shape, where) };
    case 'string': {
      const format = shape.node['format'];
      return { ...base, type: format === 'date-time' ? 'timestamp' : format === 'date' ? 'date' : 'string' };
    }
    case 'integer':
      return { ...base, type: 'int64' };
    case 'number':
      return { ...base, type: 'float64' };
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'any':
      return { ...base, type: 'json' };
  }
}

function listItems(context: Context, list: Shape, where: string): ResolvedColumn {
  const items = list.node['items'];
  const itemWhere = `${where}[]`;
  if (Array.isArray(items)) throw schemaConfigError(context.dataset, where, 'tuple arrays ("items" as a list) cannot be mapped to a list column');
  if (items === undefined) return { name: 'element', type: 'json', nullable: true, description: '', path: [] };
  const shape = interpret(context, items, itemWhere, list.refs);
  // Elements are never flattened: a list has no fixed number of columns to flatten into.
  return column(context, shape, 'element', [], shape.nullable, itemWhere);
}

function interpret(context: Context, schema: unknown, where: string, refs: readonly string[]): Shape {
  if (schema === true) return { node: {}, type: 'any', nullable: true, description: '', refs };
  if (!isPlainObject(schema)) throw schemaConfigError(context.dataset, where, 'is not a JSON Schema object');
  const description = typeof schema['description'] === 'string' ? schema['description'] : '';

  const ref = schema['$ref'];
  if (ref !== undefined) {
    if (typeof ref !== 'string') throw schemaConfigError(context.dataset, where, '"$ref" must be a string');
    if (refs.includes(ref)) throw schemaConfigError(context.dataset, where, `recursive "$ref" ${ref} cannot be mapped to columns`);
    const target = interpret(context, resolvePointer(context, ref, where), where, [...refs, ref]);
    return { ...target, description: description || target.description, nullable: target.nullable || schema['nullable'] === true };
  }

  for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
    const alternatives = schema[keyword];
    if (alternatives === undefined) continue;
    if (!Array.isArray(alternatives)) throw schemaConfigError(context.dataset, where, `"${keyword}" must be a list`);
    const nonNull = alternatives.filter((alternative) => !(isPlainObject(alternative) && alternative['type'] === 'null'));
    if (nonNull.length !== 1) {
      throw schemaConfigError(context.dataset, where, `"${keyword}" with ${nonNull.length} non-null alternatives cannot be mapped to one column`);
    }
    const inner = interpret(context, nonNull[0], where, refs);
    const allowsNull = keyword !== 'allOf' && nonNull.length < alternatives.length;
    return { ...inner, description: description || inner.description, nullable: inner.nullable || allowsNull };
  }

  const { type, nullable } = typeOf(context, schema, where);
  return { node: schema, type, nullable: nullable || schema['nullable'] === true, description, refs };
}

const TYPES: ReadonlySet<string> = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

function typeOf(context: Context, node: Node, where: string): { type: ShapeType; nullable: boolean } {
  const declared = node['type'];
  if (declared === undefined) return inferType(node);
  const names = typeof declared === 'string' ? [declared] : Array.isArray(declared) ? declared : undefined;
  if (!names || names.some((name) => typeof name !== 'string')) throw schemaConfigError(context.dataset, where, '"type" must be a string or a list of strings');
  const nonNull = names.filter((name) => name !== 'null');
  const only = nonNull[0];
  if (nonNull.length !== 1 || typeof only !== 'string') {
    throw schemaConfigError(context.dataset, where, `type ${JSON.stringify(declared)} cannot be mapped to one column`);
  }
  if (!TYPES.has(only)) throw schemaConfigError(context.dataset, where, `unknown type "${only}"`);
  return { type: only as ShapeType, nullable: nonNull.length < names.length };
}

/** A node without "type": its other keywords tell, and a node that constrains nothing is any JSON. */
function inferType(node: Node): { type: ShapeType; nullable: boolean } {
  if (node['properties'] !== undefined) return { type: 'object', nullable: false };
  if (node['items'] !== undefined) return { type: 'array', nullable: false };
  const values = Array.isArray(node['enum']) ? (node['enum'] as unknown[]) : 'const' in node ? [node['const']] : undefined;
  if (values && values.length > 0) {
    const nonNull = values.filter((value) => value !== null);
    const nullable = nonNull.length < values.length;
    if (nonNull.every((value) => typeof value === 'string')) return { type: 'string', nullable };
    if (nonNull.every((value) => typeof value === 'boolean')) return { type: 'boolean', nullable };
    if (nonNull.every((value) => Number.isSafeInteger(value))) return { type: 'integer', nullable };
    if (nonNull.every((value) => typeof value === 'number')) return { type: 'number', nullable };
  }
  return { type: 'any', nullable: true };
}

function hasProperties(node: Node): boolean {
  const properties = node['properties'];
  return isPlainObject(properties) && Object.keys(properties).length > 0;
}

function requiredList(context: Context, node: Node, where: string): ReadonlySet<string> {
  const required = node['required'];
  if (required === undefined) return new Set();
  if (!Array.isArray(required) || required.some((name) => typeof name !== 'string')) {
    throw schemaConfigError(context.dataset, where, '"required" must be a list of property names');
  }
  return new Set(required as string[]);
}

/** Follows a local JSON Pointer ("#/definitions/Address"); documents from elsewhere are not fetched. */
function resolvePointer(context: Context, ref: string, where: string): unknown {
  if (ref !== '#' && !ref.startsWith('#/')) throw schemaConfigError(context.dataset, where, `only local "$ref"s (starting with "#/") are supported, not ${ref}`);
  let current: unknown = context.root;
  for (const raw of ref === '#' ? [] : ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isPlainObject(current) || !Object.hasOwn(current, key)) throw schemaConfigError(context.dataset, where, `"$ref" ${ref} points nowhere`);
    current = current[key];
  }
  return current;
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { datasetSchema, type DatasetConfig } from '../../../src/config/schema.js';
import type { ResolvedColumn } from '../../../src/core/resolved-schema.js';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';
import { isTukangError } from '../../../src/errors/catalogue.js';

function dataset(schema: Record<string, unknown>, extra: Record<string, unknown> = {}): DatasetConfig {
  return datasetSchema.parse({ name: 'orders', topic: 'orders', envelope: { type: 'nakadi' }, schema, ...extra });
}

function fromJsonSchema(jsonSchema: Record<string, unknown>, nested: 'flatten' | 'struct' = 'struct', extra: Record<string, unknown> = {}): DatasetConfig {
  return dataset({ json_schema: jsonSchema, nested, unknown_fields: 'ignore' }, extra);
}

function objectSchema(properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return { type: 'object', properties, required };
}

function configError(config: DatasetConfig, ...fragments: string[]): void {
  assert.throws(
    () => resolveSchema(config),
    (err: unknown) => {
      assert.ok(isTukangError(err, 'CONFIG_INVALID'), String(err));
      assert.match(err.message, /dataset "orders"/);
      for (const fragment of fragments) assert.ok(err.message.includes(fragment), `"${err.message}" should mention ${fragment}`);
      return true;
    },
  );
}

const shape = (c: ResolvedColumn): unknown => ({
  name: c.name,
  type: c.type,
  nullable: c.nullable,
  path: c.path.join('.'),
  ...(c.fields ? { fields: c.fields.map(shape) } : {}),
  ...(c.items ? { items: shape(c.items) } : {}),
});

test('declared columns keep their order, split dotted paths and default the path to the name', () => {
  const schema = resolveSchema(
    dataset({
      columns: [
        { name: 'order_id', type: 'string', nullable: false, description: 'The order.' },
        { name: 'city', type: 'string', path: 'address.city' },
        { name: 'lines', type: 'list', items: { name: 'line', type: 'struct', fields: [{ name: 'sku', type: 'string', path: 'item.sku' }] } },
      ],
      unknown_fields: 'reject',
    }),
  );
  assert.deepEqual(schema.columns.map(shape), [
    { name: 'order_id', type: 'string', nullable: false, path: 'order_id' },
    { name: 'city', type: 'string', nullable: true, path: 'address.city' },
    { name: 'lines', type: 'list', nullable: true, path: 'lines', items: { name: 'line', type: 'struct', nullable: true, path: '', fields: [{ name: 'sku', type: 'string', nullable: true, path: 'item.sku' }] } },
  ]);
  assert.equal(schema.columns[0]?.description, 'The order.');
  assert.deepEqual(schema.partitionFields, []);
});

test('keep_json appends a nullable json _extra column last', () => {
  const schema = resolveSchema(dataset({ columns: [{ name: 'a', type: 'string' }], unknown_fields: 'keep_json' }));
  assert.deepEqual(schema.columns.map(shape), [
    { name: 'a', type: 'string', nullable: true, path: 'a' },
    { name: '_extra', type: 'json', nullable: true, path: '' },
  ]);
});

test('partition fields leave the columns and keep config order and their paths', () => {
  const schema = resolveSchema(
    dataset(
      { columns: [{ name: 'id', type: 'string' }, { name: 'country', type: 'string', path: 'address.country' }, { name: 'shard', type: 'int32' }], unknown_fields: 'ignore' },
      { partitioning: { fields: ['shard', 'country'] } },
    ),
  );
  assert.deepEqual(schema.columns.map((c) => c.name), ['id']);
  assert.deepEqual(schema.partitionFields, [
    { name: 'shard', path: ['shard'] },
    { name: 'country', path: ['address', 'country'] },
  ]);
});

test('partition fields must be scalar columns, named once', () => {
  const columns = [{ name: 'id', type: 'string' }, { name: 'at', type: 'timestamp' }, { name: 'meta', type: 'json' }];
  configError(dataset({ columns, unknown_fields: 'ignore' }, { partitioning: { fields: ['country'] } }), '"country"', 'not a column');
  configError(dataset({ columns, unknown_fields: 'ignore' }, { partitioning: { fields: ['at'] } }), '"at"', 'timestamp');
  configError(dataset({ columns, unknown_fields: 'ignore' }, { partitioning: { fields: ['meta'] } }), '"meta"', 'json');
  configError(dataset({ columns, unknown_fields: 'ignore' }, { partitioning: { fields: ['id', 'id'] } }), '"id"', 'twice');
});

test('column names must be unique, usable and not taken by Tukang', () => {
  configError(dataset({ columns: [{ name: 'a', type: 'string' }, { name: 'a', type: 'int32', path: 'b' }] }), '"a"', 'two columns');
  configError(dataset({ columns: [{ name: '_extra', type: 'string' }] }), '"_extra"', 'reserved');
  configError(dataset({ columns: [{ name: '_event_id', type: 'string' }] }), '"_event_id"', 'reserved');
  configError(dataset({ columns: [{ name: 's', type: 'struct', fields: [{ name: '__proto__', type: 'string' }] }] }), '"s.__proto__"');
  configError(dataset({ columns: [{ name: 's', type: 'struct', fields: [{ name: 'x', type: 'string' }, { name: 'x', type: 'string' }] }] }), '"s.x"');
  configError(dataset({ columns: [{ name: 'a', type: 'string', path: 'b..c' }] }), '"a"', 'empty segment');
  const deepStruct = { name: 'cell', type: 'struct', fields: [{ name: 'x', type: 'string' }, { name: 'x', type: 'int32' }] };
  configError(dataset({ columns: [{ name: 'm', type: 'list', items: { name: 'row', type: 'list', items: deepStruct } }] }), '"m[][].x"');
  configError(dataset({ columns: [{ name: 'l', type: 'list', items: { name: 'i', type: 'string', path: 'x' } }] }), '"l"', 'no path');
});

test('a JSON Schema maps types, formats, required and descriptions; names become snake_case', () => {
  const schema = resolveSchema(
    fromJsonSchema(
      objectSchema(
        {
          orderId: { type: 'string', description: 'The order number.' },
          itemCount: { type: 'integer' },
          totalEUR: { type: 'number' },
          isGift: { type: 'boolean' },
          placedAt: { type: 'string', format: 'date-time' },
          deliveryDate: { type: 'string', format: 'date' },
          email: { type: 'string', format: 'email' },
          HTTPStatus: { type: 'integer' },
          anything: {},
          free_form: { type: 'object' },
        },
        ['orderId', 'placedAt'],
      ),
    ),
  );
  assert.deepEqual(
    schema.columns.map((c) => [c.name, c.type, c.nullable, c.path.join('.')]),
    [
      ['order_id', 'string', false, 'orderId'],
      ['item_count', 'int64', true, 'itemCount'],
      ['total_eur', 'float64', true, 'totalEUR'],
      ['is_gift', 'boolean', true, 'isGift'],
      ['placed_at', 'timestamp', false, 'placedAt'],
      ['delivery_date', 'date', true, 'deliveryDate'],
      ['email', 'string', true, 'email'],
      ['http_status', 'int64', true, 'HTTPStatus'],
      ['anything', 'json', true, 'anything'],
      ['free_form', 'json', true, 'free_form'],
    ],
  );
  assert.equal(schema.columns[0]?.description, 'The order number.');
});

test('null in a type list, anyOf/oneOf with null, and nullable: true make a column nullable', () => {
  const schema = resolveSchema(
    fromJsonSchema(
      objectSchema(
        {
          a: { type: ['string', 'null'] },
          b: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
          c: { oneOf: [{ type: 'null' }, { type: 'string', format: 'date' }] },
          d: { type: 'number', nullable: true },
          e: { allOf: [{ type: 'boolean' }] },
          f: { enum: ['x', 'y'] },
          g: { enum: [1, 2, null] },
        },
        ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
      ),
    ),
  );
  assert.deepEqual(
    schema.columns.map((c) => [c.name, c.type, c.nullable]),
    [
      ['a', 'string', true],
      ['b', 'int64', true],
      ['c', 'date', true],
      ['d', 'float64', true],
      ['e', 'boolean', false],
      ['f', 'string', false],
      ['g', 'int64', true],
    ],
  );
});

test('nested objects flatten into parent_child columns, or become structs', () => {
  const jsonSchema = objectSchema(
    {
      id: { type: 'string' },
      customer: objectSchema({ name: { type: 'string' }, address: objectSchema({ zipCode: { type: 'string' } }, ['zipCode']) }, ['address']),
      tags: { type: 'array', items: { type: 'string' } },
      lines: { type: 'array', items: objectSchema({ sku: { type: 'string' } }, ['sku']) },
    },
    ['id', 'customer'],
  );
  const flat = resolveSchema(fromJsonSchema(jsonSchema, 'flatten'));
  assert.deepEqual(
    flat.columns.map((c) => [c.name, c.type, c.nullable, c.path.join('.')]),
    [
      ['id', 'string', false, 'id'],
      ['customer_name', 'string', true, 'customer.name'],
      ['customer_address_zip_code', 'string', false, 'customer.address.zipCode'],
      ['tags', 'list', true, 'tags'],
      ['lines', 'list', true, 'lines'],
    ],
  );
  assert.deepEqual(shape(flat.columns[4]!), {
    name: 'lines',
    type: 'list',
    nullable: true,
    path: 'lines',
    items: { name: 'element', type: 'struct', nullable: false, path: '', fields: [{ name: 'sku', type: 'string', nullable: false, path: 'sku' }] },
  });

  const nested = resolveSchema(fromJsonSchema(jsonSchema, 'struct'));
  assert.deepEqual(shape(nested.columns[1]!), {
    name: 'customer',
    type: 'struct',
    nullable: false,
    path: 'customer',
    fields: [
      { name: 'name', type: 'string', nullable: true, path: 'name' },
      { name: 'address', type: 'struct', nullable: false, path: 'address', fields: [{ name: 'zip_code', type: 'string', nullable: false, path: 'zipCode' }] },
    ],
  });
  assert.notEqual(flat.version, nested.version);
});

test('a flattened column under an optional parent is nullable even when the child is required', () => {
  const schema = resolveSchema(fromJsonSchema(objectSchema({ parent: objectSchema({ child: { type: 'string' } }, ['child']) }), 'flatten'));
  assert.deepEqual(schema.columns.map((c) => [c.name, c.nullable]), [['parent_child', true]]);
});

test('local $refs resolve, and their description yields to the referring one', () => {
  const schema = resolveSchema(
    fromJsonSchema({
      ...objectSchema({ home: { $ref: '#/definitions/Address', description: 'Where they live.' }, work: { $ref: '#/$defs/Address' } }),
      definitions: { Address: objectSchema({ city: { type: 'string' } }) },
      $defs: { Address: { description: 'An address.', ...objectSchema({ city: { type: 'string' } }) } },
    }),
  );
  assert.deepEqual(schema.columns.map((c) => [c.name, c.type, c.description]), [
    ['home', 'struct', 'Where they live.'],
    ['work', 'struct', 'An address.'],
  ]);
});

test('JSON Schema constructs without a column shape are refused, naming the field', () => {
  configError(fromJsonSchema({ type: 'array', items: { type: 'string' } }), 'object with properties');
  configError(fromJsonSchema(objectSchema({ a: { type: ['string', 'integer'] } })), '"a"', 'cannot be mapped');
  configError(fromJsonSchema(objectSchema({ a: { anyOf: [{ type: 'string' }, { type: 'integer' }] } })), '"a"', 'anyOf');
  configError(fromJsonSchema(objectSchema({ a: { type: 'null' } })), '"a"');
  configError(fromJsonSchema(objectSchema({ a: { type: 'array', items: [{ type: 'string' }] } })), '"a"', 'tuple');
  configError(fromJsonSchema(objectSchema({ a: { type: 'decimal' } })), '"a"', 'unknown type');
  configError(fromJsonSchema(objectSchema({ a: { $ref: 'https://example.org/schema.json' } })), '"a"', 'local');
  configError(fromJsonSchema(objectSchema({ a: { $ref: '#/definitions/Missing' } })), '"a"', 'points nowhere');
  configError(
    fromJsonSchema({ ...objectSchema({ root: { $ref: '#/definitions/Node' } }), definitions: { Node: objectSchema({ child: { $ref: '#/definitions/Node' } }) } }),
    '"root.child"',
    'recursive',
  );
  configError(fromJsonSchema(objectSchema({ '': { type: 'string' } })), 'column name');
  configError(fromJsonSchema(objectSchema({ orderId: { type: 'string' }, order_id: { type: 'string' } })), '"order_id"', 'two columns');
  configError(fromJsonSchema(objectSchema({ a: objectSchema({ b: { type: 'string' } }), a_b: { type: 'string' } }), 'flatten'), '"a_b"', 'two columns');
  configError(fromJsonSchema(objectSchema({ a: { type: 'string' } }), 'struct', { partitioning: { fields: ['b'] } }), '"b"', 'not a column');
});

test('the version is a stable 12-hex hash that changes with the columns', () => {
  const columns = [{ name: 'a', type: 'string' }, { name: 'b', type: 'int64', path: 'x.b' }];
  const first = resolveSchema(dataset({ columns, unknown_fields: 'ignore' }));
  const again = resolveSchema(dataset({ columns: [{ type: 'string', name: 'a' }, { path: 'x.b', type: 'int64', name: 'b' }], unknown_fields: 'ignore' }));
  assert.match(first.version, /^[0-9a-f]{12}$/);
  assert.equal(again.version, first.version);
  assert.notEqual(resolveSchema(dataset({ columns, unknown_fields: 'keep_json' })).version, first.version);
  assert.notEqual(resolveSchema(dataset({ columns: [columns[0], { ...columns[1], nullable: false }], unknown_fields: 'ignore' })).version, first.version);
  assert.notEqual(resolveSchema(dataset({ columns, unknown_fields: 'ignore' }, { partitioning: { fields: ['a'] } })).version, first.version);
});

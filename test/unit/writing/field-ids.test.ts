import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Field, tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/node';
import { parseConfig } from '../../../src/config/load.js';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';
import type { CellValue } from '../../../src/core/records.js';
import type { ResolvedColumn } from '../../../src/core/resolved-schema.js';
import { tableLayout, type IcebergField, type IcebergType } from '../../../src/iceberg/table-schema.js';
import { rowBatchToIPC } from '../../../src/writing/parquet/arrow-columns.js';
import { encodeParquet } from '../../../src/writing/parquet/encode-job.js';
import { FIELD_ID_METADATA_KEY } from '../../../src/writing/parquet/field-ids.js';
import { RowBatchBuilder } from '../../../src/buffering/row-batch.js';

/** name → id, nested names joined with dots (list elements as `element`). */
function arrowIds(fields: readonly Field[], prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of fields) {
    const name = `${prefix}${f.name}`;
    const id = f.metadata.get(FIELD_ID_METADATA_KEY);
    if (id !== undefined) out[name] = Number(id);
    Object.assign(out, arrowIds(f.type.children ?? [], `${name}.`));
  }
  return out;
}

function icebergIds(fields: readonly IcebergField[], prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  const nested = (type: IcebergType, name: string): void => {
    if (typeof type === 'string') return;
    if (type.type === 'struct') Object.assign(out, icebergIds(type.fields, `${name}.`));
    else {
      out[`${name}.element`] = type['element-id'];
      nested(type.element, `${name}.element`);
    }
  };
  for (const f of fields) {
    out[`${prefix}${f.name}`] = f.id;
    nested(f.type, `${prefix}${f.name}`);
  }
  return out;
}

test('data files carry Parquet field ids equal to the Iceberg schema ids (nested fields too), and parquet-wasm keeps them', () => {
  const config = parseConfig({
    datasets: [
      {
        name: 'orders',
        topic: 'orders',
        envelope: { type: 'nakadi' },
        partitioning: { fields: ['country'] },
        schema: {
          columns: [
            { name: 'order_id', type: 'string' },
            { name: 'customer', type: 'struct', fields: [{ name: 'id', type: 'int64' }, { name: 'tags', type: 'list', items: { name: 'tag', type: 'string' } }] },
            { name: 'amount', type: 'float64' },
            { name: 'country', type: 'string' },
          ],
        },
      },
    ],
  });
  const dataset = config.datasets[0];
  assert.ok(dataset);
  const resolved = resolveSchema(dataset);
  const builder = new RowBatchBuilder(resolved.columns as ResolvedColumn[], 'orders');
  const row: Record<string, CellValue> = { order_id: 'o1', customer: { id: 7, tags: ['a'] }, amount: 1.5 };
  builder.add(resolved.columns.map((c) => row[c.name] ?? null), 'e1', 1_000, 0, 0, 1_000);
  const parquet = encodeParquet(rowBatchToIPC(builder.build()), { compression: 'zstd', rowGroupRows: 100 });
  const back = tableFromIPC(readParquet(parquet).intoIPCStream());
  const fromFile = arrowIds(back.schema.fields);
  const layout = tableLayout(dataset, resolved);
  const expected = icebergIds(layout.schema.fields);
  // Every file column has its id, and it is the table's; the partitioning field `country` is in no file.
  const fileColumns = Object.keys(fromFile).sort();
  assert.deepEqual(fileColumns, Object.keys(expected).filter((k) => k !== 'country').sort());
  for (const name of fileColumns) assert.equal(fromFile[name], expected[name], `field id of ${name}`);
  assert.equal(new Set(Object.values(expected)).size, Object.keys(expected).length, 'ids are unique');
  assert.equal(layout.lastColumnId, Math.max(...Object.values(expected)));
});

import type { DatasetConfig } from '../../config/schema.js';
import { EXTRA_COLUMN } from '../../core/records.js';
import type { ResolvedColumn, ResolvedSchema } from '../../core/resolved-schema.js';
import { checkColumnNames } from './check-column-names.js';
import { schemaConfigError } from './config-error.js';
import { resolveDeclaredColumns } from './from-declared-columns.js';
import { columnsFromJsonSchema } from './from-json-schema.js';
import { schemaVersion } from './schema-version.js';

/**
 * Partition values become Hive path segments, so only types with one obvious text form qualify;
 * timestamps and floats already have time partitioning or make no sense as directories.
 */
const PARTITIONABLE: ReadonlySet<ResolvedColumn['type']> = new Set(['string', 'int32', 'int64', 'boolean', 'date']);

/**
 * Turns a dataset's declared columns or JSON Schema into the columns files are written with.
 * Runs once per dataset at start-up; every problem is a CONFIG_INVALID naming dataset and field.
 */
export function resolveSchema(dataset: DatasetConfig): ResolvedSchema {
  const { columns: declared, json_schema: jsonSchema, nested, unknown_fields: unknownFields } = dataset.schema;
  let all: ResolvedColumn[];
  if (declared !== undefined) all = resolveDeclaredColumns(dataset.name, declared);
  else if (jsonSchema !== undefined) all = columnsFromJsonSchema(dataset.name, jsonSchema, nested);
  else throw schemaConfigError(dataset.name, '', 'give "columns" or "json_schema"');
  checkColumnNames(dataset.name, all);

  const partitionFields: ResolvedSchema['partitionFields'] = [];
  const partitionNames = new Set<string>();
  for (const name of dataset.partitioning.fields) {
    const column = all.find((c) => c.name === name);
    if (!column) throw schemaConfigError(dataset.name, name, 'is a partitioning field but not a column of the schema');
    if (partitionNames.has(name)) throw schemaConfigError(dataset.name, name, 'is listed twice in partitioning.fields');
    if (!PARTITIONABLE.has(column.type)) {
      throw schemaConfigError(dataset.name, name, `a ${column.type} column cannot partition data; use string, int32, int64, boolean or date`);
    }
    partitionNames.add(name);
    partitionFields.push({ name, path: column.path });
  }

  const columns = all.filter((c) => !partitionNames.has(c.name));
  if (unknownFields === 'keep_json') {
    columns.push({ name: EXTRA_COLUMN, type: 'json', nullable: true, description: 'Fields of the event that no column names, as a JSON object.', path: [] });
  }
  return { version: schemaVersion(columns, partitionFields), columns, partitionFields };
}

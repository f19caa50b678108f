import { EXTRA_COLUMN, LINEAGE_COLUMNS } from '../../core/records.js';
import type { ResolvedColumn } from '../../core/resolved-schema.js';
import { isColumnName } from './column-name.js';
import { schemaConfigError } from './config-error.js';

const RESERVED: ReadonlySet<string> = new Set([EXTRA_COLUMN, ...Object.values(LINEAGE_COLUMNS)]);

/**
 * Column names must be unique at each level and usable as struct keys; top-level names must not
 * take the names of the columns Tukang adds itself (lineage and `_extra`).
 */
export function checkColumnNames(dataset: string, columns: readonly ResolvedColumn[]): void {
  for (const column of columns) {
    if (RESERVED.has(column.name)) throw schemaConfigError(dataset, column.name, 'the name is reserved for a column Tukang adds');
  }
  checkLevel(dataset, columns, '');
}

function checkLevel(dataset: string, columns: readonly ResolvedColumn[], parent: string): void {
  const seen = new Map<string, string>();
  for (const column of columns) {
    const where = parent === '' ? column.name : `${parent}.${column.name}`;
    if (!isColumnName(column.name)) throw schemaConfigError(dataset, where, 'is not a usable column name');
    const source = column.path.join('.');
    const earlier = seen.get(column.name);
    if (earlier !== undefined) {
      throw schemaConfigError(dataset, where, `two columns have this name (from "${earlier}" and "${source}")`);
    }
    seen.set(column.name, source);
    checkNested(dataset, column, where);
  }
}

function checkNested(dataset: string, column: ResolvedColumn, where: string): void {
  if (column.fields) checkLevel(dataset, column.fields, where);
  if (column.items) checkNested(dataset, column.items, `${where}[]`);
}

import type { ColumnConfig } from '../../config/schema.js';
import type { ResolvedColumn } from '../../core/resolved-schema.js';
import { splitDottedPath } from '../payload-path.js';
import { schemaConfigError } from './config-error.js';

/** Resolves the columns a dataset declares: dotted paths split once, struct and list parts recursively. */
export function resolveDeclaredColumns(dataset: string, columns: readonly ColumnConfig[]): ResolvedColumn[] {
  return columns.map((column) => resolveColumn(dataset, column, ''));
}

function resolveColumn(dataset: string, column: ColumnConfig, parent: string): ResolvedColumn {
  const where = parent === '' ? column.name : `${parent}.${column.name}`;
  const path = splitDottedPath(column.path ?? column.name);
  if (!path) throw schemaConfigError(dataset, where, `path "${column.path ?? ''}" has an empty segment`);
  const resolved: ResolvedColumn = {
    name: column.name,
    type: column.type,
    nullable: column.nullable,
    description: column.description,
    path,
  };
  if (column.fields) resolved.fields = column.fields.map((field) => resolveColumn(dataset, field, where));
  if (column.items) {
    if (column.items.path !== undefined) throw schemaConfigError(dataset, where, 'list items take no path; they are the elements of the list');
    resolved.items = { ...resolveColumn(dataset, column.items, `${where}[]`), path: [] };
  }
  return resolved;
}

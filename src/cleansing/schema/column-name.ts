const COLUMN_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * The column name for a JSON Schema property: snake_case, because Hive, Athena and Glue fold
 * identifiers to lower case, so "orderId" and "orderid" would meet in the same column there.
 * Undefined when nothing usable is left.
 */
export function columnNameFor(property: string): string | undefined {
  const snake = property
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .toLowerCase();
  const name = snake.length > 0 && snake.charCodeAt(0) >= 48 && snake.charCodeAt(0) <= 57 ? `_${snake}` : snake;
  return isColumnName(name) ? name : undefined;
}

/** "__proto__" fits the pattern but would set a prototype when used as a struct field key. */
export function isColumnName(name: string): boolean {
  return COLUMN_NAME.test(name) && name !== '__proto__';
}
